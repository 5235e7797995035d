"""The chat widget's live connection: a WebSocket at ``GET /api/ws``, and its UI strings.

The widget (``bot/static/widget.js``) opens one socket per page. Frames are JSON
text messages (see docs/widget.md):

client → gateway
    ``{"type": "hello", "session": "<8-64 [A-Za-z0-9_-]>", "lang": "fa"}`` first;
    ``{"type": "message", "id": "<1-40 [A-Za-z0-9_-]>", "text": "...", "lang": "fa"}``.
gateway → client
    ``{"type": "ready"}`` after a good hello;
    ``{"type": "typing", "reply_to": id}`` when a message is taken (it is an ack);
    ``{"type": "message", "id", "reply_to"?, "kind", "text", "buttons", "image", "dir"}``;
    ``{"type": "done", "reply_to": id}`` when every reply to ``id`` is sent;
    ``{"type": "error", "code", "reply_to"?, "retry_after"?, "messages": [{"text", "dir"}]}``.

A message id the gateway has already answered is answered again from memory and
not sent to Rasa twice, so the widget can resend its queue after a reconnect.
Ids of the gateway's messages are stable (``<client id>.<n>``, ``o<outbox id>``)
so the widget drops the copies it already shows.

Only pages on the gateway's own origin and on ``WIDGET_ALLOWED_ORIGINS`` may
connect. Each session may send ``WIDGET_RATE_PER_MINUTE`` messages a minute
(with a small burst); a message longer than ``MAX_MESSAGE_CHARS`` gets a polite
error; a frame larger than the longest possible message closes the socket
(code 1009). Nothing here logs message text or ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import WSMsgType, web
from sqlalchemy import update
from yarl import URL

from bot.conversation import Conversations, User
from bot.delivery import Deliverer
from bot.keys import CATALOGUE, CONVERSATIONS, DELIVERER, OUTBOX, SETTINGS
from bot.rasa_client import BotMessage, RasaUnavailable
from bot.settings import Settings
from common.clock import utcnow
from language.catalogue import Catalogue, text_direction
from language.languages import CORE, FALLBACK, LANGUAGES, WORKING, is_core, normalise_code
from pes.outbox import PENDING, Outbox, OutboxItem, OutboxRow
from pes.privacy import pseudonym

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
HELLO_TIMEOUT = 15.0
BURST = 6  # messages a session may send at once before the rate applies
REMEMBERED_TURNS = 5000  # answered message ids kept to answer a resend
TURN_MEMORY_SECONDS = 600.0
RELEASED_FOR = timedelta(seconds=30)  # how long Outbox.release holds a message back
WIDGET_STRINGS = (
    "title",
    "launcher",
    "close",
    "input_label",
    "placeholder",
    "send",
    "language_label",
    "privacy",
    "privacy_ok",
    "offline",
    "reconnecting",
    "typing",
    "counsellor",
    "you",
    "assistant",
    "queued",
    "failed",
    "log_label",
)


def _frame_limit(max_chars: int) -> int:
    """Bytes of the largest frame a message of ``max_chars`` characters can need as JSON."""
    return max_chars * 6 + 1024


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """A token bucket per user: ``per_minute`` messages a minute, ``burst`` at once."""

    per_minute: int
    burst: int = BURST
    clock: Callable[[], float] = time.monotonic
    buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)

    def take(self, key: str) -> float:
        """0 when a message may go now; otherwise the seconds until it may."""
        now = self.clock()
        rate = self.per_minute / 60.0
        bucket = self.buckets.pop(key, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        self.buckets[key] = bucket
        while len(self.buckets) > 50_000:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate


class _Turn:
    """One answered (or being answered) message: its reply frames, for resends."""

    def __init__(self) -> None:
        self.done: asyncio.Future[list[dict[str, Any]] | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.at = time.monotonic()


class WebChannel:
    """Open widget sockets by pseudonymous user, the turn memory, the outbox sender."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        conversations: Conversations,
        deliverer: Deliverer,
        outbox: Outbox,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.conversations = conversations
        self.deliverer = deliverer
        self.outbox = outbox
        self.limiter = RateLimiter(settings.widget_rate_per_minute)
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.turns: OrderedDict[tuple[str, str], _Turn] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- who may connect ---------------------------------------------------

    def origin_allowed(self, request: web.Request) -> bool:
        """The page's origin is the gateway's own or one of ``WIDGET_ALLOWED_ORIGINS``."""
        raw = request.headers.get("Origin", "").strip().lower().rstrip("/")
        if not raw or raw == "null":
            return False
        if raw in self.settings.widget_allowed_origins:
            return True
        try:
            origin = URL(raw)
            own = URL(f"{origin.scheme}://{request.host.lower()}")
        except ValueError:
            return False
        if origin.scheme not in ("http", "https") or not origin.host:
            return False
        return (own.host, own.port) == (origin.host, origin.port)

    # --- polite words --------------------------------------------------------

    def _texts(self, key: str, lang: str | None) -> list[dict[str, Any]]:
        langs = [lang] if lang and is_core(lang) else [FALLBACK, WORKING]
        texts = [self.catalogue.text(key, code) for code in langs]
        return [{"text": text, "dir": text_direction(text)} for text in texts]

    def error(
        self,
        code: str,
        key: str,
        lang: str | None,
        reply_to: str | None = None,
        retry_after: float | None = None,
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "error",
            "code": code,
            "reply_to": reply_to,
            "messages": self._texts(key, lang),
        }
        if retry_after is not None:
            frame["retry_after"] = round(retry_after, 1)
        return frame

    def strings(self, lang: str | None) -> dict[str, Any]:
        """The widget's UI texts in ``lang`` (English where a language has none)."""
        code = lang if lang in LANGUAGES else FALLBACK
        texts_in = code if is_core(code) else FALLBACK
        return {
            "lang": texts_in,
            "dir": "rtl" if LANGUAGES[code].rtl else "ltr",
            "max_chars": self.settings.max_message_chars,
            "strings": {k: self.catalogue.text(f"widget.{k}", texts_in) for k in WIDGET_STRINGS},
            "languages": [
                {
                    "code": info.code,
                    "name": info.native_name,
                    "dir": "rtl" if info.rtl else "ltr",
                    "core": info.code in CORE,
                }
                for info in LANGUAGES.values()
            ],
        }

    # --- delivery of outbox messages -------------------------------------------

    @staticmethod
    def outbox_frame(item: OutboxItem) -> dict[str, Any]:
        message = item.message
        text = message.get("text")
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in message.get("buttons") or []
            if isinstance(b, dict)
        ]
        return {
            "type": "message",
            "id": f"o{item.id}",
            "kind": item.kind,
            "text": text,
            "buttons": buttons,
            "image": message.get("image"),
            "dir": text_direction(text),
        }

    async def send(self, item: OutboxItem) -> bool:
        """The deliverer's sender for ``web``: True when an open socket of the user took it."""
        return await self._push(item.user_id, self.outbox_frame(item))

    async def _push(self, user_id: str, frame: dict[str, Any]) -> bool:
        reached = False
        for ws in list(self.sockets.get(user_id, ())):
            if ws.closed:
                continue
            try:
                await ws.send_json(frame)
            except (ConnectionError, RuntimeError):
                continue
            reached = True
        return reached

    async def catch_up(self, user_id: str) -> None:
        """On (re)connect: everything that waits for this user, now (or at the worker's next
        round when the database is briefly away)."""
        try:
            await asyncio.to_thread(_due_now, self.outbox, user_id)
            await self.deliverer.deliver_due(user_id=user_id)
        except Exception as exc:
            logger.warning("widget catch-up failed: %s", type(exc).__name__)

    # --- one socket ------------------------------------------------------------------

    async def handle_socket(self, request: web.Request) -> web.StreamResponse:
        if not self.origin_allowed(request):
            logger.info("widget socket refused: origin not allowed")
            return web.json_response(
                {"messages": self._texts("gateway.bad_request", None)}, status=403
            )
        ws = web.WebSocketResponse(
            heartbeat=25.0, max_msg_size=_frame_limit(self.settings.max_message_chars)
        )
        await ws.prepare(request)
        user: User | None = None
        try:
            user = await self._hello(ws)
            if user is None:
                return ws
            self.sockets.setdefault(user.user_id, set()).add(ws)
            await ws.send_json({"type": "ready"})
            await self.catch_up(user.user_id)
            lock = asyncio.Lock()
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await ws.send_json(self.error("bad_request", "gateway.bad_request", None))
                    continue
                frame = _parse(msg.data)
                if frame is None or frame.get("type") != "message":
                    lang = user.language_hint
                    await ws.send_json(self.error("bad_request", "gateway.bad_request", lang))
                    continue
                user = _with_language(user, frame.get("lang"))
                accepted = await self._accept(ws, user, frame)
                if accepted is not None:
                    self._spawn(self._answer(ws, lock, user, accepted))
        except (ConnectionError, RuntimeError):
            pass  # the socket went away mid-write
        finally:
            if user is not None:
                open_sockets = self.sockets.get(user.user_id)
                if open_sockets is not None:
                    open_sockets.discard(ws)
                    if not open_sockets:
                        del self.sockets[user.user_id]
        return ws

    async def _hello(self, ws: web.WebSocketResponse) -> User | None:
        """Wait for a good hello; answer anything else politely. ``None``: the socket closed."""
        deadline = time.monotonic() + HELLO_TIMEOUT
        while True:
            try:
                msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await ws.close(code=1008, message=b"hello expected")
                return None
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return None
            frame = _parse(msg.data) if msg.type == WSMsgType.TEXT else None
            lang = normalise_code(frame.get("lang")) if frame else None
            session = frame.get("session") if frame else None
            if (
                frame is None
                or frame.get("type") != "hello"
                or not isinstance(session, str)
                or not SESSION_ID.match(session)
            ):
                await ws.send_json(self.error("bad_request", "gateway.bad_request", lang))
                continue
            return User(
                channel="web",
                user_id=pseudonym(self.settings.pseudonym_key, "web", session),
                language_hint=lang,
                notice_shown=True,  # the widget shows widget.privacy on first open
            )

    async def _accept(
        self, ws: web.WebSocketResponse, user: User, frame: dict[str, Any]
    ) -> tuple[str, str, _Turn, bool] | None:
        """Check a message frame (answering politely when it is not good). A new turn is
        registered at once, so a resend that arrives while it is answered joins it."""
        lang = user.language_hint
        message_id, text = frame.get("id"), frame.get("text")
        if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
            await ws.send_json(self.error("bad_request", "gateway.bad_request", lang))
            return None
        if not isinstance(text, str):
            await ws.send_json(self.error("bad_request", "gateway.bad_request", lang, message_id))
            return None
        key = (user.user_id, message_id)
        self._forget_old_turns()
        known = self.turns.get(key)
        if known is not None:
            return message_id, text, known, False
        text = _CONTROL.sub("", text).strip()
        if not text:
            await ws.send_json(self.error("empty", "gateway.empty", lang, message_id))
            return None
        if len(text) > self.settings.max_message_chars:
            await ws.send_json(self.error("too_long", "gateway.too_long", lang, message_id))
            return None
        wait = self.limiter.take(user.user_id)
        if wait > 0:
            await ws.send_json(
                self.error("rate_limited", "widget.rate_limited", lang, message_id, wait)
            )
            return None
        turn = _Turn()
        self.turns[key] = turn
        return message_id, text, turn, True

    async def _answer(
        self,
        ws: web.WebSocketResponse,
        lock: asyncio.Lock,
        user: User,
        accepted: tuple[str, str, _Turn, bool],
    ) -> None:
        """One turn, in the order the socket sent them; the socket keeps reading meanwhile."""
        message_id, text, turn, owner = accepted
        try:
            async with lock:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_json({"type": "typing", "reply_to": message_id})
                if owner:
                    await self._run(user, message_id, text, turn)
                replies = await turn.done
                if replies is None:
                    lang = user.language_hint
                    frames = [self.error("unavailable", "gateway.unavailable", lang, message_id)]
                else:
                    frames = [*replies, {"type": "done", "reply_to": message_id}]
                for frame in frames:
                    await ws.send_json(frame)
        except (ConnectionError, RuntimeError):
            pass  # the socket went away; the answer waits in memory for a resend
        except Exception as exc:  # never an unretrieved task exception
            logger.warning("widget turn failed: %s", type(exc).__name__)

    async def _run(self, user: User, message_id: str, text: str, turn: _Turn) -> None:
        """Ask Rasa (through the interceptors); the turn's result is the reply frames, or
        ``None`` when Rasa could not answer (then it is forgotten, so a resend tries again)."""
        frames: list[dict[str, Any]] | None = None
        try:
            replies = await self.conversations.handle(user, text)
            frames = [_reply_frame(m, message_id, n) for n, m in enumerate(replies)]
            if self.conversations.take_erased(user.user_id):
                # "Delete my data" went through: the browser forgets its copy too.
                frames.append({"type": "erased", "reply_to": message_id})
        except RasaUnavailable:
            pass
        except Exception as exc:  # an interceptor's fault: a polite answer all the same
            logger.warning("widget turn failed: %s", type(exc).__name__)
        finally:
            if frames is None:
                self.turns.pop((user.user_id, message_id), None)
            turn.done.set_result(frames)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _forget_old_turns(self) -> None:
        cutoff = time.monotonic() - TURN_MEMORY_SECONDS
        while self.turns:
            key, turn = next(iter(self.turns.items()))
            if len(self.turns) <= REMEMBERED_TURNS and turn.at >= cutoff:
                break
            if not turn.done.done():  # the oldest is still being answered
                break
            del self.turns[key]

    # --- strings over HTTP -------------------------------------------------------------

    async def handle_strings(self, request: web.Request) -> web.Response:
        response = web.json_response(self.strings(normalise_code(request.query.get("lang"))))
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Vary"] = "Origin"
        if self.origin_allowed(request):
            response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
        return response


