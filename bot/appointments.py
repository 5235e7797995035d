"""Appointments in the gateway: reminders 24 hours before, and calendar files.

Every minute the reminder job looks for booked appointments that start within
24 hours and whose reminder is not queued yet, writes the reminder (in the
appointment's language, with "move" and "cancel" buttons) to the outbox with
``dedupe_key="reminder:<id>"`` and wakes the delivery worker, which sends it
through the channel the person booked on. The dedupe key makes "once" hold when
the process restarts between queueing and marking, and when several gateways
run the job at the same time. Bookings the office cancelled are announced the
same way (``office-cancelled:<id>``).

``GET /appointments/<token>.ics`` serves a web user's appointment as an
iCalendar file. The token is 32 random URL-safe characters, known only to the
person it was shown to; the file holds the time, the office and its address,
nothing about the person.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from bot.keys import CATALOGUE, CONTENT, DATABASE, DELIVERER, OUTBOX
from bot.periodic import Periodic
from common.clock import utcnow
from language.catalogue import Catalogue
from pes import content
from pes.appointments import (
    BOOKED,
    AppointmentStore,
    calendar_file,
    notice_key,
    office_cancelled_message,
    reminder_key,
    reminder_message,
)
from pes.outbox import Outbox

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0
LINK_PATTERN = r"[A-Za-z0-9_-]{20,80}"

STORE: web.AppKey[AppointmentStore] = web.AppKey("appointments", AppointmentStore)
REMINDERS: web.AppKey[Periodic] = web.AppKey("reminders", Periodic)


def queue_due(
    store: AppointmentStore, outbox: Outbox, catalogue: Catalogue, now: datetime | None = None
) -> int:
    """Queue every due reminder and office-cancellation notice once; returns how many."""
    now = now or utcnow()
    offices = content.default().offices
    kinds = (
        (
            store.due_reminders,
            reminder_message,
            "reminder",
            reminder_key,
            store.mark_reminder_queued,
        ),
        (
            store.due_notices,
            office_cancelled_message,
            "appointment_cancelled",
            notice_key,
            store.mark_notice_queued,
        ),
    )
    queued = 0
    for due, compose, kind, key, mark_queued in kinds:
        for appointment in due(now):
            message = compose(catalogue, appointment, offices.get(appointment.office))
            if outbox.put(
                appointment.user_id,
                appointment.channel,
                message,
                kind=kind,
                dedupe_key=key(appointment.id),
            ):
                queued += 1
            mark_queued(appointment.id, now)
    return queued


async def reminder_round(app: web.Application) -> None:
    """Queue what is due and wake the delivery worker (every minute)."""
    queued = await asyncio.to_thread(queue_due, app[STORE], app[OUTBOX], app[CATALOGUE])
    if queued:
        logger.info("queued %d appointment message(s)", queued)
        app[DELIVERER].wake()


async def calendar(request: web.Request) -> web.Response:
    """The .ics file of a booked appointment, for the person holding the link."""
    appointment = await asyncio.to_thread(request.app[STORE].by_token, request.match_info["token"])
    if appointment is None or appointment.status != BOOKED:
        raise web.HTTPNotFound(text="This appointment link is not valid any more.\n")
    catalogue = request.app[CATALOGUE]
    office = request.app[CONTENT].offices.get(appointment.office)
    lang = appointment.language
    body = calendar_file(
        appointment,
        summary=catalogue.text("appointments.ics_summary", lang),
        location=f"{office.name}, {office.address}" if office else appointment.office,
        note=catalogue.text("appointments.ics_note", lang, phone=office.phone if office else ""),
    )
    return web.Response(
        body=body.encode("utf-8"),
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="appointment.ics"',
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
        },
    )


async def _start(app: web.Application) -> None:
    app[REMINDERS].start()


async def _stop(app: web.Application) -> None:
    await app[REMINDERS].stop()


def setup_appointments(app: web.Application) -> None:
    """Reminders and calendar files: one line in ``create_app``."""
    app[STORE] = AppointmentStore(app[DATABASE])
    app[REMINDERS] = Periodic("reminders", lambda: reminder_round(app), interval=INTERVAL_SECONDS)
    app.router.add_get(f"/appointments/{{token:{LINK_PATTERN}}}.ics", calendar)
    app.on_startup.append(_start)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_shutdown.append(_stop)  # type: ignore[arg-type]  # before run_app waits for tasks
