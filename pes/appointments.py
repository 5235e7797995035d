"""Appointments with counsellors: published slots, bookings, reminders (issue #4).

Office staff publish **slots** (office, counsellor, start, length, the languages
the counsellor speaks, whether an interpreter can come) from the console or with
``python -m pes.appointments``. A person **books** a slot in the conversation;
the booking is an ``appointments`` row that holds the slot.

Correctness under concurrency rests on the database:

- ``appointments.slot_id`` is UNIQUE: two bookings can never hold one slot. A
  cancelled or moved booking lets go of its slot (``slot_id`` becomes NULL) and
  stays as history until retention purges it.
- Every write that checks before it changes (the per-person limit, "is the slot
  still free?") runs in one transaction that is serialised where it matters: on
  SQLite with ``BEGIN IMMEDIATE`` (one writer at a time), on PostgreSQL with a
  transaction-scoped advisory lock per person and ``SELECT ... FOR UPDATE`` on
  the slot. The unique constraint stays the last line of defence.

Times are stored in UTC and shown in Europe/Ljubljana, written the way each core
language writes dates (``format_when``). Nothing here logs user ids.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import re
import secrets
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from babel import Locale
from babel.dates import format_datetime
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.clock import TIMEZONE, local, utcnow
from common.clock import as_utc as _utc
from common.clock import aware as _aware
from common.payload import button
from language.languages import LANGUAGES, reply_language
from pes.db import Base, Database
from pes.outbox import PENDING, OutboxRow

if TYPE_CHECKING:
    from language.catalogue import Catalogue

if __name__ == "__main__":
    # `python -m pes.appointments` runs this file as __main__: hand over to the module
    # proper, so that its tables are declared once (Alembic's env imports it too).
    from pes.appointments import main as _cli

    sys.exit(_cli())

BOOKED, CANCELLED, CANCELLED_BY_OFFICE, MOVED = (
    "booked",
    "cancelled",
    "cancelled_by_office",
    "moved",
)
DEFAULT_MAX_FUTURE = 2
MIN_NOTICE = timedelta(minutes=30)  # free_slots offers nothing that starts sooner
REMINDER_BEFORE = timedelta(hours=24)
REMINDER_QUIET = timedelta(hours=2)  # no reminder right after booking: the confirmation is one
REMINDER_CHANNELS = ("web", "telegram")  # channels that can reach a person later
NO_INTERPRETER = "none"
_OFFICE_ID = re.compile(r"^[a-z][a-z_]{0,39}$")


# --- errors ------------------------------------------------------------------------


class AppointmentError(Exception):
    """Base of every typed appointment error."""


class InvalidSlot(AppointmentError, ValueError):
    """A slot that cannot be published (bad office, length, language, naive time)."""


class SlotConflict(AppointmentError):
    """The counsellor already has a slot at that office overlapping this one."""


class SlotTaken(AppointmentError):
    """Someone else holds the slot."""


class SlotInPast(AppointmentError):
    """The slot has already started."""


class SlotGone(AppointmentError):
    """The slot does not exist (never did, or the office deleted it meanwhile)."""


class SlotBooked(AppointmentError):
    """The slot cannot be deleted: somebody holds it (``cancel_booking=True`` frees it)."""

    def __init__(self, appointment_id: int) -> None:
        super().__init__(f"slot is booked (appointment {appointment_id})")
        self.appointment_id = appointment_id


class TooManyAppointments(AppointmentError):
    """The person already holds the most future appointments allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} future appointments")
        self.limit = limit


