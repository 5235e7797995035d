"""One widget connection: the origin check, the hello, the receive loop, pushes, catch-up.

``WebChannel`` keeps the open sockets by pseudonymous user, so the delivery
worker's ``web`` sender (``WebChannel.send``) can push a queued message to every
open page of the user; frames are built in ``bot.web.frames``, turns are
remembered and run in ``bot.web.turns``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from aiohttp import WSMsgType, web
from sqlalchemy import update
from yarl import URL

from bot.conversation import Conversations, User
from bot.delivery import Deliverer
from bot.ratelimit import RateLimiter
from bot.web.frames import (
    MESSAGE_ID,
    SESSION_ID,
    error_frame,
    frame_limit,
    outbox_frame,
    parse,
    polite_messages,
    widget_strings,
    without_control,
)
from bot.web.turns import Turn, Turns
from common.clock import utcnow
from language.catalogue import Catalogue
from language.languages import normalise_code
from pes.outbox import PENDING, Outbox, OutboxItem, OutboxRow
from pes.privacy import pseudonym
from pes.settings import GatewaySettings

logger = logging.getLogger(__name__)

HELLO_TIMEOUT = 15.0
BURST = 6  # messages a session may send at once before the rate applies
RATE_SENDERS = 50_000  # sessions whose rate buckets are kept
RELEASED_FOR = timedelta(seconds=30)  # how long Outbox.release holds a message back

Accepted = tuple[str, str, Turn, bool]  # message id, text, its turn, whether to run it


class WebChannel:
    """Open widget sockets by pseudonymous user, the turn memory, the outbox sender."""

    def __init__(
        self,
        settings: GatewaySettings,
        catalogue: Catalogue,
        conversations: Conversations,
        deliverer: Deliverer,
        outbox: Outbox,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.error = functools.partial(error_frame, catalogue)  # (code, key, lang, ...)
        self.conversations = conversations
        self.deliverer = deliverer
        self.outbox = outbox
        self.limiter = RateLimiter(settings.widget_rate_per_minute, BURST, senders=RATE_SENDERS)
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.turns = Turns(conversations)
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

    # --- delivery of outbox messages -------------------------------------------

    async def send(self, item: OutboxItem) -> bool:
        """The deliverer's sender for ``web``: True when an open socket of the user took it."""
        return await self._push(item.user_id, outbox_frame(item))

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
                {"messages": polite_messages(self.catalogue, "gateway.bad_request", None)},
                status=403,
            )
        ws = web.WebSocketResponse(
            heartbeat=25.0, max_msg_size=frame_limit(self.settings.max_message_chars)
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
                frame = parse(msg.data)
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
            frame = parse(msg.data) if msg.type == WSMsgType.TEXT else None
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
    ) -> Accepted | None:
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
        known = self.turns.known(user.user_id, message_id)
        if known is not None:
            return message_id, text, known, False
        text = without_control(text)
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
        return message_id, text, self.turns.begin(user.user_id, message_id), True

    async def _answer(
        self, ws: web.WebSocketResponse, lock: asyncio.Lock, user: User, accepted: Accepted
    ) -> None:
        """One turn, in the order the socket sent them; the socket keeps reading meanwhile."""
        message_id, text, turn, owner = accepted
        try:
            async with lock:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_json({"type": "typing", "reply_to": message_id})
                if owner:
                    await self.turns.run(user, message_id, text, turn)
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

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- strings over HTTP -------------------------------------------------------------

    async def handle_strings(self, request: web.Request) -> web.Response:
        lang = normalise_code(request.query.get("lang"))
        strings = widget_strings(self.catalogue, self.settings.max_message_chars, lang)
        response = web.json_response(strings)
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


def _with_language(user: User, raw: Any) -> User:
    lang = normalise_code(raw)
    if lang is None or lang == user.language_hint:
        return user
    return dataclasses.replace(user, language_hint=lang)
