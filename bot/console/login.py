"""The console's login page, logging in and out, and the console's language.

The login form carries a double-submit CSRF token of its own (a cookie and a
form field); five failed logins in ten minutes, for one account or from one
address, are refused for a while (``auth.LoginGuard``).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets

from aiohttp import web

from bot.console.base import COOKIE, LOGIN_COOKIE, Pages, Visit, signed_in


class LoginPages(Pages):
    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/console", self.index)
        router.add_get("/console/", self.index)
        router.add_get("/console/login", self.login_page)
        router.add_post("/console/login", self.login)
        router.add_post("/console/logout", self.logout)
        router.add_post("/console/language", self.language)

    async def index(self, request: web.Request) -> web.StreamResponse:
        session = await self.console.session(request)
        raise web.HTTPSeeOther("/console/queue" if session else "/console/login")

    async def login_page(self, request: web.Request, error: str | None = None) -> web.Response:
        lang = request.query.get("lang", "sl")
        lang = lang if lang in ("sl", "en") else "sl"
        token = secrets.token_urlsafe(24)
        status = {"login_blocked": 429, "login_failed": 401, "form_expired": 403}.get(
            error or "", 200
        )
        response = self.console.render(request, "login.html", lang, status, csrf=token, error=error)
        self.console.cookie(response, LOGIN_COOKIE, token, 3600)
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        console = self.console
        data = await request.post()
        given, expected = str(data.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")
        if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return await self.login_page(request, "form_expired")
        name = str(data.get("name", "")).strip()[:64]
        password = str(data.get("password", ""))
        source = console.source(request)
        if await asyncio.to_thread(console.guard.blocked, name, source):
            return await self.login_page(request, "login_blocked")
        account = await asyncio.to_thread(console.accounts.authenticate, name, password)
        if account is None:
            await asyncio.to_thread(console.guard.failed, name, source)
            return await self.login_page(request, "login_failed")
        await asyncio.to_thread(console.guard.succeeded, name)
        token, _ = await asyncio.to_thread(console.sessions.create, account)
        await asyncio.to_thread(console.store.audit, None, account.name, "login")
        response = web.HTTPSeeOther("/console/queue")
        console.cookie(response, COOKIE, token, 12 * 3600)
        response.del_cookie(LOGIN_COOKIE, path="/console")
        raise response

    @signed_in()
    async def logout(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        await asyncio.to_thread(self.console.sessions.end, request.cookies.get(COOKIE))
        response = web.HTTPSeeOther("/console/login")
        response.del_cookie(COOKIE, path="/console")
        raise response

    @signed_in()
    async def language(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account = visit.session.account
        wanted = "en" if account.language == "sl" else "sl"
        await asyncio.to_thread(self.console.accounts.set_language, account.id, wanted)
        back = str(visit.form.get("back", "/console/queue"))
        raise web.HTTPSeeOther(back if back.startswith("/console/") else "/console/queue")