def _due_now(outbox: Outbox, user_id: str) -> int:
    """Make the user's web messages that missed them a moment ago due now.

    When nobody is connected the web sender says "not reached" and ``Outbox.release``
    holds the message back for ``RELEASED_FOR`` (the worker would otherwise retry it
    every round). The user has just connected, so those are due now; messages planned
    for later (a reminder for tomorrow) keep their time. Kept in the database, so it
    also holds across a restart of the gateway.
    """
    now = utcnow()
    with outbox.db.session() as session:
        result = session.execute(
            update(OutboxRow)
            .where(OutboxRow.user_id == user_id, OutboxRow.channel == "web")
            .where(OutboxRow.state == PENDING, OutboxRow.not_before <= now + RELEASED_FOR)
            .values(not_before=now)
        )
        return int(result.rowcount or 0)


def _parse(data: Any) -> dict[str, Any] | None:
    try:
        frame = json.loads(data)
    except (TypeError, ValueError, RecursionError):  # deeply nested JSON as well
        return None
    return frame if isinstance(frame, dict) else None


def _with_language(user: User, raw: Any) -> User:
    lang = normalise_code(raw)
    if lang is None or lang == user.language_hint:
        return user
    return dataclasses.replace(user, language_hint=lang)


def _reply_frame(message: BotMessage, reply_to: str, n: int) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"{reply_to}.{n}",
        "reply_to": reply_to,
        "kind": "reply",
        "text": message.text,
        "buttons": message.buttons,
        "image": message.image,
        "dir": text_direction(message.text),
    }


WEB: web.AppKey[WebChannel] = web.AppKey("web", WebChannel)


def setup_web(app: web.Application) -> None:
    """The widget's socket and strings, and the ``web`` sender of the delivery worker."""
    channel = WebChannel(
        app[SETTINGS], app[CATALOGUE], app[CONVERSATIONS], app[DELIVERER], app[OUTBOX]
    )
    app[WEB] = channel
    app[DELIVERER].register("web", channel.send)
    app.router.add_get("/api/ws", channel.handle_socket)
    app.router.add_get("/api/widget/strings", channel.handle_strings)

    async def close_sockets(app: web.Application) -> None:
        for sockets in list(channel.sockets.values()):
            for ws in list(sockets):
                with contextlib.suppress(Exception):
                    await ws.close(code=1001, message=b"server shutdown")

    app.on_shutdown.append(close_sockets)  # type: ignore[arg-type]  # aiohttp 3.9 types
