"""The counsellor console's pages at ``/console`` (aiohttp handlers, Jinja2 templates).

Every page but the login needs a session; every form carries the session's
CSRF token (the login form a double-submit token of its own); pages are
rendered with autoescaping, so nothing a person wrote can run in a
counsellor's browser. Live updates come over Server-Sent Events
(``/console/events``): the page then fetches its ``/live`` fragment again.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.console.auth import Accounts, LoginGuard, Session, Sessions
from bot.console.labels import labels
from bot.handoff import CaseWatch, Handoff
from bot.security import client_address
from common.clock import local, utcnow
from language.languages import LANGUAGES, WORKING
from language.translation import TranslationUnavailable
from pes.cases import (
    BOT,
    COUNSELLOR,
    OUTCOMES,
    USER,
    Case,
    CaseError,
    CaseMessage,
    CaseStore,
)
from pes.privacy import pseudonym

HERE = Path(__file__).resolve().parent
COOKIE = "pes_console"
LOGIN_COOKIE = "pes_console_login"
MAX_TEXT = 4000
VIEW_AUDIT_EVERY = timedelta(minutes=10)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _when(moment: datetime | None) -> str:
    return local(moment).strftime("%d. %m. %Y %H:%M") if moment else ""


def _minutes(since: datetime | None) -> int:
    return int((utcnow() - since).total_seconds() // 60) if since else 0


@dataclass(frozen=True)
class Row:
    """One message as the case view shows it."""

    message: CaseMessage
    translation: str | None
    status: str  # "translated", "same", "none", "payload"
    delivery: str | None = None


class Console:
    """The console's handlers; ``setup_console`` wires them into the gateway."""

    def __init__(
        self,
        store: CaseStore,
        handoff: Handoff,
        watch: CaseWatch,
        accounts: Accounts,
        sessions: Sessions,
        guard: LoginGuard,
        *,
        secure_cookies: bool,
        pseudonym_key: str,
        appointments: Any = None,
        trusted_proxy_hops: int = 0,
    ) -> None:
        self.store = store
        self.handoff = handoff
        self.watch = watch
        self.accounts = accounts
        self.sessions = sessions
        self.guard = guard
        self.secure = secure_cookies
        self.key = pseudonym_key
        self.appointments = appointments
        self.proxy_hops = trusted_proxy_hops
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters["when"] = _when
        self.templates.filters["minutes"] = _minutes

    # --- plumbing -----------------------------------------------------------------

    def render(
        self, request: web.Request, name: str, lang: str, status: int = 200, **context: Any
    ) -> web.Response:
        html = self.templates.get_template(name).render(
            t=labels(lang), lang=lang, request_path=request.path, **context
        )
        response = web.Response(text=html, content_type="text/html", status=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def _cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/console",
            httponly=True,
            secure=self.secure,
            samesite="Strict",
        )

    async def session(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        return await asyncio.to_thread(self.sessions.get, token)

    async def need(self, request: web.Request, *, admin: bool = False) -> Session:
        """The session, or a redirect to the login page (403 for a counsellor on admin pages)."""
        session = await self.session(request)
        if session is None:
            raise web.HTTPSeeOther("/console/login")
        if admin and not session.account.admin:
            raise web.HTTPForbidden(
                text=labels(session.account.language)["error_forbidden"],
                headers={"Cache-Control": "no-store"},
            )
        return session

    async def form(self, request: web.Request, session: Session) -> MultiDictProxy[Any]:
        """The posted form, refused unless its CSRF token is this session's."""
        data = await request.post()
        given = str(data.get("csrf", ""))
        if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
            raise web.HTTPForbidden(
                text=labels(session.account.language)["form_expired"],
                headers={"Cache-Control": "no-store"},
            )
        return data

    def _source(self, request: web.Request) -> str:
        address = client_address(request, self.proxy_hops)
        return pseudonym(self.key, "console", address)[:64]

    # --- login ----------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        session = await self.session(request)
        raise web.HTTPSeeOther("/console/queue" if session else "/console/login")

    async def login_page(self, request: web.Request, error: str | None = None) -> web.Response:
        lang = request.query.get("lang", "sl")
        lang = lang if lang in ("sl", "en") else "sl"
        token = secrets.token_urlsafe(24)
        status = {"login_blocked": 429, "login_failed": 401, "form_expired": 403}.get(
            error or "", 200
        )
        response = self.render(request, "login.html", lang, status, csrf=token, error=error)
        self._cookie(response, LOGIN_COOKIE, token, 3600)
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        given, expected = str(data.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")
        if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return await self.login_page(request, "form_expired")
        name = str(data.get("name", "")).strip()[:64]
        password = str(data.get("password", ""))
        source = self._source(request)
        if await asyncio.to_thread(self.guard.blocked, name, source):
            return await self.login_page(request, "login_blocked")
        account = await asyncio.to_thread(self.accounts.authenticate, name, password)
        if account is None:
            await asyncio.to_thread(self.guard.failed, name, source)
            return await self.login_page(request, "login_failed")
        await asyncio.to_thread(self.guard.succeeded, name)
        token, _ = await asyncio.to_thread(self.sessions.create, account)
        await asyncio.to_thread(self.store.audit, None, account.name, "login")
        response = web.HTTPSeeOther("/console/queue")
        self._cookie(response, COOKIE, token, 12 * 3600)
        response.del_cookie(LOGIN_COOKIE, path="/console")
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        await self.form(request, session)
        await asyncio.to_thread(self.sessions.end, request.cookies.get(COOKIE))
        response = web.HTTPSeeOther("/console/login")
        response.del_cookie(COOKIE, path="/console")
        raise response

    async def language(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        data = await self.form(request, session)
        wanted = "en" if session.account.language == "sl" else "sl"
        await asyncio.to_thread(self.accounts.set_language, session.account.id, wanted)
        back = str(data.get("back", "/console/queue"))
        raise web.HTTPSeeOther(back if back.startswith("/console/") else "/console/queue")

    # --- the queue ------------------------------------------------------------------

    async def _queue_context(self) -> dict[str, Any]:
        cases = await asyncio.to_thread(self.store.queue)
        closed = await asyncio.to_thread(self.store.recent_closed, 15)
        return {"cases": cases, "closed": closed}

    async def queue(self, request: web.Request) -> web.Response:
        session = await self.need(request)
        context = await self._queue_context()
        return self.render(
            request, "queue.html", session.account.language, session=session, **context
        )

    async def queue_live(self, request: web.Request) -> web.Response:
        session = await self.need(request)
        context = await self._queue_context()
        return self.render(request, "_queue.html", session.account.language, **context)

    # --- one case -------------------------------------------------------------------

    async def _case(self, request: web.Request) -> Case:
        try:
            case_id = int(request.match_info["case_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if not 0 < case_id < 2**62:  # beyond any id the database can hold
            raise web.HTTPNotFound()
        case = await asyncio.to_thread(self.store.get, case_id)
        if case is None:
            raise web.HTTPNotFound()
        return case

    async def _rows(self, case: Case, viewer: str) -> list[Row]:
        messages = await asyncio.to_thread(self.store.messages, case.id)
        translator = self.handoff.translator
        outbox_ids = [m.outbox_id for m in messages if m.outbox_id is not None]
        states = await asyncio.to_thread(self.store.outbox_states, outbox_ids)

        async def row(message: CaseMessage) -> Row:
            if message.author == COUNSELLOR:
                state = states.get(message.outbox_id or -1)
                delivery = "delivered" if state == "delivered" else "pending"
                return Row(message, message.translation, "counsellor", delivery)
            if message.text.startswith("/"):
                return Row(message, None, "payload")
            source = message.language or case.language
            if source == viewer or message.author not in (USER, BOT):
                return Row(message, None, "same")
            if message.translation and message.translation_language == viewer:
                return Row(message, message.translation, "translated")
            if not translator.enabled or source not in LANGUAGES:
                return Row(message, None, "none")
            try:
                text = await asyncio.to_thread(
                    # The assistant's words may stay in the translator's cache; a person's not.
                    translator.translate,
                    message.text,
                    source,
                    viewer,
                    cache=message.author == BOT,
                )
            except TranslationUnavailable:
                return Row(message, None, "none")
            if viewer == WORKING:
                await asyncio.to_thread(self.store.set_translation, message.id, text, viewer)
            return Row(message, text, "translated")

        return list(await asyncio.gather(*(row(m) for m in messages)))

    async def _case_context(self, case: Case, session: Session) -> dict[str, Any]:
        viewer = session.account.language
        rows = await self._rows(case, viewer)
        mine = case.counsellor in (None, session.account.name)
        return {
            "case": case,
            "rows": rows,
            "session": session,
            "may_act": case.is_open and (mine or session.account.admin),
            "mine": case.counsellor == session.account.name,
            "outcomes": OUTCOMES,
            "translating": self.handoff.translator.enabled,
        }

    async def case(self, request: web.Request) -> web.Response:
        session = await self.need(request)
        case = await self._case(request)
        actor = session.account.name
        if not await asyncio.to_thread(
            self.store.recently_audited, case.id, actor, "viewed", VIEW_AUDIT_EVERY
        ):
            await asyncio.to_thread(self.store.audit, case.id, actor, "viewed")
        context = await self._case_context(case, session)
        notes = await asyncio.to_thread(self.store.notes, case.id)
        log = (
            await asyncio.to_thread(self.store.audit_log, case.id, 100)
            if session.account.admin
            else []
        )
        return self.render(
            request,
            "case.html",
            session.account.language,
            notes=notes,
            log=log,
            error=request.query.get("error"),
            **context,
        )

    async def case_live(self, request: web.Request) -> web.Response:
        session = await self.need(request)
        case = await self._case(request)
        context = await self._case_context(case, session)
        return self.render(request, "_conversation.html", session.account.language, **context)

    def _back(self, case: Case, error: str | None = None) -> web.HTTPSeeOther:
        suffix = f"?error={error}" if error else ""
        return web.HTTPSeeOther(f"/console/cases/{case.id}{suffix}")

    async def claim(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        await self.form(request, session)
        case = await self._case(request)
        try:
            await asyncio.to_thread(
                lambda: self.store.claim(case.id, session.account.name, force=session.account.admin)
            )
        except CaseError as exc:
            raise self._back(case, exc.code) from None
        self.watch.poke()
        raise self._back(case)

    async def release(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        await self.form(request, session)
        case = await self._case(request)
        try:
            await asyncio.to_thread(
                lambda: self.store.release(
                    case.id, session.account.name, force=session.account.admin
                )
            )
        except CaseError as exc:
            raise self._back(case, exc.code) from None
        self.watch.poke()
        raise web.HTTPSeeOther("/console/queue")

    def _text(self, data: Any, case: Case) -> str:
        """A reply's or a note's text: not empty, not longer than MAX_TEXT."""
        text = str(data.get("text", "")).strip()
        if not text:
            raise self._back(case, "empty")
        if len(text) > MAX_TEXT:
            raise self._back(case, "too_long")
        return text

    async def reply(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        data = await self.form(request, session)
        case = await self._case(request)
        text = self._text(data, case)
        written = str(data.get("language", session.account.language))
        language = case.language if written == "user" else written
        if language not in ("sl", "en") and written != "user":
            language = session.account.language
        if not case.is_open:
            raise self._back(case, "closed")
        if case.counsellor not in (None, session.account.name) and not session.account.admin:
            raise self._back(case, "claimed_by_other")
        try:
            await self.handoff.reply(
                case, session.account.name, text, language, force=session.account.admin
            )
        except CaseError as exc:
            raise self._back(case, exc.code) from None
        raise self._back(case)

    async def close(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        data = await self.form(request, session)
        case = await self._case(request)
        outcome = str(data.get("outcome", ""))
        if outcome not in OUTCOMES:
            raise self._back(case, "bad_outcome")
        if not case.is_open:
            raise self._back(case, "closed")
        try:
            await self.handoff.close(
                case, session.account.name, outcome, force=session.account.admin
            )
        except CaseError as exc:
            raise self._back(case, exc.code) from None
        raise web.HTTPSeeOther("/console/queue")

    async def note(self, request: web.Request) -> web.StreamResponse:
        session = await self.need(request)
        data = await self.form(request, session)
        case = await self._case(request)
        text = self._text(data, case)
        await asyncio.to_thread(self.store.add_note, case.id, session.account.name, text)
        raise self._back(case)

    # --- admin ------------------------------------------------------------------------

    async def audit(self, request: web.Request) -> web.Response:
        session = await self.need(request, admin=True)
        log = await asyncio.to_thread(self.store.audit_log, None, 500)
        return self.render(
            request, "audit.html", session.account.language, session=session, log=log
        )

    # --- live updates -------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: ``changed`` and ``new_case``; the page fetches what it shows."""
        session: Session | None = await self.need(request)
        token = request.cookies.get(COOKIE)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue = self.watch.subscribe()
        checked = asyncio.get_running_loop().time()
        try:
            await response.write(b"retry: 3000\n\n")
            while session is not None:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=15.0)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
                    if asyncio.get_running_loop().time() - checked > 60:
                        session = await asyncio.to_thread(self.sessions.get, token)
                        checked = asyncio.get_running_loop().time()
                    continue
                if event == "bye":
                    break
                await response.write(f"event: {event}\ndata: 1\n\n".encode())
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            self.watch.unsubscribe(queue)
        return response
