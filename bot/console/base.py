"""What the console's pages share: the :class:`Console` (stores, sessions, templates)
and :func:`signed_in`, the one check in front of every page that needs a session.

Every page but the login needs a session; every form carries the session's
CSRF token (the login form a double-submit token of its own); pages are
rendered with autoescaping, so nothing a person wrote can run in a
counsellor's browser. The pages themselves are in ``login.py``, ``cases.py``
and ``events.py`` (and the slot pages in ``slots.py``).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from bot.casewatch import CaseWatch
from bot.console.auth import Accounts, LoginGuard, Session, Sessions
from bot.console.labels import labels
from bot.handoff import Handoff
from bot.security import client_address
from common.clock import local, utcnow
from pes.cases import CaseStore
from pes.privacy import pseudonym

HERE = Path(__file__).resolve().parent
COOKIE = "pes_console"
LOGIN_COOKIE = "pes_console_login"


def _when(moment: datetime | None) -> str:
    return local(moment).strftime("%d. %m. %Y %H:%M") if moment else ""


def _minutes(since: datetime | None) -> int:
    return int((utcnow() - since).total_seconds() // 60) if since else 0


class Console:
    """The console's state and plumbing; ``setup_console`` wires its pages into the gateway."""

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

    def render(
        self, request: web.Request, name: str, lang: str, status: int = 200, **context: Any
    ) -> web.Response:
        html = self.templates.get_template(name).render(
            t=labels(lang, self.handoff.catalogue), lang=lang, request_path=request.path, **context
        )
        response = web.Response(text=html, content_type="text/html", status=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
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
                text=labels(session.account.language, self.handoff.catalogue)["error_forbidden"],
                headers={"Cache-Control": "no-store"},
            )
        return session

    async def form(self, request: web.Request, session: Session) -> MultiDictProxy[Any]:
        """The posted form, refused unless its CSRF token is this session's."""
        data = await request.post()
        given = str(data.get("csrf", ""))
        if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
            raise web.HTTPForbidden(
                text=labels(session.account.language, self.handoff.catalogue)["form_expired"],
                headers={"Cache-Control": "no-store"},
            )
        return data

    def source(self, request: web.Request) -> str:
        """Where a login comes from, as a keyed hash of the address (for the login guard)."""
        address = client_address(request, self.proxy_hops)
        return pseudonym(self.key, "console", address)[:64]


class Pages:
    """A group of the console's pages, on the one :class:`Console`."""

    def __init__(self, console: Console) -> None:
        self.console = console


NO_FORM: MultiDictProxy[Any] = MultiDictProxy(MultiDict())


@dataclass(frozen=True)
class Visit:
    """Who asks for a page (their session) and, for a POST, the form they sent."""

    session: Session
    form: MultiDictProxy[Any]


P = TypeVar("P", bound=Pages)
R = TypeVar("R", bound=web.StreamResponse)
SignedHandler = Callable[[P, web.Request, Visit], Awaitable[R]]


def signed_in(
    *, admin: bool = False
) -> Callable[[SignedHandler[P, R]], Callable[[P, web.Request], Awaitable[R]]]:
    """A page for signed-in staff (only admins with ``admin``): without a session the
    browser goes to the login page; a POST must carry the session's CSRF token
    (403 otherwise). The handler gets the session and the form as a :class:`Visit`."""

    def decorate(handler: SignedHandler[P, R]) -> Callable[[P, web.Request], Awaitable[R]]:
        @functools.wraps(handler)
        async def checked(pages: P, request: web.Request) -> R:
            session = await pages.console.need(request, admin=admin)
            form = NO_FORM
            if request.method == "POST":
                form = await pages.console.form(request, session)
            return await handler(pages, request, Visit(session, form))

        return checked

    return decorate
