"""Counsellor cases: the durable queue of conversations handed to a person.

A case is opened by the action server when someone asks for a person, needs
urgent help, or accepts the assistant's offer of a counsellor (after two
fallbacks in a row, the same question twice, or an eligibility answer that a
counsellor must decide). While a case is open the gateway hands the person's
messages to the case instead of to Rasa (``bot/handoff.py``); the counsellor
answers in the console (``bot/console/``) and closing the case hands the
conversation back to the assistant.

One person has at most one open case: a second escalation adds its reason and
raises the priority of the open one (``open_user`` is unique and set only
while the case is open, so two processes cannot open two cases at once).

Tables: ``cases``, ``case_messages`` (both directions, original and
translation), ``case_notes`` (private to counsellors), ``case_audit`` (who did
what to which case; staff names and case numbers only, no personal data of the
person), and the console's ``console_users``, ``console_sessions`` and
``console_login_failures``.

A counsellor's reply and the "case closed" message are written to the outbox
in the same transaction as the case, so nothing is recorded without being
queued for delivery, and nothing is queued without being recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.clock import aware_or_none as _aware
from common.clock import utcnow
from pes.db import Base, Database
from pes.outbox import PENDING, OutboxRow

WAITING, CLAIMED, ANSWERED, CLOSED = "waiting", "claimed", "answered", "closed"
OPEN_STATES = (WAITING, CLAIMED, ANSWERED)
STATES = (*OPEN_STATES, CLOSED)
NORMAL, HIGH = 1, 2

# Why a case was opened. ``urgent_help`` is high priority; the rest are normal.
REASONS = (
    "urgent_help",
    "request_human",
    "repeated_fallback",
    "repeated_question",
    "eligibility_unknown",
)
HIGH_PRIORITY_REASONS = frozenset({"urgent_help"})
# How a case ended (the console offers these; ``withdrawn``: the person went back to the bot).
OUTCOMES = (
    "answered",
    "referred_to_office",
    "appointment_booked",
    "interpreter_needed",
    "no_reply",
    "withdrawn",
    "duplicate",
    "other",
)
# Who wrote a case message.
USER, BOT, COUNSELLOR, SYSTEM = "user", "bot", "counsellor", "system"


class CaseError(Exception):
    """A case operation that cannot be done; ``code`` says why (for the console)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- tables -----------------------------------------------------------------------


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


class ConsoleUserRow(Base):
    __tablename__ = "console_users"
    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(64), nullable=False, unique=True)
    role = Column(String(12), nullable=False)
    password_hash = Column(String(200), nullable=False)
    language = Column(String(2), nullable=False, default="sl")
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ConsoleSessionRow(Base):
    __tablename__ = "console_sessions"
    id = Column(String(64), primary_key=True)  # SHA-256 of the cookie's token, never the token
    user_id = Column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class ConsoleLoginFailureRow(Base):
    __tablename__ = "console_login_failures"
    id = Column(Integer, primary_key=True, autoincrement=True)
    account = Column(String(64), nullable=False, index=True)
    source = Column(String(64), nullable=False, index=True)  # keyed hash of the address
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


# --- values -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: int
    user_id: str
    channel: str
    language: str
    reasons: tuple[str, ...]
    priority: int
    state: str
    outcome: str | None
    counsellor: str | None
    opened_at: datetime
    updated_at: datetime
    claimed_at: datetime | None = None
    first_reply_at: datetime | None = None
    last_user_at: datetime | None = None
    last_reply_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def urgent(self) -> bool:
        return self.priority >= HIGH

    @property
    def unread(self) -> bool:
        """The person wrote after the last reply (or nobody has replied yet)."""
        if self.last_user_at is None:
            return self.last_reply_at is None
        return self.last_reply_at is None or self.last_user_at > self.last_reply_at