class AlreadyBooked(AppointmentError):
    """The person already holds this slot (a double click): ``appointment`` is theirs."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__("already booked by this person")
        self.appointment = appointment


class AppointmentNotFound(AppointmentError):
    """No such appointment for this person (someone else's looks the same)."""


class AlreadyCancelled(AppointmentError):
    """The appointment was cancelled or moved before."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__(f"appointment is {appointment.status}")
        self.appointment = appointment


class AppointmentInPast(AppointmentError):
    """The appointment has already started; it cannot be cancelled or moved."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__("appointment is over")
        self.appointment = appointment


class SettingError(ValueError):
    """A malformed setting, with the variable's name and what is expected."""


# --- tables ------------------------------------------------------------------------


class SlotRow(Base):
    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("office", "counsellor", "starts_at"),
        CheckConstraint("minutes > 0 AND minutes <= 480", name="minutes"),
        {"sqlite_autoincrement": True},
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    office = Column(String(40), nullable=False)
    counsellor = Column(String(80), nullable=False)
    starts_at = Column(DateTime(timezone=True), nullable=False, index=True)
    minutes = Column(Integer, nullable=False)
    languages = Column(String(120), nullable=False)  # comma list of codes
    interpreter = Column(Boolean, nullable=False)  # an interpreter can come
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    # AUTOINCREMENT on SQLite: an id is never reused, so "reminder:<id>" stays unique.
    __table_args__ = (UniqueConstraint("slot_id"), {"sqlite_autoincrement": True})
    id = Column(Integer, primary_key=True, autoincrement=True)
    # The slot held; NULL once cancelled or moved. UNIQUE: one holder per slot.
    slot_id = Column(
        Integer, ForeignKey("appointment_slots.id", ondelete="SET NULL"), nullable=True
    )
    user_id = Column(String(80), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    language = Column(String(12), nullable=False)
    interpreter_language = Column(String(12), nullable=True)
    office = Column(String(40), nullable=False)
    counsellor = Column(String(80), nullable=False)
    counsellor_languages = Column(String(120), nullable=False)
    starts_at = Column(DateTime(timezone=True), nullable=False, index=True)
    minutes = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False, index=True)
    token = Column(String(64), nullable=False, unique=True)  # the .ics link's secret
    created_at = Column(DateTime(timezone=True), nullable=False)
    cancelled_at = Column(DateTime(timezone=True), nullable=True)
    reminder_queued_at = Column(DateTime(timezone=True), nullable=True)
    notice_queued_at = Column(DateTime(timezone=True), nullable=True)


# --- values ------------------------------------------------------------------------


def _codes(raw: str) -> tuple[str, ...]:
    return tuple(code for code in raw.split(",") if code)


def wants_interpreter(code: str | None) -> bool:
    return bool(code) and code != NO_INTERPRETER


@dataclass(frozen=True)
class Slot:
    id: int
    office: str
    counsellor: str
    starts_at: datetime  # aware, UTC
    minutes: int
    languages: tuple[str, ...]
    interpreter: bool
    appointment_id: int | None = None  # the booking holding it, if any

    @property
    def booked(self) -> bool:
        return self.appointment_id is not None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    def suits(self, interpreter_language: str | None) -> bool:
        """Whether a person needing ``interpreter_language`` is understood at this slot."""
        if not wants_interpreter(interpreter_language):
            return True
        return self.interpreter or interpreter_language in self.languages


@dataclass(frozen=True)
class Appointment:
    id: int
    user_id: str
    channel: str
    language: str
    interpreter_language: str | None
    office: str
    counsellor: str
    counsellor_languages: tuple[str, ...]
    starts_at: datetime  # aware, UTC
    minutes: int
    status: str
    token: str
    slot_id: int | None
    created_at: datetime

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


def _slot(row: SlotRow, appointment_id: int | None = None) -> Slot:
    return Slot(
        id=int(row.id),
        office=row.office,
        counsellor=row.counsellor,
        starts_at=_aware(row.starts_at),
        minutes=int(row.minutes),
        languages=_codes(row.languages),
        interpreter=bool(row.interpreter),
        appointment_id=appointment_id,
    )


def _appointment(row: AppointmentRow) -> Appointment:
    return Appointment(
        id=int(row.id),
        user_id=row.user_id,
        channel=row.channel,
        language=row.language,
        interpreter_language=row.interpreter_language,
        office=row.office,
        counsellor=row.counsellor,
        counsellor_languages=_codes(row.counsellor_languages),
        starts_at=_aware(row.starts_at),
        minutes=int(row.minutes),
        status=row.status,
        token=row.token,
        slot_id=row.slot_id,
        created_at=_aware(row.created_at),
    )


def _lock_id(key: str) -> int:
    """A signed 64-bit id for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


# --- settings ----------------------------------------------------------------------


def max_future_from_env(env: Mapping[str, str] | None = None) -> int:
    """``MAX_FUTURE_APPOINTMENTS``: how many future appointments one person may hold."""
    raw = (os.environ if env is None else env).get("MAX_FUTURE_APPOINTMENTS", "").strip()
    if not raw:
        return DEFAULT_MAX_FUTURE
    if not raw.isdigit() or not 1 <= int(raw) <= 20:
        raise SettingError(
            f"MAX_FUTURE_APPOINTMENTS must be a whole number from 1 to 20, not {raw!r}"
        )
    return int(raw)


@lru_cache(maxsize=1)
def max_future_appointments() -> int:
    """The process's limit, read once."""
    return max_future_from_env()


# --- the store ---------------------------------------------------------------------


class AppointmentStore:
    """Slots and bookings in the project database."""

    def __init__(self, database: Database, *, max_future: int | None = None) -> None:
        self.db = database
        self._max_future = max_future

    @property
    def max_future(self) -> int:
        return self._max_future if self._max_future is not None else max_future_appointments()

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
    ) -> list[Slot]:
        """The next free slots at ``office`` that suit a person needing ``interpreter_language``."""
        free = self.list_slots(office, start=_utc(now) + MIN_NOTICE, include_booked=False)
        suitable = [s for s in free if s.suits(interpreter_language) and s.id != exclude]
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

    # --- bookings ------------------------------------------------------------

    def book(
        self,
        user_id: str,
        slot_id: int,
        channel: str,
        language: str,
        interpreter_language: str | None,
        now: datetime | None = None,
    ) -> Appointment:
        """Book ``slot_id`` for ``user_id``; raises a typed error when it cannot be had."""
        now = _utc(now)
        interpreter = interpreter_language if wants_interpreter(interpreter_language) else None
        try:
            with self._write(f"person:{user_id}") as session:
                slot = session.execute(
                    select(SlotRow).where(SlotRow.id == slot_id).with_for_update()
                ).scalar_one_or_none()
                if slot is None:
                    raise SlotGone(str(slot_id))
                holder = _holder(session, slot_id)
                if holder is not None:
                    if holder.user_id == user_id:
                        raise AlreadyBooked(_appointment(holder))
                    raise SlotTaken(str(slot_id))
                if _aware(slot.starts_at) <= now:
                    raise SlotInPast(str(slot_id))
                if _future_count(session, user_id, now) >= self.max_future:
                    raise TooManyAppointments(self.max_future)
                row = _new_booking(slot, user_id, channel, language, interpreter, now)
                session.add(row)
                session.flush()
                return _appointment(row)
        except IntegrityError:
            # The unique constraint caught what the checks could not see.
            holder_now = self._holder_of(slot_id)
            if holder_now is not None and holder_now.user_id == user_id:
                raise AlreadyBooked(holder_now) from None
            if holder_now is None and self.slot(slot_id) is None:
                raise SlotGone(str(slot_id)) from None
            raise SlotTaken(str(slot_id)) from None

    def _holder_of(self, slot_id: int) -> Appointment | None:
        with self.db.session() as session:
            row = _holder(session, slot_id)
            return None if row is None else _appointment(row)

    def get(self, appointment_id: int) -> Appointment | None:
        with self.db.session() as session:
            row = session.get(AppointmentRow, appointment_id)
            return None if row is None else _appointment(row)

    def by_token(self, token: str) -> Appointment | None:
        with self.db.session() as session:
            row = session.execute(
                select(AppointmentRow).where(AppointmentRow.token == token)
            ).scalar_one_or_none()
            return None if row is None else _appointment(row)

    def upcoming(self, user_id: str, now: datetime | None = None) -> list[Appointment]:
        """The person's booked appointments that have not started, soonest first."""
        now = _utc(now)
        with self.db.session() as session:
            rows = session.execute(
                select(AppointmentRow)
                .where(
                    AppointmentRow.user_id == user_id,
                    AppointmentRow.status == BOOKED,
                    AppointmentRow.starts_at > now,
                )
                .order_by(AppointmentRow.starts_at, AppointmentRow.id)
            ).scalars()
            return [_appointment(row) for row in rows]

    def cancel(
        self, user_id: str, appointment_id: int, *, now: datetime | None = None
    ) -> Appointment:
        """Cancel one of the person's future appointments; its slot is free again."""
        now = _utc(now)
        with self._write(f"person:{user_id}") as session:
            row = _own(session, user_id, appointment_id)
            if row.status != BOOKED:
                raise AlreadyCancelled(_appointment(row))
            if _aware(row.starts_at) <= now:
                raise AppointmentInPast(_appointment(row))
            row.status, row.slot_id, row.cancelled_at = CANCELLED, None, now
            _drop_queued_reminder(session, int(row.id))
            session.flush()
            return _appointment(row)

    def reschedule(
        self,
        user_id: str,
        appointment_id: int,
        new_slot_id: int,
        *,
        now: datetime | None = None,
    ) -> Appointment:
        """Move an appointment to another slot in one transaction: the new booking, or an
        error with the old one untouched. Returns the new appointment (a new id)."""
        now = _utc(now)
        try:
            with self._write(f"person:{user_id}") as session:
                old = _own(session, user_id, appointment_id)
                if old.status != BOOKED:
                    holder = _holder(session, new_slot_id)
                    if holder is not None and holder.user_id == user_id:
                        raise AlreadyBooked(_appointment(holder))  # the move was done already
                    raise AlreadyCancelled(_appointment(old))
                if _aware(old.starts_at) <= now:
                    raise AppointmentInPast(_appointment(old))
                if old.slot_id == new_slot_id:
                    raise AlreadyBooked(_appointment(old))
                slot = session.execute(
                    select(SlotRow).where(SlotRow.id == new_slot_id).with_for_update()
                ).scalar_one_or_none()
                if slot is None:
                    raise SlotGone(str(new_slot_id))
                holder = _holder(session, new_slot_id)
                if holder is not None:
                    if holder.user_id == user_id:
                        raise AlreadyBooked(_appointment(holder))
                    raise SlotTaken(str(new_slot_id))
                if _aware(slot.starts_at) <= now:
                    raise SlotInPast(str(new_slot_id))
                old.status, old.slot_id, old.cancelled_at = MOVED, None, now
                _drop_queued_reminder(session, int(old.id))
                session.flush()
                row = _new_booking(
                    slot, user_id, old.channel, old.language, old.interpreter_language, now
                )
                session.add(row)
                session.flush()
                return _appointment(row)
        except IntegrityError:
            raise SlotTaken(str(new_slot_id)) from None

    # --- reminders and notices ---------------------------------------------------

    def due_reminders(self, now: datetime | None = None) -> list[Appointment]:
        """Booked appointments starting within 24 hours whose reminder is not queued
        (not those booked in the last two hours: their confirmation is fresh)."""
        now = _utc(now)
        with self.db.session() as session:
            rows = session.execute(
                select(AppointmentRow)
                .where(
                    AppointmentRow.status == BOOKED,
                    AppointmentRow.reminder_queued_at.is_(None),
                    AppointmentRow.starts_at > now,
                    AppointmentRow.starts_at <= now + REMINDER_BEFORE,
                    AppointmentRow.created_at <= now - REMINDER_QUIET,
                    AppointmentRow.channel.in_(REMINDER_CHANNELS),
                )
                .order_by(AppointmentRow.starts_at, AppointmentRow.id)
            ).scalars()
            return [_appointment(row) for row in rows]

    def mark_reminder_queued(self, appointment_id: int, now: datetime | None = None) -> None:
        with self.db.session() as session:
            row = session.get(AppointmentRow, appointment_id)
            if row is not None and row.reminder_queued_at is None:
                row.reminder_queued_at = _utc(now)

    def due_notices(self, now: datetime | None = None) -> list[Appointment]:
        """Future appointments the office cancelled whose notice to the person is not queued."""
        now = _utc(now)
        with self.db.session() as session:
            rows = session.execute(
                select(AppointmentRow).where(
                    AppointmentRow.status == CANCELLED_BY_OFFICE,
                    AppointmentRow.notice_queued_at.is_(None),
                    AppointmentRow.starts_at > now,
                    AppointmentRow.channel.in_(REMINDER_CHANNELS),
                )
            ).scalars()
            return [_appointment(row) for row in rows]

    def mark_notice_queued(self, appointment_id: int, now: datetime | None = None) -> None:
        with self.db.session() as session:
            row = session.get(AppointmentRow, appointment_id)
            if row is not None and row.notice_queued_at is None:
                row.notice_queued_at = _utc(now)

    # --- personal data -----------------------------------------------------------

    def forget(self, user_id: str) -> int:
        """Erase every appointment of this person (their future slots become free)."""
        with self._write() as session:
            result = session.execute(
                delete(AppointmentRow).where(AppointmentRow.user_id == user_id)
            )
            return int(result.rowcount or 0)

    def purge_before(self, cutoff: datetime) -> int:
        """Erase appointments that took place before ``cutoff``, and cancelled or moved
        ones cancelled before it (retention)."""
        cutoff = _utc(cutoff)
        with self._write() as session:
            result = session.execute(
                delete(AppointmentRow).where(
                    or_(
                        AppointmentRow.starts_at < cutoff,
                        and_(AppointmentRow.status != BOOKED, AppointmentRow.cancelled_at < cutoff),
                    )
                )
            )
            return int(result.rowcount or 0)


