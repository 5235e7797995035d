"""The ``slots`` and ``appointments`` tables (the schema itself is owned by migrations/)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)

from common.clock import utcnow
from pes.db import Base

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
    # migration 0005 (issue 20): the reference a person quotes, attendance, the office's reason
    reference = Column(String(12), nullable=True, unique=True, index=True)
    marked_at = Column(DateTime(timezone=True), nullable=True)
    marked_by = Column(String(64), nullable=True)
    cancel_reason = Column(String(200), nullable=True)
