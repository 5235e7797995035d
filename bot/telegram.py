"""Telegram, through python-telegram-bot 22: relays people to Rasa and renders replies.

Long polling by default (no public address needed); webhook mode when
``TELEGRAM_WEBHOOK_URL`` is set, with Telegram's secret token checked in
constant time. ``TELEGRAM_API_URL`` points the bot at another Bot API server.

At start the command menu is set once per core language (``set_my_commands``
with that ``language_code``; Telegram shows each person the list for their
app's language) and once without a language, in English, for everyone else.
The descriptions are ``telegram.command.<name>`` in ``data/locales``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

from aiohttp import web
from cachetools import FIFOCache
from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.conversation import Conversations, User
from bot.rasa_client import BotMessage, RasaUnavailable
from language.catalogue import Catalogue
from language.languages import CORE, FALLBACK, is_core, normalise_code
from pes.outbox import OutboxItem
from pes.privacy import pseudonym

logger = logging.getLogger(__name__)

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
_DEEP_LINK = re.compile(r"^[a-z_]+(--[a-z_]+--[a-z0-9_]+)*$")
DEEP_LINK_INTENTS = frozenset(
    {
        "greet", "help", "choose_language", "list_programmes", "programme_details",
        "check_eligibility", "work_rights", "register_unemployed", "required_documents",
        "language_course", "recognise_qualifications", "financial_support", "find_job",
        "book_appointment", "my_appointments", "office_info", "request_human", "privacy_info",
    }
)  # fmt: skip
DEEP_LINK_ENTITIES = frozenset({"programme", "city", "language", "protection_status"})
COMMANDS = {
    "help": "/help",
    "privacy": "/privacy_info",
    "delete": "/delete_my_data",
    "language": "/choose_language",
}
MENU = ("start", "help", "language", "privacy", "delete")  # the command menu, in its order
MENU_KEY = "telegram.command."  # + a name of MENU: its description in data/locales


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None


def deep_link_payload(arg: str | None) -> str:
    """``/start <arg>`` to a Rasa payload: ``office_info--city--maribor`` → ``/office_info{"city": "maribor"}``.

    Telegram allows only ``[A-Za-z0-9_-]`` in a deep link, hence the ``--``
    separators. Anything unknown starts the conversation with a greeting.
    """
    if not arg or not _DEEP_LINK.match(arg):
        return "/greet"
    intent, *rest = arg.split("--")
    if intent not in DEEP_LINK_INTENTS:
        return "/greet"
    pairs = dict(zip(rest[0::2], rest[1::2], strict=True))
    if not set(pairs) <= DEEP_LINK_ENTITIES:
        return "/greet"
    return f"/{intent}{json.dumps(pairs)}" if pairs else f"/{intent}"


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Pieces under Telegram's limit, cut at line breaks (or spaces) where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text:
        pieces.append(text)
    return pieces


def menu(catalogue: Catalogue, lang: str) -> list[BotCommand]:
    """The command menu with its descriptions in ``lang`` (English where it has none)."""
    return [BotCommand(name, catalogue.text(MENU_KEY + name, lang)) for name in MENU]


class CallbackStore:
    """Button payloads too long for callback_data, kept server-side under a short key.

    The ``size`` most recently sent are kept: a payload sent again counts as new,
    a pressed button does not keep its payload longer (first in, first out).
    """

    def __init__(self, size: int = 10_000) -> None:
        self._items: FIFOCache[str, str] = FIFOCache(maxsize=size)

    def encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT and not payload.startswith("#"):
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._items[key] = payload
        return key

    def decode(self, data: str) -> str | None:
        return self._items.get(data) if data.startswith("#") else data


class TelegramChannel:
    """Wires python-telegram-bot's Application to Rasa."""

    def __init__(
        self,
        config: TelegramSettings,
        conversations: Conversations,
        catalogue: Catalogue,
        pseudonym_key: str,
    ) -> None:
        self.config = config
        self.conversations = conversations
        self.catalogue = catalogue
        self.pseudonym_key = pseudonym_key
        self.callbacks = CallbackStore()
        builder = (
            Application.builder()
            .token(config.token)
            .base_url(config.api_url)
            .rate_limiter(AIORateLimiter(max_retries=3))
        )
        if config.webhook_url:
            builder = builder.updater(None)
        self.app = builder.build()
        self._wire()

    def _wire(self) -> None:
        app = self.app
        private = filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(~private, self.on_group))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_edited))
        app.add_handler(CommandHandler("start", self.on_start))
        for command in COMMANDS:
            app.add_handler(CommandHandler(command, self.on_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.ALL, self.on_unsupported))
        app.add_error_handler(self.on_error)

    # --- handlers -------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, with or without a deep-link payload."""
        await self.relay(update, deep_link_payload(context.args[0] if context.args else None))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help, /privacy, /delete, /language."""
        assert update.message is not None and update.message.text is not None
        command = update.message.text.split()[0].lstrip("/").split("@")[0]
        await self.relay(update, COMMANDS[command])

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message."""
        assert update.message is not None and update.message.text is not None
        await self.relay(update, update.message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answer the query so it stops spinning, then relay its payload."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        payload = self.callbacks.decode(query.data or "")
        if payload is None:  # forgotten after a restart
            await self.relay(update, "/help")
            return
        await self.relay(update, payload)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice, photos, stickers, documents, locations ...: say kindly what we can take."""
        await self.say(update, "telegram.unsupported")

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message."""
        await self.say(update, "telegram.edited")

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Anything in a group: only private chats, for privacy."""
        if update.effective_message and update.effective_message.text:
            await self.say(update, "telegram.private_only")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one place errors end: logged without content."""
        logger.error("telegram handler failed: %s", type(context.error).__name__)

    # --- the relay --------------------------------------------------------------

    @staticmethod
    def _language(update: Update) -> str | None:
        user = update.effective_user
        return normalise_code(user.language_code) if user else None

    async def say(self, update: Update, key: str) -> None:
        lang = self._language(update)
        lang = lang if lang and is_core(lang) else FALLBACK
        chat = update.effective_chat
        if chat is not None:
            await self.app.bot.send_message(chat.id, self.catalogue.render(key, lang)["text"])

    async def relay(self, update: Update, text: str) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        await self.app.bot.send_chat_action(chat.id, ChatAction.TYPING)
        who = User(
            channel="telegram",
            user_id=pseudonym(self.pseudonym_key, "telegram", str(user.id)),
            address=str(chat.id),
            language_hint=user.language_code,
        )
        try:
            replies = await self.conversations.handle(who, text)
        except RasaUnavailable:
            await self.say(update, "gateway.unavailable")
            return
        for reply in replies:
            await self.send(chat.id, reply)

    async def send(self, chat_id: int, reply: BotMessage) -> None:
        """One Rasa reply: text in pieces, buttons as an inline keyboard on the last piece."""
        if reply.image:
            await self.app.bot.send_photo(chat_id, reply.image)
        pieces = split_text(reply.text or "")
        markup = None
        if reply.buttons:
            rows = [
                [
                    InlineKeyboardButton(
                        b["title"][:64] or "…", callback_data=self.callbacks.encode(b["payload"])
                    )
                ]
                for b in reply.buttons
            ]
            markup = InlineKeyboardMarkup(rows)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            await self.app.bot.send_message(chat_id, piece, reply_markup=markup if last else None)

    async def deliver(self, item: OutboxItem) -> bool:
        """The delivery worker's sender: a queued message (a counsellor's reply, a reminder)
        reaches the user's chat through the same path as every other reply."""
        contacts = self.conversations.contacts
        contact = await asyncio.to_thread(contacts.get, item.user_id) if contacts else None
        if contact is None or contact.address is None:
            return False
        await self.send(int(contact.address), BotMessage.from_rasa(item.message))
        return True

    # --- lifecycle and webhook --------------------------------------------------

    async def set_commands(self) -> int:
        """The command menu in every core language, and in English for every other
        language (no ``language_code``); how many lists Telegram took.

        A list Telegram refuses is logged (the error's type) and the others are still
        set; when Telegram cannot be reached the rest are not tried. Either way the
        gateway goes on: the commands work without the menu."""
        done = 0
        for lang in (None, *CORE):
            try:
                await self.app.bot.set_my_commands(
                    menu(self.catalogue, lang or FALLBACK),
                    scope=BotCommandScopeDefault(),
                    language_code=lang,
                )
            except BadRequest as exc:  # this list only (a description too long, say)
                logger.warning(
                    "telegram command menu (%s) refused: %s", lang or "default", type(exc).__name__
                )
                continue
            except Exception as exc:  # out of reach: the next lists would fail the same way
                logger.warning("telegram command menu not set: %s", type(exc).__name__)
                break
            done += 1
        return done

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        await self.set_commands()
        if self.config.webhook_url:
            await self.app.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(allowed_updates=Update.ALL_TYPES)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def webhook(self, request: web.Request) -> web.Response:
        """Telegram's webhook: 403 unless the secret token matches (compared in constant time)."""
        expected = (self.config.webhook_secret or "").encode()
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode(errors="replace")
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot) if isinstance(data, dict) else None
        except web.HTTPException:
            raise
        except Exception:  # whatever python-telegram-bot makes of a malformed update
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        await self.app.update_queue.put(update)
        return web.Response(status=200)
