"""From rows to values, and the row-level steps the store's transactions share."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import (
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session

from common.clock import aware as _aware
from pes.appointments.errors import AppointmentNotFound
from pes.appointments.model import BOOKED, Appointment, Slot, _codes
from pes.appointments.tables import AppointmentRow, SlotRow
from pes.outbox import PENDING, OutboxRow


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
