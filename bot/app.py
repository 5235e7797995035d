"""The gateway's web application: demo page, web chat API, health."""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from bot import metrics
from bot.appointments import setup_appointments
from bot.console import setup_console
from bot.conversation import Conversations, User
from bot.delivery import Deliverer
from bot.keys import (
    CATALOGUE,
    CONTENT,
    CONVERSATIONS,
    DATABASE,
    DELIVERER,
    HTTP,
    OUTBOX,
    RASA,
    SETTINGS,
    TELEGRAM,
    TRANSLATOR,
)
from bot.polite import polite_texts
from bot.privacy import setup_privacy
from bot.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.security import clean_text, setup_security
from bot.telegram import TelegramChannel, TelegramSettings
from bot.web import setup_web
from language import translation
from language.catalogue import Catalogue, text_direction
from language.languages import normalise_code
from language.translation import Translator
from language.translation.coverage import log_coverage
from pes.content import Content
from pes.content import default as content_default
from pes.db import Database
from pes.outbox import Contacts, Outbox
from pes.privacy import pseudonym
from pes.settings import GatewaySettings

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def message_json(message: BotMessage) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": message.buttons,
        "image": message.image,
        "dir": text_direction(message.text),
        "lang": normalise_code(message.language),  # the language the reply is written in
    }


def polite(request: web.Request, key: str, lang: str | None, status: int) -> web.Response:
    """An error the user can read: in their language, or English and Slovenian."""
    texts = polite_texts(request.app[CATALOGUE], key, lang)
    body = {"messages": [{"text": t, "buttons": [], "dir": text_direction(t)} for t in texts]}
    return web.json_response(body, status=status)


async def index(request: web.Request) -> web.StreamResponse:
    """The PES demo page with the chat box."""
    return web.FileResponse(STATIC / "index.html")


async def chat(request: web.Request) -> web.Response:
    """One user message from the web chat to Rasa and back."""
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return polite(request, "gateway.too_long", None, 413)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        body = None
    if not isinstance(body, dict):
        return polite(request, "gateway.bad_request", None, 400)
    lang = normalise_code(body.get("lang"))
    session, text = body.get("session"), body.get("message")
    if not isinstance(session, str) or not SESSION_ID.match(session) or not isinstance(text, str):
        return polite(request, "gateway.bad_request", lang, 400)
    settings = request.app[SETTINGS]
    if len(text) > settings.max_message_chars:  # as sent, before cleaning
        return polite(request, "gateway.too_long", lang, 413)
    text = clean_text(text)
    if not text:
        return polite(request, "gateway.empty", lang, 400)
    user = User(
        channel="web",
        user_id=pseudonym(settings.pseudonym_key, "web", session),
        language_hint=lang,
    )
    try:
        replies = await request.app[CONVERSATIONS].handle(user, text)
    except RasaUnavailable:
        return polite(request, "gateway.unavailable", lang, 503)
    return web.json_response({"messages": [message_json(m) for m in replies]})


async def healthz(request: web.Request) -> web.Response:
    """Health of the gateway, the Rasa server and the action server."""
    http = request.app[HTTP]

    async def action_server() -> bool:
        try:
            response = await http.get(request.app[SETTINGS].action_health_url, timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    replicas, actions_ok = await asyncio.gather(request.app[RASA].replica_health(), action_server())
    rasa_ok = any(replicas.values())
    components = {
        "gateway": "ok",
        "rasa": "ok" if rasa_ok else "down",
        "action_server": "ok" if actions_ok else "down",
    }
    healthy = rasa_ok and actions_ok
    return web.json_response(
        {
            "status": "ok" if healthy else "degraded",
            "components": components,
            "rasa_replicas": {"up": sum(replicas.values()), "total": len(replicas)},
        },
        status=200 if healthy else 503,
    )


async def livez(request: web.Request) -> web.Response:
    """Liveness: the gateway's event loop answers (restart the process if not)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: at least one Rasa replica answers, so user messages can be served."""
    ready = await request.app[RASA].healthy()
    return web.json_response(
        {"status": "ready" if ready else "not ready"}, status=200 if ready else 503
    )


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:  # redirects, 404, 413 ... get them too
        _secure(exc.headers)
        raise
    _secure(response.headers)
    return response


def _secure(headers: Any) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'",
    )