def _holder(session: Session, slot_id: int) -> AppointmentRow | None:
    row: AppointmentRow | None = session.execute(
        select(AppointmentRow).where(AppointmentRow.slot_id == slot_id)
    ).scalar_one_or_none()
    return row


def _own(session: Session, user_id: str, appointment_id: int) -> AppointmentRow:
    row: AppointmentRow | None = session.execute(
        select(AppointmentRow)
        .where(AppointmentRow.id == appointment_id, AppointmentRow.user_id == user_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise AppointmentNotFound(str(appointment_id))
    return row


def _future_count(session: Session, user_id: str, now: datetime) -> int:
    return int(
        session.execute(
            select(func.count(AppointmentRow.id)).where(
                AppointmentRow.user_id == user_id,
                AppointmentRow.status == BOOKED,
                AppointmentRow.starts_at > now,
            )
        ).scalar_one()
    )


def _new_booking(
    slot: SlotRow,
    user_id: str,
    channel: str,
    language: str,
    interpreter_language: str | None,
    now: datetime,
) -> AppointmentRow:
    return AppointmentRow(
        slot_id=slot.id,
        user_id=user_id,
        channel=(channel or "unknown")[:20],
        language=(language or "en")[:12],
        interpreter_language=interpreter_language,
        office=slot.office,
        counsellor=slot.counsellor,
        counsellor_languages=slot.languages,
        starts_at=_aware(slot.starts_at),
        minutes=slot.minutes,
        status=BOOKED,
        token=secrets.token_urlsafe(24),
        created_at=now,
    )


def _drop_queued_reminder(session: Session, appointment_id: int) -> None:
    """A reminder queued but not yet sent must not announce a cancelled appointment."""
    session.execute(
        delete(OutboxRow).where(
            OutboxRow.dedupe_key == reminder_key(appointment_id), OutboxRow.state == PENDING
        )
    )


def reminder_key(appointment_id: int) -> str:
    return f"reminder:{appointment_id}"


def notice_key(appointment_id: int) -> str:
    return f"office-cancelled:{appointment_id}"


# --- dates and times as each language writes them ------------------------------------------

_LONG = {
    "en": "EEEE d MMMM y 'at' H:mm",
    "sl": "EEEE, d. M. y 'ob' H.mm",
    "uk": "EEEE, d MMMM y 'р. о' H:mm",
    "ru": "EEEE, d MMMM y 'г. в' H:mm",
    "ar": "EEEE، d MMMM y، 'الساعة' H:mm",
    "fa": "EEEE d MMMM y، 'ساعت' H:mm",
}
_SHORT = {
    "en": "EEE d MMM, H:mm",
    "sl": "EEE, d. M., 'ob' H.mm",
    "uk": "EEE, d MMM, H:mm",
    "ru": "EEE, d MMM, H:mm",
    "ar": "EEEE d MMMM، H:mm",
    "fa": "EEEE d MMMM، H:mm",
}
_BABEL = {"en": "en_GB"}
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def format_when(moment: datetime, lang: str, *, short: bool = False) -> str:
    """Day and time in Ljubljana, as ``lang`` writes them: "Wednesday 2 December 2026 at
    9:30", "sreda, 2. 12. 2026 ob 9.30", "середа, 2 грудня 2026 р. о 9:30"."""
    lang = reply_language(lang)
    when = local(moment)
    pattern = (_SHORT if short else _LONG)[lang]
    if lang == "uk" and when.hour == 11:
        pattern = pattern.replace("'р. о'", "'р. об'")  # "об одинадцятій"
    written = str(format_datetime(when, pattern, tzinfo=TIMEZONE, locale=_BABEL.get(lang, lang)))
    return written.translate(_PERSIAN_DIGITS) if lang == "fa" else written


def language_name(code: str, lang: str) -> str:
    """A language's name in ``lang`` ("arabščina", "арабська", "عربی")."""
    lang = reply_language(lang)
    babel_code = {"ckb": "ckb", "ku": "ku"}.get(code, code)
    name = Locale.parse(_BABEL.get(lang, lang)).languages.get(babel_code)
    if not name:
        info = LANGUAGES.get(code)
        return info.english_name if info else code
    return str(name)


# --- how an appointment is shown: shared by the actions and the gateway ----------------------


class OfficeInfo(Protocol):
    """What ``pes.content.Office`` offers (kept as a protocol: pes does not import actions)."""

    @property
    def name(self) -> str: ...

    @property
    def address(self) -> str: ...

    @property
    def phone(self) -> str: ...


def interpreter_text(
    catalogue: Catalogue, lang: str, interpreter_language: str | None, speaks: Sequence[str]
) -> str:
    """ "Interpreter: Arabic", "The counsellor speaks Arabic." or "No interpreter"."""
    if not wants_interpreter(interpreter_language):
        return catalogue.text("appointments.interpreter_none", lang)
    assert interpreter_language is not None
    name = language_name(interpreter_language, lang)
    key = (
        "appointments.interpreter_counsellor"
        if interpreter_language in speaks
        else "appointments.interpreter"
    )
    return catalogue.text(key, lang, language=name)


def card(
    catalogue: Catalogue,
    lang: str,
    starts_at: datetime,
    office: OfficeInfo | None,
    interpreter_language: str | None,
    speaks: Sequence[str],
) -> dict[str, str]:
    """The placeholders every appointment text shares: when, office, address, interpreter."""
    return {
        "when": format_when(starts_at, lang),
        "office": office.name if office else "",
        "address": office.address if office else "",
        "interpreter": interpreter_text(catalogue, lang, interpreter_language, speaks),
    }


def appointment_card(
    catalogue: Catalogue, lang: str, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, str]:
    return card(
        catalogue,
        lang,
        appointment.starts_at,
        office,
        appointment.interpreter_language,
        appointment.counsellor_languages,
    )


def manage_buttons(
    catalogue: Catalogue, lang: str, appointment: Appointment
) -> list[dict[str, str]]:
    """ "Cancel" and "Move" for one appointment (titles carry the short time when useful)."""
    when = format_when(appointment.starts_at, lang, short=True)
    ident = str(appointment.id)
    return [
        button(
            catalogue.text("appointments.button.move", lang, when=when),
            "reschedule_appointment",
            appointment_id=ident,
        ),
        button(
            catalogue.text("appointments.button.cancel", lang, when=when),
            "cancel_appointment",
            appointment_id=ident,
        ),
    ]


def reminder_message(
    catalogue: Catalogue, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, Any]:
    """The reminder, in the appointment's language, with "move" and "cancel" buttons."""
    from language.catalogue import mark_direction

    lang = reply_language(appointment.language)
    message = catalogue.render(
        "appointments.reminder", lang, **appointment_card(catalogue, lang, appointment, office)
    )
    message["buttons"] = [
        {**b, "title": mark_direction(b["title"], lang)}
        for b in manage_buttons(catalogue, lang, appointment)
    ]
    return message


def office_cancelled_message(
    catalogue: Catalogue, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, Any]:
    """The office cancelled a booking: say so, and offer to book again."""
    from language.catalogue import mark_direction

    lang = reply_language(appointment.language)
    message = catalogue.render(
        "appointments.cancelled_by_office",
        lang,
        **appointment_card(catalogue, lang, appointment, office),
    )
    title = catalogue.text("appointments.button.book_again", lang)
    message["buttons"] = [
        {
            **button(title, "book_appointment", city=appointment.office),
            "title": mark_direction(title, lang),
        }
    ]
    return message


# --- the calendar file (.ics) ---------------------------------------------------------------


def _ics_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (RFC 5545 3.1)."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _ics_time(moment: datetime) -> str:
    return _aware(moment).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(appointment: Appointment, *, summary: str, location: str, note: str) -> str:
    """An iCalendar file with the time, the office and its address: nothing about the person."""
    uid = hashlib.sha256(appointment.token.encode()).hexdigest()[:32]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PES assistant//appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}@pes-assistant",
        f"DTSTAMP:{_ics_time(appointment.created_at)}",
        f"DTSTART:{_ics_time(appointment.starts_at)}",
        f"DTEND:{_ics_time(appointment.ends_at)}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(location)}",
        f"DESCRIPTION:{_ics_escape(note)}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT2H",
        f"DESCRIPTION:{_ics_escape(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"


# --- command line ------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class CliError(Exception):
    """A one-line message for the command line's standard error (exit status 2)."""


def parse_local(raw: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` on the Ljubljana clock, as an aware datetime (DST checked)."""
    try:
        naive = datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise CliError(f"'{raw}' is not a time like 2026-12-02 09:30") from None
    first, second = naive.replace(tzinfo=TIMEZONE, fold=0), naive.replace(tzinfo=TIMEZONE, fold=1)
    if local(first.astimezone(timezone.utc)).replace(tzinfo=None) != naive:
        raise CliError(f"{raw} does not exist in Europe/Ljubljana (clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise CliError(f"{raw} happens twice in Europe/Ljubljana (clocks go back); pick another")
    return first


def _offices() -> dict[str, Any]:
    from pes import content  # the office list PES staff edit

    return dict(content.default().offices)


def _check_office(office: str) -> None:
    offices = _offices()
    if office not in offices:
        raise CliError(f"unknown office '{office}'; use one of: {', '.join(offices)}")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CliError(f"'{raw}' is not a date like 2026-12-02") from None


def _cmd_add(store: AppointmentStore, args: argparse.Namespace) -> str:
    _check_office(args.office)
    if not 1 <= args.repeat <= 200:
        raise CliError("--repeat must be from 1 to 200")
    every = args.every or args.minutes
    if every < args.minutes:
        raise CliError("--every must be at least --minutes (slots may not overlap)")
    first = parse_local(args.start)
    naive = first.replace(tzinfo=None)
    starts = [
        parse_local(f"{naive + timedelta(minutes=every * i):%Y-%m-%d %H:%M}")
        for i in range(args.repeat)
    ]
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    ids = store.publish_slots(
        args.office,
        args.counsellor,
        starts,
        args.minutes,
        languages,
        args.interpreter,
        now=utcnow(),
    )
    return f"added {len(ids)} slot(s): {', '.join(map(str, ids))}"


def _cmd_list(store: AppointmentStore, args: argparse.Namespace) -> str:
    if args.office:
        _check_office(args.office)
    start = datetime.combine(_day(args.start), time(), TIMEZONE) if args.start else None
    end = (
        datetime.combine(_day(args.end) + timedelta(days=1), time(), TIMEZONE) if args.end else None
    )
    slots = store.list_slots(args.office, start, end, include_booked=not args.free)
    lines = [
        f"{s.id:>6}  {s.office:<14} {local(s.starts_at):%Y-%m-%d %H:%M}  {s.minutes:>3} min  "
        f"{s.counsellor:<24} {','.join(s.languages):<14} "
        f"{'interpreter' if s.interpreter else '-':<11}  {'booked' if s.booked else 'free'}"
        for s in slots
    ]
    return "\n".join(lines) if lines else "no slots"


def _cmd_delete(store: AppointmentStore, args: argparse.Namespace) -> str:
    try:
        deleted = store.delete_slot(args.slot_id, cancel_booking=args.cancel_booking)
    except SlotBooked:
        raise CliError(
            f"slot {args.slot_id} is booked; add --cancel-booking to cancel the booking "
            "(the person is told) and delete it"
        ) from None
    if not deleted:
        raise CliError(f"there is no slot {args.slot_id}")
    return f"deleted slot {args.slot_id}"


DEMO_COUNSELLORS = (
    # name, languages, interpreter on (weekday numbers, Monday = 0)
    ("Demo: svetovalka Ana", ("sl", "en", "uk", "ru"), (1, 3)),
    ("Demo: svetovalec Amir", ("sl", "en", "ar", "fa"), ()),
)


def seed_demo(store: AppointmentStore, now: datetime, days: int = 14) -> int:
    """DEMO slots for every office for the next ``days`` days, in the morning opening
    hours: two made-up counsellors, 30 minutes each. Never used in production."""
    added = 0
    today = local(now).date()
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for city, office in _offices().items():
        for offset in range(1, days + 1):
            day = today + timedelta(days=offset)
            hours = office.hours.get(weekdays[day.weekday()], ())
            if not hours:
                continue
            opens, closes = (time.fromisoformat(part) for part in hours[0].split("-"))
            for index, (name, languages, interpreter_days) in enumerate(DEMO_COUNSELLORS):
                start = datetime.combine(day, opens, TIMEZONE) + timedelta(minutes=30 * index)
                end = datetime.combine(day, closes, TIMEZONE)
                starts = []
                while start + timedelta(minutes=30) <= end:
                    starts.append(start)
                    start += timedelta(minutes=60)
                if starts:
                    interpreter = day.weekday() in interpreter_days
                    added += len(
                        store.publish_slots(city, name, starts, 30, languages, interpreter, now=now)
                    )
    return added


def _cmd_seed(store: AppointmentStore, args: argparse.Namespace) -> str:
    if os.environ.get("APP_ENV", "development").strip().lower() == "production":
        raise CliError("seed-demo adds made-up slots and is refused when APP_ENV=production")
    now = utcnow()
    if store.has_future_slots(now):
        return "demo slots: not added (there are future slots already)"
    return f"demo slots: added {seed_demo(store, now, args.days)} DEMO slot(s) for the next {args.days} days"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pes.appointments",
        description="Appointment slots. Times are on the Ljubljana clock (Europe/Ljubljana).",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add = commands.add_parser("add-slots", help="publish slots, back to back with --repeat")
    add.add_argument("--office", required=True, help="office id, e.g. maribor")
    add.add_argument("--counsellor", required=True)
    add.add_argument("--start", required=True, help="first start, e.g. '2026-12-02 09:00'")
    add.add_argument("--minutes", type=int, default=30)
    add.add_argument("--languages", required=True, help="comma list, e.g. sl,en,ar")
    add.add_argument("--interpreter", action="store_true", help="an interpreter can come")
    add.add_argument("--repeat", type=int, default=1, help="how many slots")
    add.add_argument("--every", type=int, default=0, help="minutes between starts")
    show = commands.add_parser("list", help="list slots")
    show.add_argument("--office")
    show.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    show.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    show.add_argument("--free", action="store_true", help="free slots only")
    remove = commands.add_parser("delete", help="delete a slot")
    remove.add_argument("slot_id", type=int)
    remove.add_argument("--cancel-booking", action="store_true")
    seed = commands.add_parser("seed-demo", help="DEMO slots when there are none (not production)")
    seed.add_argument("--days", type=int, default=14)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    commands = {
        "add-slots": _cmd_add,
        "list": _cmd_list,
        "delete": _cmd_delete,
        "seed-demo": _cmd_seed,
    }
    database = Database.from_env()
    try:
        database.upgrade()
        print(commands[args.command](AppointmentStore(database), args))
    except (CliError, InvalidSlot, SlotConflict) as exc:
        print(f"python -m pes.appointments {args.command}: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    return 0
