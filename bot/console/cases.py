"""The console's case pages: the queue, one case, claim / release / reply / close,
notes, and the audit log (admins only).

A case page shows each message in the counsellor's language when it can: the
stored translation, or one asked for now (``Handoff.translation_for``). So a
GET of a case page may still write (a new translation into the working language
is kept in the case); translating when a message arrives instead would change
what is stored and when, so that is left as it was.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.console.auth import Session
from bot.console.base import Pages, Visit, signed_in
from bot.console.gist import GistView, present
from bot.console.labels import labels
from pes.cases import BOT, COUNSELLOR, OUTCOMES, USER, Case, CaseError, CaseMessage

MAX_TEXT = 4000
VIEW_AUDIT_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class Row:
    """One message as the case view shows it."""

    message: CaseMessage
    translation: str | None
    status: str  # "translated", "same", "none", "payload"
    delivery: str | None = None
    gist: GistView | None = None  # the automatic summary of a person's message


def _back(case: Case, error: str | None = None) -> web.HTTPSeeOther:
    suffix = f"?error={error}" if error else ""
    return web.HTTPSeeOther(f"/console/cases/{case.id}{suffix}")


def _text(data: Any, case: Case) -> str:
    """A reply's or a note's text: not empty, not longer than MAX_TEXT."""
    text = str(data.get("text", "")).strip()
    if not text:
        raise _back(case, "empty")
    if len(text) > MAX_TEXT:
        raise _back(case, "too_long")
    return text


class CasePages(Pages):
    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/console/queue", self.queue)
        router.add_get("/console/queue/live", self.queue_live)
        router.add_get("/console/cases/{case_id}", self.case)
        router.add_get("/console/cases/{case_id}/live", self.case_live)
        router.add_post("/console/cases/{case_id}/claim", self.claim)
        router.add_post("/console/cases/{case_id}/release", self.release)
        router.add_post("/console/cases/{case_id}/reply", self.reply)
        router.add_post("/console/cases/{case_id}/close", self.close)
        router.add_post("/console/cases/{case_id}/notes", self.note)
        router.add_get("/console/audit", self.audit)

    # --- the queue ------------------------------------------------------------------

    async def _queue_context(self) -> dict[str, Any]:
        store = self.console.store
        cases = await asyncio.to_thread(store.queue)
        closed = await asyncio.to_thread(store.recent_closed, 15)
        return {"cases": cases, "closed": closed}

    @signed_in()
    async def queue(self, request: web.Request, visit: Visit) -> web.Response:
        session = visit.session
        context = await self._queue_context()
        return self.console.render(
            request, "queue.html", session.account.language, session=session, **context
        )

    @signed_in()
    async def queue_live(self, request: web.Request, visit: Visit) -> web.Response:
        context = await self._queue_context()
        return self.console.render(
            request, "_queue.html", visit.session.account.language, **context
        )

    # --- one case -------------------------------------------------------------------

    async def _case(self, request: web.Request) -> Case:
        try:
            case_id = int(request.match_info["case_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if not 0 < case_id < 2**62:  # beyond any id the database can hold
            raise web.HTTPNotFound()
        case = await asyncio.to_thread(self.console.store.get, case_id)
        if case is None:
            raise web.HTTPNotFound()
        return case

    async def _rows(self, case: Case, viewer: str) -> list[Row]:
        store, handoff = self.console.store, self.console.handoff
        messages = await asyncio.to_thread(store.messages, case.id)
        outbox_ids = [m.outbox_id for m in messages if m.outbox_id is not None]
        states = await asyncio.to_thread(store.outbox_states, outbox_ids)

        async def row(message: CaseMessage) -> Row:
            plain = await translated(message)
            gist = await handoff.gist_for(message, case) if message.author == USER else None
            if gist is None:
                return plain
            words = labels(viewer)
            return replace(plain, gist=present(gist, words, viewer, handoff.catalogue))

        async def translated(message: CaseMessage) -> Row:
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
            text = await handoff.translation_for(message, source, viewer)
            if text is None:
                return Row(message, None, "none")
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
            "translating": self.console.handoff.translator.enabled,
        }

    @signed_in()
    async def case(self, request: web.Request, visit: Visit) -> web.Response:
        session, store = visit.session, self.console.store
        case = await self._case(request)
        actor = session.account.name
        if not await asyncio.to_thread(
            store.recently_audited, case.id, actor, "viewed", VIEW_AUDIT_EVERY
        ):
            await asyncio.to_thread(store.audit, case.id, actor, "viewed")
        context = await self._case_context(case, session)
        notes = await asyncio.to_thread(store.notes, case.id)
        log = (
            await asyncio.to_thread(store.audit_log, case.id, 100) if session.account.admin else []
        )
        return self.console.render(
            request,
            "case.html",
            session.account.language,
            notes=notes,
            log=log,
            error=request.query.get("error"),
            **context,
        )

    @signed_in()
    async def case_live(self, request: web.Request, visit: Visit) -> web.Response:
        case = await self._case(request)
        context = await self._case_context(case, visit.session)
        return self.console.render(
            request, "_conversation.html", visit.session.account.language, **context
        )

    # --- what counsellors do with a case ----------------------------------------------

    @signed_in()
    async def claim(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account = visit.session.account
        case = await self._case(request)
        try:
            await asyncio.to_thread(
                lambda: self.console.store.claim(case.id, account.name, force=account.admin)
            )
        except CaseError as exc:
            raise _back(case, exc.code) from None
        self.console.watch.poke()
        raise _back(case)

    @signed_in()
    async def release(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account = visit.session.account
        case = await self._case(request)
        try:
            await asyncio.to_thread(
                lambda: self.console.store.release(case.id, account.name, force=account.admin)
            )
        except CaseError as exc:
            raise _back(case, exc.code) from None
        self.console.watch.poke()
        raise web.HTTPSeeOther("/console/queue")

    @signed_in()
    async def reply(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account, data = visit.session.account, visit.form
        case = await self._case(request)
        text = _text(data, case)
        written = str(data.get("language", account.language))
        language = case.language if written == "user" else written
        if language not in ("sl", "en") and written != "user":
            language = account.language
        if not case.is_open:
            raise _back(case, "closed")
        if case.counsellor not in (None, account.name) and not account.admin:
            raise _back(case, "claimed_by_other")
        try:
            await self.console.handoff.reply(
                case, account.name, text, language, force=account.admin
            )
        except CaseError as exc:
            raise _back(case, exc.code) from None
        raise _back(case)

    @signed_in()
    async def close(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account = visit.session.account
        case = await self._case(request)
        outcome = str(visit.form.get("outcome", ""))
        if outcome not in OUTCOMES:
            raise _back(case, "bad_outcome")
        if not case.is_open:
            raise _back(case, "closed")
        try:
            await self.console.handoff.close(case, account.name, outcome, force=account.admin)
        except CaseError as exc:
            raise _back(case, exc.code) from None
        raise web.HTTPSeeOther("/console/queue")

    @signed_in()
    async def note(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        case = await self._case(request)
        text = _text(visit.form, case)
        await asyncio.to_thread(
            self.console.store.add_note, case.id, visit.session.account.name, text
        )
        raise _back(case)

    # --- admin ------------------------------------------------------------------------

    @signed_in(admin=True)
    async def audit(self, request: web.Request, visit: Visit) -> web.Response:
        session = visit.session
        log = await asyncio.to_thread(self.console.store.audit_log, None, 500)
        return self.console.render(
            request, "audit.html", session.account.language, session=session, log=log
        )
