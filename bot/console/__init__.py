"""The counsellor console at ``/console`` and the gateway's side of the handoff to a person.

``setup_console(app)`` (one line in ``bot/app.py``) wires:

- the handoff interceptor (``bot/handoff.py``): while a person has an open case
  their messages go to the case, not to Rasa;
- the case watch: live updates for open consoles, new cases counted and
  announced to the counsellors' Telegram group when ``COUNSELLOR_TELEGRAM_CHAT_ID``
  is set;
- the console's pages: login and language (``login.py``), the queue and the
  cases (``cases.py``, with the phrasebook and the translation previews of
  ``phrasebook.py``), live updates (``events.py``), all on the shared
  :class:`Console` (``base.py``); the slot pages (``appointments.py``) and its static files.

Accounts: ``python -m bot.console add-user NAME --role counsellor|admin``.
"""

from __future__ import annotations

from aiohttp import web

from bot.casewatch import CaseWatch, announcement
from bot.console.appointments import AppointmentPages
from bot.console.auth import Accounts, LoginGuard, Sessions
from bot.console.base import HERE, Console
from bot.console.cases import CasePages
from bot.console.events import EventStream
from bot.console.login import LoginPages
from bot.handoff import Handoff
from bot.keys import (
    CATALOGUE,
    CONTENT,
    CONVERSATIONS,
    DATABASE,
    DELIVERER,
    PHRASEBOOK,
    RASA,
    SETTINGS,
    TELEGRAM,
    TRANSLATOR,
)
from pes.cases import Case, CaseStore
from pes.phrasebook import Phrasebook

HANDOFF: web.AppKey[Handoff] = web.AppKey("handoff", Handoff)
CASE_WATCH: web.AppKey[CaseWatch] = web.AppKey("case_watch", CaseWatch)
CONSOLE: web.AppKey[Console] = web.AppKey("console", Console)


def setup_console(app: web.Application) -> None:
    """The handoff (cases, the interceptor, the case watch) and the console, on the gateway's app."""
    settings = app[SETTINGS]
    store = CaseStore(app[DATABASE])
    chat_id = settings.counsellor_telegram_chat_id

    async def announce(case: Case) -> None:
        if chat_id and TELEGRAM in app:
            await app[TELEGRAM].app.bot.send_message(chat_id, announcement(case))

    watch = CaseWatch(store, announce=announce if chat_id else None)
    # Loading checks every language file: a broken phrasebook stops the gateway at start.
    app[PHRASEBOOK] = Phrasebook.load(content=app[CONTENT], catalogue=app[CATALOGUE])
    handoff = Handoff(
        store,
        app[CATALOGUE],
        app[TRANSLATOR],
        app[DELIVERER],
        watch,
        parser=app[RASA],
        phrasebook=app[PHRASEBOOK],
    )
    app[CASE_WATCH] = watch
    app[HANDOFF] = handoff
    app[CONVERSATIONS].add_interceptor(handoff.intercept)

    console = Console(
        store,
        handoff,
        watch,
        Accounts(app[DATABASE]),
        Sessions(app[DATABASE]),
        LoginGuard(app[DATABASE]),
        secure_cookies=settings.production,
        pseudonym_key=settings.pseudonym_key,
        trusted_proxy_hops=settings.trusted_proxy_hops,
    )
    app[CONSOLE] = console
    router = app.router
    LoginPages(console).add_routes(router)
    CasePages(console).add_routes(router)
    EventStream(console).add_routes(router)
    AppointmentPages(console, app[DATABASE]).add_routes(router)
    router.add_static("/console/static/", HERE / "static")

    async def start(app: web.Application) -> None:
        watch.start()

    async def stop(app: web.Application) -> None:
        await watch.stop()
        await handoff.drain()

    app.on_startup.append(start)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_shutdown.append(stop)  # type: ignore[arg-type]  # aiohttp 3.9 types
