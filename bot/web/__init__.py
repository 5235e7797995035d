"""The chat widget's live connection: a WebSocket at ``GET /api/ws``, and its UI strings.

The widget (``bot/static/widget.js``) opens one socket per page. Frames are JSON
text messages (see docs/widget.md):

client → gateway
    ``{"type": "hello", "session": "<8-64 [A-Za-z0-9_-]>", "lang": "fa"}`` first;
    ``{"type": "message", "id": "<1-40 [A-Za-z0-9_-]>", "text": "...", "lang": "fa"}``.
gateway → client
    ``{"type": "ready"}`` after a good hello;
    ``{"type": "typing", "reply_to": id}`` when a message is taken (it is an ack);
    ``{"type": "message", "id", "reply_to"?, "kind", "text", "buttons", "image", "dir",
    "lang"}`` (``lang``: the language the reply is written in, or ``null``);
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

The channel is split in three: ``socket`` (the connection: origin check, hello,
receive loop, pushes, catch-up), ``frames`` (frames read and written, the
widget's UI strings) and ``turns`` (the turn memory that answers a resend).
"""

from __future__ import annotations

import contextlib

from aiohttp import web

from bot.keys import CATALOGUE, CONVERSATIONS, DELIVERER, OUTBOX, SETTINGS
from bot.web.socket import WebChannel

__all__ = ["WEB", "WebChannel", "setup_web"]

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