@web.middleware
async def error_handler(request: web.Request, handler: Any) -> web.StreamResponse:
    """The one place unexpected errors end: logged without content, answered politely."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception as exc:
        # The type and the code path, never the exception's text (it may quote a message).
        frames = "".join(traceback.format_tb(exc.__traceback__))
        logger.error(
            "unhandled error on %s %s: %s\n%s",
            request.method,
            request.path,
            type(exc).__name__,
            frames,
        )
        return polite(request, "gateway.unavailable", None, 500)


async def _stop_workers(app: web.Application) -> None:
    """Background loops stop when shutdown begins: aiohttp's ``run_app`` then waits for
    every task still pending (up to its 60 s) before the cleanup hooks run, and a loop
    still running would keep the gateway from exiting until it is killed."""
    await app[DELIVERER].stop()


async def _close_clients(app: web.Application) -> None:
    if TELEGRAM in app:
        await app[TELEGRAM].stop()
    await app[RASA].close()
    await app[HTTP].aclose()
    app[DATABASE].dispose()


async def _log_translation_coverage(app: web.Application) -> None:
    """Say once which languages the translation provider covers (it may ask the provider)."""
    await asyncio.to_thread(log_coverage, app[TRANSLATOR])


async def _start_workers(app: web.Application) -> None:
    await asyncio.to_thread(app[DATABASE].upgrade)
    if TELEGRAM in app:
        await app[TELEGRAM].start()
    app[DELIVERER].start()


def create_app(
    settings: GatewaySettings,
    *,
    rasa: RasaClient | None = None,
    http: httpx.AsyncClient | None = None,
    catalogue: Catalogue | None = None,
    database: Database | None = None,
    content: Content | None = None,
    translator: Translator | None = None,
) -> web.Application:
    """The gateway application; tests pass their own clients."""
    app = web.Application(
        middlewares=[metrics.middleware, error_handler, security_headers],
        client_max_size=64 * 1024,
    )
    app[SETTINGS] = settings
    app[RASA] = rasa or RasaClient(
        settings.rasa_urls or (settings.rasa_url,), timeout=settings.rasa_timeout
    )
    app[HTTP] = http or httpx.AsyncClient()
    app[CATALOGUE] = catalogue or Catalogue.load()
    app[CONTENT] = content or content_default()
    app[TRANSLATOR] = translator or translation.default()
    app[TRANSLATOR].on_failure = metrics.record_translation_failure  # counted on /metrics
    app[DATABASE] = database or Database(settings.database_url)
    app[OUTBOX] = Outbox(app[DATABASE])
    app[CONVERSATIONS] = Conversations(app[RASA], Contacts(app[DATABASE]))
    app[DELIVERER] = Deliverer(app[OUTBOX])

    app.on_startup.append(_start_workers)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_startup.append(_log_translation_coverage)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_shutdown.append(_stop_workers)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_cleanup.append(_close_clients)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.router.add_get("/", index)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get(
        "/metrics",
        metrics.handler(
            settings.metrics_token, enabled=bool(settings.metrics_token or not settings.production)
        ),
    )
    app.router.add_static("/static/", STATIC)
    setup_web(app)
    setup_security(app)
    setup_privacy(app)
    setup_appointments(app)
    if settings.telegram_token:
        channel = TelegramChannel(
            TelegramSettings(
                token=settings.telegram_token,
                api_url=settings.telegram_api_url,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=settings.telegram_webhook_secret,
            ),
            app[CONVERSATIONS],
            app[CATALOGUE],
            settings.pseudonym_key,
        )
        app[TELEGRAM] = channel
        app[DELIVERER].register("telegram", channel.deliver)
        app.router.add_post("/telegram/webhook", channel.webhook)
    setup_console(app)
    return app
