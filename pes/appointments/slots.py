"""Published slots: office staff publish, list and delete them; the conversation asks what is free."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    select,
    text,
)
from sqlalchemy.orm import Session

from common.clock import as_utc as _utc
from common.clock import local, utcnow
from language.answers import When
from language.languages import LANGUAGES
from pes.appointments.errors import (
    InvalidSlot,
    SlotBooked,
    SlotConflict,
)
from pes.appointments.model import (
    _OFFICE_ID,
    CANCELLED_BY_OFFICE,
    MIN_NOTICE,
    Slot,
)
from pes.appointments.rows import (
    _drop_queued_reminder,
    _lock_id,
    _slot,
)
from pes.appointments.tables import AppointmentRow, SlotRow
from pes.db import Database
from pes.settings import settings


def fits(slot: Slot, when: When | None, now: datetime) -> bool:
    """Whether ``slot`` is on the day and in the part of the day asked for ("Wednesday
    afternoon", "tomorrow morning", "next week"), in the offices' time zone."""
    if when is None:
        return True
    start, today = local(slot.starts_at), local(now).date()
    if when.weekday is not None and start.weekday() != when.weekday:
        return False
    if when.days_ahead is not None and start.date() != today + timedelta(days=when.days_ahead):
        return False
    if when.next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        if not monday <= start.date() < monday + timedelta(weeks=1):
            return False
    if when.part == "morning" and start.hour >= 12:
        return False
    return not (when.part == "afternoon" and start.hour < 12)


# --- the store ---------------------------------------------------------------------


class SlotStore:
    """Published slots: what office staff offer and what is still free (the base of
    ``AppointmentStore``, which books them)."""

    def __init__(self, database: Database, *, max_future: int | None = None) -> None:
        self.db = database
        self._max_future = max_future

    @property
    def max_future(self) -> int:
        if self._max_future is not None:
            return self._max_future
        return settings().actions.max_future_appointments

    @contextmanager
    def _write(self, person: str | None = None) -> Iterator[Session]:
        """A transaction whose checks still hold when it writes (see the module's text)."""
        with self.db.session() as session:
            dialect = self.db.engine.dialect.name
            if dialect == "sqlite":
                session.execute(text("BEGIN IMMEDIATE"))
            elif dialect == "postgresql" and person is not None:
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_id(person)}
                )
            yield session

    # --- slots ---------------------------------------------------------------

    def publish_slots(
        self,
        office: str,
        counsellor: str,
        starts: Sequence[datetime],
        minutes: int,
        languages: Sequence[str],
        interpreter: bool,
        *,
        now: datetime | None = None,
    ) -> list[int]:
        """Add slots (all or none); returns their ids. ``now`` given: refuse past starts."""
        counsellor = counsellor.strip()
        if not _OFFICE_ID.match(office):
            raise InvalidSlot(f"office id {office!r} must be lower-case ASCII, like novo_mesto")
        if not counsellor or len(counsellor) > 80:
            raise InvalidSlot("the counsellor's name must have 1 to 80 characters")
        if not 5 <= minutes <= 480:
            raise InvalidSlot(f"a slot lasts 5 to 480 minutes, not {minutes}")
        unknown = [code for code in languages if code not in LANGUAGES]
        if unknown or not languages:
            raise InvalidSlot(
                f"languages must be codes such as sl,en,ar (known: {', '.join(LANGUAGES)}); "
                f"unknown: {', '.join(unknown) or 'none given'}"
            )
        if not starts:
            raise InvalidSlot("no start times given")
        for start in starts:
            if start.tzinfo is None:
                raise InvalidSlot("start times must carry a time zone")
            if now is not None and start <= _utc(now):
                raise InvalidSlot(f"{local(start):%Y-%m-%d %H:%M} is in the past")
        length = timedelta(minutes=minutes)
        spans = sorted(
            (s.astimezone(timezone.utc), s.astimezone(timezone.utc) + length) for s in starts
        )
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                raise SlotConflict(f"the new slots overlap at {local(start):%Y-%m-%d %H:%M}")
        with self._write() as session:
            nearby = session.execute(
                select(SlotRow).where(
                    SlotRow.office == office,
                    SlotRow.counsellor == counsellor,
                    SlotRow.starts_at > spans[0][0] - timedelta(minutes=480),
                    SlotRow.starts_at < spans[-1][1],
                )
            ).scalars()
            for row in nearby:
                old = _slot(row)
                for start, end in spans:
                    if old.starts_at < end and start < old.ends_at:
                        raise SlotConflict(
                            f"{counsellor} already has a slot at {office} on "
                            f"{local(old.starts_at):%Y-%m-%d %H:%M}"
                        )
            rows = [
                SlotRow(
                    office=office,
                    counsellor=counsellor,
                    starts_at=start,
                    minutes=minutes,
                    languages=",".join(dict.fromkeys(languages)),
                    interpreter=interpreter,
                    created_at=utcnow(),
                )
                for start, _ in spans
            ]
            session.add_all(rows)
            session.flush()
            return [int(row.id) for row in rows]

    def slot(self, slot_id: int) -> Slot | None:
        with self.db.session() as session:
            found = session.execute(
                select(SlotRow, AppointmentRow.id)
                .outerjoin(AppointmentRow, AppointmentRow.slot_id == SlotRow.id)
                .where(SlotRow.id == slot_id)
            ).first()
            return None if found is None else _slot(found[0], found[1])

    def list_slots(
        self,
        office: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        include_booked: bool = True,
    ) -> list[Slot]:
        """Slots by start time, each with the booking that holds it (if any)."""
        query = select(SlotRow, AppointmentRow.id).outerjoin(
            AppointmentRow, AppointmentRow.slot_id == SlotRow.id
        )
        start = _utc(start) if start is not None else None
        end = _utc(end) if end is not None else None
        if office is not None:
            query = query.where(SlotRow.office == office)
        if start is not None:
            query = query.where(SlotRow.starts_at >= start)
        if end is not None:
            query = query.where(SlotRow.starts_at < end)
        if not include_booked:
            query = query.where(AppointmentRow.id.is_(None))
        with self.db.session() as session:
            rows = session.execute(query.order_by(SlotRow.starts_at, SlotRow.id)).all()
            return [_slot(row, appointment_id) for row, appointment_id in rows]

    def free_slots(
        self,
        office: str,
        now: datetime,
        limit: int = 6,
        *,
        interpreter_language: str | None = None,
        exclude: int | None = None,
        when: When | None = None,
    ) -> list[Slot]:
        """The next free slots at ``office`` that suit a person needing ``interpreter_language``
        (and on the day asked for, ``when``)."""
        free = self.list_slots(office, start=_utc(now) + MIN_NOTICE, include_booked=False)
        suitable = [
            s
            for s in free
            if s.suits(interpreter_language) and s.id != exclude and fits(s, when, now)
        ]
        return suitable[:limit]

    def has_free_slots(self, now: datetime) -> bool:
        """Whether anything at all can be booked (at any office)."""
        with self.db.session() as session:
            found = session.execute(
                select(SlotRow.id)
                .outerjoin(AppointmentRow, AppointmentRow.slot_id == SlotRow.id)
                .where(SlotRow.starts_at > _utc(now) + MIN_NOTICE, AppointmentRow.id.is_(None))
                .limit(1)
            ).first()
            return found is not None

    def has_future_slots(self, now: datetime) -> bool:
        with self.db.session() as session:
            return (
                session.execute(
                    select(SlotRow.id).where(SlotRow.starts_at > _utc(now)).limit(1)
                ).first()
                is not None
            )

    def delete_slot(self, slot_id: int, *, cancel_booking: bool = False) -> bool:
        """Remove a slot; False if there was none. A booked slot raises ``SlotBooked``
        unless ``cancel_booking``: then the booking is cancelled by the office and the
        person is told (``due_notices``)."""
        with self._write() as session:
            row = session.get(SlotRow, slot_id)
            if row is None:
                return False
            holder = session.execute(
                select(AppointmentRow).where(AppointmentRow.slot_id == slot_id)
            ).scalar_one_or_none()
            if holder is not None:
                if not cancel_booking:
                    raise SlotBooked(int(holder.id))
                holder.status, holder.slot_id = CANCELLED_BY_OFFICE, None
                holder.cancelled_at = utcnow()
                _drop_queued_reminder(session, int(holder.id))
                session.flush()
            session.delete(row)
            return True
