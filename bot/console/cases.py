"""The console's case pages: the queue, one case, claim / release / reply / close,
notes, and the audit log (admins only).

A case page shows each message in the counsellor's language when it can: the
stored translation, or one asked for now (``Handoff.translation_for``). So a
GET of a case page may still write (a new translation into the working language
is kept in the case); translating when a message arrives instead would change
what is stored and when, so that is left as it was.

The phrasebook's routes are here too (the panel itself is ``phrasebook.py``):
``GET /console/phrasebook?q=`` (live search, JSON), ``POST .../phrase/preview``
and ``POST .../phrase`` (preview and send a phrase), ``POST .../preview`` (a
free-text reply's translation and back-translation). A preview answers JSON to
``phrasebook.js`` (``Accept: application/json``) and the whole case page to a
browser without JavaScript.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.console import phrasebook
from bot.console.auth import Account, Session
from bot.console.base import Pages, Visit, signed_in
from bot.console.gist import GistView, present
from bot.console.labels import labels
from language.languages import CORE, is_rtl
from pes.cases import BOT, COUNSELLOR, OUTCOMES, USER, Case, CaseError, CaseMessage
from pes.phrasebook import RenderError

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


def _language(data: Any, case: Case, account: Account) -> str:
    """The language a reply is written in: Slovenian, English or the person's own."""
    written = str(data.get("language", account.language))
    if written == "user":
        return case.language
    return written if written in ("sl", "en") else account.language


def _answerable(case: Case, account: Account) -> None:
    """Only an open case, and only by its counsellor (or anyone while nobody has it,
    or an admin) — the check in front of every way of answering."""
    if not case.is_open:
        raise _back(case, "closed")
    if case.counsellor not in (None, account.name) and not account.admin:
        raise _back(case, "claimed_by_other")


def _wants_json(request: web.Request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _json(body: dict[str, Any]) -> web.Response:
    return web.json_response(body, headers={"Cache-Control": "no-store"})


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
        router.add_get("/console/phrasebook", self.phrase_search)
        router.add_post("/console/cases/{case_id}/phrase/preview", self.phrase_preview)
        router.add_post("/console/cases/{case_id}/phrase", self.phrase)
        router.add_post("/console/cases/{case_id}/preview", self.preview)
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
            gist = await handoff.gists.gist_for(message, case) if message.author == USER else None
            if gist is None:
                return plain
            words = labels(viewer, handoff.catalogue)
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
            "core": CORE,
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
        query = request.query
        panel = await phrasebook.panel(
            self.console.handoff,
            case,
            session.account.language,
            query.get("q", ""),
            query.get("phrase", ""),
        )
        return await self._page(request, case, session, panel, error=query.get("error"))

    async def _page(
        self,
        request: web.Request,
        case: Case,
        session: Session,
        panel: phrasebook.Panel,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> web.Response:
        """The whole case page, with the phrasebook panel as given."""
        store = self.console.store
        context = await self._case_context(case, session)
        notes = await asyncio.to_thread(store.notes, case.id)
        log = (
            await asyncio.to_thread(store.audit_log, case.id, 100) if session.account.admin else []
        )
        return self.console.render(
            request,
            "case.html",
            session.account.language,
            status,
            notes=notes,
            log=log,
            error=error,
            pb=panel,
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
        language = _language(data, case, account)
        _answerable(case, account)
        try:
            await self.console.handoff.reply(
                case, account.name, text, language, force=account.admin
            )
        except CaseError as exc:
            raise _back(case, exc.code) from None
        raise _back(case)

    # --- the phrasebook and the previews -------------------------------------------------

    @signed_in()
    async def phrase_search(self, request: web.Request, visit: Visit) -> web.Response:
        book = self.console.handoff.phrasebook
        hits = phrasebook.search(book, request.query.get("q", ""), visit.session.account.language)
        return _json({"hits": hits})

    def _phrase_id(self, visit: Visit) -> str:
        phrase_id = str(visit.form.get("phrase", ""))
        if phrase_id not in self.console.handoff.phrasebook.phrases:
            raise web.HTTPBadRequest(text="unknown phrase", headers={"Cache-Control": "no-store"})
        return phrase_id

    async def _phrase_page(
        self, request: web.Request, visit: Visit, case: Case, phrase_id: str, status: int = 200
    ) -> web.Response:
        """The case page with the phrase's form filled as posted and its preview (or
        the values to fix)."""
        form, handoff = visit.form, self.console.handoff
        panel = await phrasebook.panel(
            handoff,
            case,
            visit.session.account.language,
            str(form.get("q", "")),
            phrase_id,
            phrasebook.values_of(form, handoff.phrasebook, phrase_id),
            show_preview=True,
        )
        return await self._page(request, case, visit.session, panel, status=status)

    @signed_in()
    async def phrase_preview(self, request: web.Request, visit: Visit) -> web.Response:
        case = await self._case(request)
        phrase_id = self._phrase_id(visit)
        if not _wants_json(request):
            return await self._phrase_page(request, visit, case, phrase_id)
        handoff, lang = self.console.handoff, visit.session.account.language
        values = phrasebook.values_of(visit.form, handoff.phrasebook, phrase_id)
        result = await phrasebook.preview(handoff, case, phrase_id, values, lang)
        if isinstance(result, phrasebook.Preview):
            return _json(result.as_json())
        t, needs = labels(lang, handoff.catalogue), handoff.phrasebook.needs(phrase_id)
        errors = {name: t.get(f"phrase_bad_{needs.get(name)}", t["phrase_bad"]) for name in result}
        return _json({"ok": False, "errors": errors})

    @signed_in()
    async def phrase(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        account, handoff = visit.session.account, self.console.handoff
        case = await self._case(request)
        phrase_id = self._phrase_id(visit)
        _answerable(case, account)
        values = phrasebook.values_of(visit.form, handoff.phrasebook, phrase_id)
        try:
            await handoff.reply_phrase(
                case, account.name, phrase_id, values, account.language, force=account.admin
            )
        except RenderError:  # a value to fix: the form again, with the field marked
            return await self._phrase_page(request, visit, case, phrase_id, status=422)
        except CaseError as exc:
            raise _back(case, exc.code) from None
        raise _back(case)

    @signed_in()
    async def preview(self, request: web.Request, visit: Visit) -> web.Response:
        account = visit.session.account
        case = await self._case(request)
        text = _text(visit.form, case)
        language = _language(visit.form, case, account)
        back = await self.console.handoff.back_translate(case, text, language)
        if _wants_json(request):
            t = labels(account.language, self.console.handoff.catalogue)
            return _json(
                {
                    "translation": back.translation,
                    "back": back.back,
                    "problem": t[f"preview_{back.problem}"] if back.problem else None,
                    "lang": case.language,
                    "dir": "rtl" if is_rtl(case.language) else "ltr",
                }
            )
        panel = phrasebook.Panel(back=back, draft=text)
        return await self._page(request, case, visit.session, panel)

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