@dataclass(frozen=True)
class CaseMessage:
    id: int
    case_id: int
    author: str
    text: str
    language: str | None
    created_at: datetime
    counsellor: str | None = None
    translation: str | None = None
    translation_language: str | None = None
    machine_translated: bool = False
    sent_text: str | None = None
    outbox_id: int | None = None


@dataclass(frozen=True)
class Note:
    id: int
    case_id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    case_id: int | None
    actor: str
    action: str
    detail: str | None
    at: datetime


@dataclass(frozen=True)
class HistoryItem:
    """A message of the conversation before the case, copied into it when it opens."""

    author: str  # USER or BOT
    text: str
    language: str | None
    at: datetime | None = None


def _case(row: CaseRow) -> Case:
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


def _message(row: CaseMessageRow) -> CaseMessage:
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
    )


def priority_of(reasons: Iterable[str]) -> int:
    return HIGH if set(reasons) & HIGH_PRIORITY_REASONS else NORMAL


# --- the store --------------------------------------------------------------------


class CaseStore:
    """Cases, their messages, notes and audit log, in the project database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    # opening -----------------------------------------------------------------------

    def open_case(
        self,
        user_id: str,
        channel: str,
        language: str,
        reason: str,
        *,
        history: Sequence[HistoryItem] = (),
    ) -> tuple[Case, bool]:
        """The person's open case, with ``reason`` added; ``True`` when it is new."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        for _ in range(3):
            try:
                with self.db.session() as session:
                    row = self._open_row(session, user_id)
                    now = utcnow()
                    if row is not None:
                        reasons = [r for r in row.reasons.split(",") if r]
                        if reason not in reasons:
                            reasons.append(reason)
                            row.reasons = ",".join(reasons)
                        row.priority = max(row.priority, priority_of(reasons))
                        row.updated_at = now
                        session.flush()
                        return _case(row), False
                    row = CaseRow(
                        user_id=user_id,
                        open_user=user_id,
                        channel=channel[:20],
                        language=language[:12],
                        reasons=reason,
                        priority=priority_of([reason]),
                        state=WAITING,
                        opened_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                    session.flush()
                    for item in history:
                        session.add(
                            CaseMessageRow(
                                case_id=row.id,
                                author=item.author,
                                text=item.text,
                                language=item.language,
                                created_at=item.at or now,
                            )
                        )
                    if any(item.author == USER for item in history):
                        row.last_user_at = max(
                            (i.at or now for i in history if i.author == USER), default=now
                        )
                    session.add(
                        CaseAuditRow(
                            case_id=row.id,
                            actor="assistant",
                            action="opened",
                            detail=reason,
                            at=now,
                        )
                    )
                    session.flush()
                    return _case(row), True
            except IntegrityError:  # another process opened it a moment ago: add to that one
                continue
        raise CaseError("busy")

    @staticmethod
    def _open_row(session: Session, user_id: str) -> CaseRow | None:
        return session.execute(  # type: ignore[no-any-return]
            select(CaseRow).where(CaseRow.open_user == user_id)
        ).scalar_one_or_none()

    # reading -----------------------------------------------------------------------

    def current(self, user_id: str) -> Case | None:
        """The person's open case, if any."""
        with self.db.session() as session:
            row = self._open_row(session, user_id)
            return _case(row) if row is not None else None

    def get(self, case_id: int) -> Case | None:
        with self.db.session() as session:
            row = session.get(CaseRow, case_id)
            return _case(row) if row is not None else None

    def last_case(self, user_id: str) -> Case | None:
        """The person's newest case, open or closed."""
        with self.db.session() as session:
            row = (
                session.execute(
                    select(CaseRow)
                    .where(CaseRow.user_id == user_id)
                    .order_by(CaseRow.id.desc())
                    .limit(1)
                )
                .scalars()
                .first()
            )
            return _case(row) if row is not None else None

    def queue(self) -> list[Case]:
        """Open cases: the most urgent first, then the longest waiting."""
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state.in_(OPEN_STATES))
                .order_by(CaseRow.priority.desc(), CaseRow.opened_at, CaseRow.id)
            ).scalars()
            return [_case(row) for row in rows]

    def recent_closed(self, limit: int = 50) -> list[Case]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state == CLOSED)
                .order_by(CaseRow.closed_at.desc(), CaseRow.id.desc())
                .limit(limit)
            ).scalars()
            return [_case(row) for row in rows]

    def ahead_of(self, case: Case) -> int:
        """How many open cases nobody has answered yet come before this one in the queue."""
        with self.db.session() as session:
            count = session.execute(
                select(func.count(CaseRow.id)).where(
                    CaseRow.state.in_((WAITING, CLAIMED)),
                    CaseRow.id != case.id,
                    (CaseRow.priority > case.priority)
                    | ((CaseRow.priority == case.priority) & (CaseRow.opened_at < case.opened_at)),
                )
            ).scalar_one()
            return int(count)

    def waiting_count(self) -> int:
        """Open cases nobody has answered yet."""
        with self.db.session() as session:
            count = session.execute(
                select(func.count(CaseRow.id)).where(CaseRow.state.in_((WAITING, CLAIMED)))
            ).scalar_one()
            return int(count)

    def messages(self, case_id: int) -> list[CaseMessage]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseMessageRow)
                .where(CaseMessageRow.case_id == case_id)
                .order_by(CaseMessageRow.created_at, CaseMessageRow.id)
            ).scalars()
            return [_message(row) for row in rows]

    def outbox_states(self, outbox_ids: Sequence[int]) -> dict[int, str]:
        """Delivery state of the counsellor's replies (pending, sending, delivered, failed)."""
        if not outbox_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.state).where(OutboxRow.id.in_(list(outbox_ids)))
            ).all()
            return {int(row_id): str(state) for row_id, state in rows}

    def version(self) -> tuple[str, int]:
        """Changes whenever any case or its messages change (for live updates)."""
        with self.db.session() as session:
            newest, count = session.execute(
                select(func.max(CaseRow.updated_at), func.count(CaseRow.id))
            ).one()
            return (str(newest), int(count))

    # the person's messages --------------------------------------------------------

    def add_message(
        self,
        case_id: int,
        author: str,
        text: str,
        language: str | None,
        *,
        translation: str | None = None,
        translation_language: str | None = None,
        machine_translated: bool = False,
    ) -> CaseMessage:
        """A message from the person (or a system line) into an open case."""
        with self.db.session() as session:
            case = session.get(CaseRow, case_id)
            if case is None or case.state == CLOSED:
                raise CaseError("closed")
            now = utcnow()
            row = CaseMessageRow(
                case_id=case_id,
                author=author,
                text=text,
                language=language,
                translation=translation,
                translation_language=translation_language,
                machine_translated=machine_translated,
                created_at=now,
            )
            session.add(row)
            case.updated_at = now
            if author == USER:
                case.last_user_at = now
            session.flush()
            return _message(row)

    def set_translation(
        self, message_id: int, translation: str, language: str, *, machine: bool = True
    ) -> None:
        with self.db.session() as session:
            row = session.get(CaseMessageRow, message_id)
            if row is None:
                return
            row.translation, row.translation_language = translation, language
            row.machine_translated = machine
            case = session.get(CaseRow, row.case_id)
            if case is not None:
                case.updated_at = utcnow()

    def should_notice(self, case_id: int, every: timedelta) -> bool:
        """True at most once per ``every`` (the "your message went to the counsellor" note)."""
        now = utcnow()
        with self.db.session() as session:
            result = session.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .where((CaseRow.noticed_at.is_(None)) | (CaseRow.noticed_at < now - every))
                .values(noticed_at=now)
            )
            return bool(result.rowcount)

    # counsellors --------------------------------------------------------------------

    def _open_for(self, session: Session, case_id: int) -> CaseRow:
        row: CaseRow | None = session.get(CaseRow, case_id)
        if row is None:
            raise CaseError("not_found")
        if row.state == CLOSED:
            raise CaseError("closed")
        return row

    def claim(self, case_id: int, counsellor: str, *, force: bool = False) -> Case:
        """Take a case; another counsellor's case only with ``force`` (admins)."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise CaseError("claimed_by_other")
            now = utcnow()
            row.counsellor, row.claimed_at, row.updated_at = counsellor, now, now
            if row.state == WAITING:
                row.state = CLAIMED
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="claimed", at=now))
            session.flush()
            return _case(row)

    def release(self, case_id: int, counsellor: str, *, force: bool = False) -> Case:
        """Give a case back to the queue."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise CaseError("claimed_by_other")
            now = utcnow()
            row.counsellor, row.claimed_at, row.updated_at = None, None, now
            row.state = ANSWERED if row.first_reply_at else WAITING
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="released", at=now))
            session.flush()
            return _case(row)

    def reply(
        self,
        case_id: int,
        counsellor: str,
        *,
        text: str,
        language: str,
        sent: dict[str, Any],
        sent_language: str,
        translation: str | None,
        machine_translated: bool,
        force: bool = False,
    ) -> CaseMessage:
        """Record a counsellor's reply and queue ``sent`` (what the person receives) for
        delivery, in one transaction. Claims the case if nobody has."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise CaseError("claimed_by_other")
            now = utcnow()
            outbox = OutboxRow(
                user_id=row.user_id,
                channel=row.channel,
                kind="counsellor_reply",
                message=sent,
                state=PENDING,
                attempts=0,
                created_at=now,
                not_before=now,
            )
            session.add(outbox)
            session.flush()
            message = CaseMessageRow(
                case_id=case_id,
                author=COUNSELLOR,
                counsellor=counsellor,
                text=text,
                language=language,
                translation=translation,
                translation_language=sent_language if translation is not None else None,
                machine_translated=machine_translated,
                sent_text=str(sent.get("text", "")),
                outbox_id=outbox.id,
                created_at=now,
            )
            session.add(message)
            if row.counsellor is None:
                row.counsellor, row.claimed_at = counsellor, now
            row.state = ANSWERED
            row.first_reply_at = row.first_reply_at or now
            row.last_reply_at = now
            row.updated_at = now
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="replied", at=now))
            session.flush()
            return _message(message)

    def close(
        self,
        case_id: int,
        actor: str,
        outcome: str,
        *,
        farewell: dict[str, Any] | None = None,
        force: bool = False,
    ) -> Case:
        """Close a case with its outcome; ``farewell`` (if any) is queued for the person.
        The conversation goes back to the assistant."""
        if outcome not in OUTCOMES:
            raise CaseError("bad_outcome")
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, actor) and not force:
                raise CaseError("claimed_by_other")
            now = utcnow()
            if farewell is not None:
                session.add(
                    OutboxRow(
                        user_id=row.user_id,
                        channel=row.channel,
                        kind="case_closed",
                        message=farewell,
                        state=PENDING,
                        attempts=0,
                        created_at=now,
                        not_before=now,
                    )
                )
            row.state, row.outcome, row.open_user = CLOSED, outcome, None
            row.closed_at, row.closed_by, row.updated_at = now, actor, now
            session.add(
                CaseAuditRow(case_id=case_id, actor=actor, action="closed", detail=outcome, at=now)
            )
            session.flush()
            return _case(row)

    # notes and audit ----------------------------------------------------------------

    def add_note(self, case_id: int, author: str, text: str) -> Note:
        with self.db.session() as session:
            case = session.get(CaseRow, case_id)
            if case is None:
                raise CaseError("not_found")
            now = utcnow()
            row = CaseNoteRow(case_id=case_id, author=author, text=text, created_at=now)
            session.add(row)
            case.updated_at = now
            session.add(CaseAuditRow(case_id=case_id, actor=author, action="noted", at=now))
            session.flush()
            return Note(row.id, row.case_id, row.author, row.text, _aware(row.created_at) or now)

    def notes(self, case_id: int) -> list[Note]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseNoteRow).where(CaseNoteRow.case_id == case_id).order_by(CaseNoteRow.id)
            ).scalars()
            return [
                Note(r.id, r.case_id, r.author, r.text, _aware(r.created_at) or utcnow())
                for r in rows
            ]

    def audit(
        self, case_id: int | None, actor: str, action: str, detail: str | None = None
    ) -> None:
        with self.db.session() as session:
            session.add(
                CaseAuditRow(
                    case_id=case_id,
                    actor=actor[:64],
                    action=action[:20],
                    detail=detail[:200] if detail else None,
                    at=utcnow(),
                )
            )

    def recently_audited(self, case_id: int, actor: str, action: str, within: timedelta) -> bool:
        with self.db.session() as session:
            found = session.execute(
                select(CaseAuditRow.id)
                .where(
                    CaseAuditRow.case_id == case_id,
                    CaseAuditRow.actor == actor,
                    CaseAuditRow.action == action,
                    CaseAuditRow.at >= utcnow() - within,
                )
                .limit(1)
            ).first()
            return found is not None

    def audit_log(self, case_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        with self.db.session() as session:
            query = select(CaseAuditRow)
            if case_id is not None:
                query = query.where(CaseAuditRow.case_id == case_id)
            rows = session.execute(
                query.order_by(CaseAuditRow.at.desc(), CaseAuditRow.id.desc()).limit(limit)
            ).scalars()
            return [
                AuditEntry(r.id, r.case_id, r.actor, r.action, r.detail, _aware(r.at) or utcnow())
                for r in rows
            ]

    # announcements of new cases (one gateway process announces each case once) ------

    def take_unannounced(self, limit: int = 20) -> list[Case]:
        """New cases nobody has announced yet, each taken by exactly one caller."""
        now = utcnow()
        taken: list[Case] = []
        with self.db.session() as session:
            rows = (
                session.execute(
                    select(CaseRow)
                    .where(CaseRow.announced_at.is_(None))
                    .order_by(CaseRow.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            for row in rows:
                done = session.execute(
                    update(CaseRow)
                    .where(CaseRow.id == row.id, CaseRow.announced_at.is_(None))
                    .values(announced_at=now)
                )
                if done.rowcount == 1:
                    taken.append(_case(row))
        return taken

    def unannounce(self, case_id: int) -> None:
        """An announcement failed: let it be taken again."""
        with self.db.session() as session:
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(announced_at=None))

    # erasure and retention ---------------------------------------------------------

    def _delete_cases(self, session: Session, ids: list[int]) -> int:
        if not ids:
            return 0
        erased = 0
        for table in (CaseMessageRow, CaseNoteRow):
            result = session.execute(delete(table).where(table.case_id.in_(ids)))
            erased += int(result.rowcount or 0)
        result = session.execute(delete(CaseRow).where(CaseRow.id.in_(ids)))
        return erased + int(result.rowcount or 0)

    def forget(self, user_id: str) -> int:
        """Erase every case of this person with its messages and notes; returns rows erased.
        The audit log keeps only case numbers and staff names, and stays."""
        with self.db.session() as session:
            ids = list(
                session.execute(select(CaseRow.id).where(CaseRow.user_id == user_id)).scalars()
            )
            return self._delete_cases(session, ids)

    def purge_before(self, cutoff: datetime) -> int:
        """Erase closed cases closed before ``cutoff`` (retention); returns rows erased."""
        with self.db.session() as session:
            ids = list(
                session.execute(
                    select(CaseRow.id).where(CaseRow.state == CLOSED, CaseRow.closed_at < cutoff)
                ).scalars()
            )
            return self._delete_cases(session, ids)
