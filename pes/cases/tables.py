"""The case tables: ``cases``, ``case_messages``, ``case_notes``, ``case_audit``.

Their schema is owned by the migrations (``migrations/versions/0003_cases.py``,
``0004_case_gist.py``);
``pes/models.py`` imports this module so that Alembic sees them. ``case_of`` and
``message_of`` turn rows into the values of ``model.py``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from common.clock import aware_or_none as _aware
from common.clock import utcnow
from pes.cases.model import NORMAL, WAITING, Case, CaseMessage
from pes.db import Base


class CaseRow(Base):
    __tablename__ = "cases"
    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(80), nullable=False, index=True)
    open_user = Column(String(80), nullable=True, unique=True)  # user_id while open
    channel = Column(String(20), nullable=False)
    language = Column(String(12), nullable=False)
    reasons = Column(String(200), nullable=False)  # comma-separated, first reason first
    priority = Column(Integer, nullable=False, default=NORMAL)
    state = Column(String(12), nullable=False, default=WAITING, index=True)
    outcome = Column(String(30), nullable=True)
    counsellor = Column(String(64), nullable=True)
    opened_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    first_reply_at = Column(DateTime(timezone=True), nullable=True)
    last_user_at = Column(DateTime(timezone=True), nullable=True)
    last_reply_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    closed_by = Column(String(64), nullable=True)
    announced_at = Column(DateTime(timezone=True), nullable=True)
    noticed_at = Column(DateTime(timezone=True), nullable=True)
    office = Column(String(40), nullable=True, index=True)  # migration 0005
    office_source = Column(String(12), nullable=True)  # booking, city or counsellor


class CaseMessageRow(Base):
    __tablename__ = "case_messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(12), nullable=False)
    counsellor = Column(String(64), nullable=True)
    text = Column(Text, nullable=False)
    language = Column(String(12), nullable=True)
    translation = Column(Text, nullable=True)
    translation_language = Column(String(12), nullable=True)
    machine_translated = Column(Boolean, nullable=False, default=False)
    sent_text = Column(Text, nullable=True)
    outbox_id = Column(Integer, nullable=True)
    gist = Column(Text, nullable=True)  # pes.gist.Gist as JSON (migration 0004)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CaseNoteRow(Base):
    __tablename__ = "case_notes"
    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CaseAuditRow(Base):
    __tablename__ = "case_audit"
    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, nullable=True, index=True)  # no foreign key: outlives the case
    actor = Column(String(64), nullable=False)
    action = Column(String(20), nullable=False)
    detail = Column(String(200), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def case_of(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        user_id=row.user_id,
        channel=row.channel,
        language=row.language,
        reasons=tuple(r for r in row.reasons.split(",") if r),
        priority=row.priority,
        state=row.state,
        outcome=row.outcome,
        counsellor=row.counsellor,
        opened_at=_aware(row.opened_at) or utcnow(),
        updated_at=_aware(row.updated_at) or utcnow(),
        claimed_at=_aware(row.claimed_at),
        first_reply_at=_aware(row.first_reply_at),
        last_user_at=_aware(row.last_user_at),
        last_reply_at=_aware(row.last_reply_at),
        closed_at=_aware(row.closed_at),
        closed_by=row.closed_by,
    )


def message_of(row: CaseMessageRow) -> CaseMessage:
    return CaseMessage(
        id=row.id,
        case_id=row.case_id,
        author=row.author,
        text=row.text,
        language=row.language,
        created_at=_aware(row.created_at) or utcnow(),
        counsellor=row.counsellor,
        translation=row.translation,
        translation_language=row.translation_language,
        machine_translated=bool(row.machine_translated),
        sent_text=row.sent_text,
        outbox_id=row.outbox_id,
        gist=row.gist,
    )
