"""Console pages for appointment slots: list the upcoming ones, publish a series, delete one.

Office staff publish the times people can book in the chat on
``pes/appointments/``'s ``AppointmentStore``. Times are on the Ljubljana clock.
Publishing and deleting are written to the audit log.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web
from yarl import URL

from bot.console.base import Console, Pages, Visit, signed_in
from common.clock import local, utcnow
from pes import appointments
from pes.db import Database

MAX_DAYS = 60
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def offices() -> list[str]:
    from pes import content  # the office list PES staff edit

    return list(content.default().offices)


def series(first: date, days: int, times: list[time]) -> list[datetime]:
    """Start times on ``days`` working days (Monday to Friday) from ``first``."""
    starts: list[datetime] = []
    day = first
    while len({s.date() for s in starts}) < days and (day - first).days < 3 * MAX_DAYS:
        if day.weekday() < 5:
            for moment in times:
                starts.append(appointments.parse_local(f"{day:%Y-%m-%d} {moment:%H:%M}"))
        day += timedelta(days=1)
    return starts


def parse_times(raw: str) -> list[time]:
    found = []
    for part in (p.strip() for p in re.split(r"[,;\s]+", raw) if p.strip()):
        match = _TIME.match(part)
        if not match:
            raise ValueError(f"'{part}' is not a time like 09:30")
        found.append(time(int(match.group(1)), int(match.group(2))))
    if not found:
        raise ValueError("no times given")
    return sorted(set(found))


class AppointmentPages(Pages):
    def __init__(self, console: Console, database: Database) -> None:
        super().__init__(console)
        self.store = appointments.AppointmentStore(database)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/console/slots", self.page)
        router.add_post("/console/slots", self.publish)
        router.add_post("/console/slots/{slot_id}/delete", self.delete)

    @signed_in()
    async def page(self, request: web.Request, visit: Visit) -> web.Response:
        session = visit.session
        now = utcnow()
        slots = await asyncio.to_thread(
            self.store.list_slots, None, now, now + timedelta(days=MAX_DAYS)
        )
        rows: list[dict[str, Any]] = [{"slot": s, "starts": local(s.starts_at)} for s in slots]
        return self.console.render(
            request,
            "slots.html",
            session.account.language,
            session=session,
            rows=rows,
            offices=offices(),
            message=request.query.get("message", "")[:300],
            error=request.query.get("problem", "")[:300],
            today=local(now).date().isoformat(),
        )

    def _back(self, **query: str) -> web.HTTPSeeOther:
        location = URL("/console/slots").with_query(query)
        return web.HTTPSeeOther(str(location))

    @signed_in()
    async def publish(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        session, data = visit.session, visit.form
        try:
            office = str(data.get("office", ""))
            if office not in offices():
                raise ValueError(f"unknown office '{office}'")
            days = int(str(data.get("days", "1")))
            minutes = int(str(data.get("minutes", "30")))
            if not 1 <= days <= MAX_DAYS:
                raise ValueError(f"the number of days must be from 1 to {MAX_DAYS}")
            first = date.fromisoformat(str(data.get("first_day", "")))
            starts = series(first, days, parse_times(str(data.get("times", ""))))
            languages = [c.strip() for c in str(data.get("languages", "")).split(",") if c.strip()]
            counsellor = str(data.get("counsellor", "")).strip() or session.account.name
            ids = await asyncio.to_thread(
                lambda: self.store.publish_slots(
                    office,
                    counsellor,
                    starts,
                    minutes,
                    languages,
                    bool(data.get("interpreter")),
                    now=utcnow(),
                )
            )
        except (
            ValueError,
            OverflowError,
            appointments.AppointmentError,
            appointments.CliError,
        ) as exc:
            raise self._back(problem=str(exc)) from None
        await asyncio.to_thread(
            self.console.store.audit,
            None,
            session.account.name,
            "slots_published",
            f"{office}: {len(ids)}",
        )
        raise self._back(message=f"{len(ids)}")

    @signed_in()
    async def delete(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        session, data = visit.session, visit.form
        try:
            slot_id = int(request.match_info["slot_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        try:
            deleted = await asyncio.to_thread(
                lambda: self.store.delete_slot(
                    slot_id, cancel_booking=bool(data.get("cancel_booking"))
                )
            )
        except appointments.SlotBooked:
            raise self._back(problem=f"slot {slot_id} is booked") from None
        if not deleted:
            raise self._back(problem=f"there is no slot {slot_id}")
        await asyncio.to_thread(
            self.console.store.audit, None, session.account.name, "slot_deleted", str(slot_id)
        )
        raise self._back()
