"""The appointment store: booking, moving, cancelling, reminders and erasure, on top of the
slots; every check-then-change in one serialised transaction (see the package's docstring)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    and_,
    delete,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError

from common.clock import as_utc as _utc
from common.clock import aware as _aware
from pes.appointments import errors
from pes.appointments.model import (
    BOOKED,
    CANCELLED,
    CANCELLED_BY_OFFICE,
    MOVED,
    REMINDER_BEFORE,
    REMINDER_CHANNELS,
    REMINDER_QUIET,
    Appointment,
    wants_interpreter,
)
from pes.appointments.rows import (
    _appointment,
    _drop_queued_reminder,
    _future_count,
    _holder,
    _new_booking,
    _own,
)

# --- the store ---------------------------------------------------------------------
from pes.appointments.slots import SlotStore
from pes.appointments.tables import AppointmentRow, SlotRow


class AppointmentStore(SlotStore):
    """Slots and bookings in the project database."""

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
                    raise errors.SlotGone(str(slot_id))
                holder = _holder(session, slot_id)
                if holder is not None:
                    if holder.user_id == user_id:
                        raise errors.AlreadyBooked(_appointment(holder))
                    raise errors.SlotTaken(str(slot_id))
                if _aware(slot.starts_at) <= now:
                    raise errors.SlotInPast(str(slot_id))
                if _future_count(session, user_id, now) >= self.max_future:
                    raise errors.TooManyAppointments(self.max_future)
                row = _new_booking(slot, user_id, channel, language, interpreter, now)
                session.add(row)
                session.flush()
                return _appointment(row)
        except IntegrityError:
            # The unique constraint caught what the checks could not see.
            holder_now = self._holder_of(slot_id)
            if holder_now is not None and holder_now.user_id == user_id:
                raise errors.AlreadyBooked(holder_now) from None
            if holder_now is None and self.slot(slot_id) is None:
                raise errors.SlotGone(str(slot_id)) from None
            raise errors.SlotTaken(str(slot_id)) from None

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
                raise errors.AlreadyCancelled(_appointment(row))
            if _aware(row.starts_at) <= now:
                raise errors.AppointmentInPast(_appointment(row))
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
                        raise errors.AlreadyBooked(
                            _appointment(holder)
                        )  # the move was done already
                    raise errors.AlreadyCancelled(_appointment(old))
                if _aware(old.starts_at) <= now:
                    raise errors.AppointmentInPast(_appointment(old))
                if old.slot_id == new_slot_id:
                    raise errors.AlreadyBooked(_appointment(old))
                slot = session.execute(
                    select(SlotRow).where(SlotRow.id == new_slot_id).with_for_update()
                ).scalar_one_or_none()
                if slot is None:
                    raise errors.SlotGone(str(new_slot_id))
                holder = _holder(session, new_slot_id)
                if holder is not None:
                    if holder.user_id == user_id:
                        raise errors.AlreadyBooked(_appointment(holder))
                    raise errors.SlotTaken(str(new_slot_id))
                if _aware(slot.starts_at) <= now:
                    raise errors.SlotInPast(str(new_slot_id))
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
            raise errors.SlotTaken(str(new_slot_id)) from None

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
