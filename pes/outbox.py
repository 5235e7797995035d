"""Messages waiting to reach a user, and where to reach them.

Counsellor replies and appointment reminders do not answer a user's message:
the assistant has to reach out. They are written to the ``outbox`` table first
(so that nothing is lost when a process restarts) and the gateway's delivery
worker (``bot/delivery.py``) sends them through the channel the user came on,
retrying with back-off. ``dedupe_key`` makes "send once" hold across restarts:
a second message with the same key is refused by a unique constraint.

``contacts`` keeps the one thing a channel needs to reach someone who is not
connected (the Telegram chat id), under the pseudonymous user id. It is erased
with everything else when the user asks (``forget``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, delete, select, update
from sqlalchemy.exc import IntegrityError

from common.clock import utcnow
from pes.db import Base, Database

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=2)


class ContactRow(Base):
    __tablename__ = "contacts"
    user_id = Column(String(80), primary_key=True)
    channel = Column(String(20), nullable=False)
    address = Column(String(120), nullable=True)
    language = Column(String(12), nullable=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboxRow(Base):
    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(80), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    kind = Column(String(30), nullable=False)
    message = Column(JSON, nullable=False)
    dedupe_key = Column(String(120), nullable=True, unique=True)
    state = Column(String(12), nullable=False, default=PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(80), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    not_before = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class OutboxItem:
    """One message for one user: ``message`` is ``{"text", "buttons", "image"?, ...}``."""

    id: int
    user_id: str
    channel: str
    kind: str
    message: dict[str, Any]
    attempts: int = 0
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        user_id=row.user_id,
        channel=row.channel,
        kind=row.kind,
        message=dict(row.message),
        attempts=row.attempts,
        created_at=_aware(row.created_at),
    )


class Outbox:
    """The durable queue of outgoing messages."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def put(
        self,
        user_id: str,
        channel: str,
        message: dict[str, Any],
        *,
        kind: str,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> int | None:
        """Queue a message; ``None`` when one with the same ``dedupe_key`` exists."""
        row = OutboxRow(
            user_id=user_id,
            channel=channel,
            kind=kind,
            message=message,
            dedupe_key=dedupe_key,
            state=PENDING,
            attempts=0,
            created_at=utcnow(),
            not_before=not_before or utcnow(),
        )
        try:
            with self.db.session() as session:
                session.add(row)
                session.flush()
                return int(row.id)
        except IntegrityError:
            return None

    def claim_due(
        self, channels: list[str] | None = None, *, user_id: str | None = None, limit: int = 50
    ) -> list[OutboxItem]:
        """Take due messages for sending; a claim nobody finished is taken again later."""
        now = utcnow()
        with self.db.session() as session:
            query = select(OutboxRow).where(
                ((OutboxRow.state == PENDING) & (OutboxRow.not_before <= now))
                | ((OutboxRow.state == SENDING) & (OutboxRow.not_before <= now - CLAIM_TIMEOUT))
            )
            if channels is not None:
                query = query.where(OutboxRow.channel.in_(channels))
            if user_id is not None:
                query = query.where(OutboxRow.user_id == user_id)
            rows = session.execute(query.order_by(OutboxRow.id).limit(limit)).scalars().all()
            claimed = []
            for row in rows:
                done = session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, OutboxRow.state == row.state)
                    .where(OutboxRow.not_before == row.not_before)
                    .values(state=SENDING, not_before=now)
                )
                if done.rowcount == 1:
                    claimed.append(_item(row))
            return claimed

    def delivered(self, item_id: int) -> None:
        with self.db.session() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item_id)
                .values(state=DELIVERED, delivered_at=utcnow(), last_error=None)
            )

    def release(self, item_id: int) -> None:
        """Not sent, and not a failure (the user is simply not connected): try later."""
        with self.db.session() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item_id, OutboxRow.state == SENDING)
                .values(state=PENDING, not_before=utcnow() + timedelta(seconds=30))
            )

    def failed(self, item_id: int, error: str) -> None:
        """A failed attempt: back off exponentially, give up after ``MAX_ATTEMPTS``."""
        with self.db.session() as session:
            row = session.get(OutboxRow, item_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error[:80]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = FAILED
            else:
                row.state = PENDING
                row.not_before = utcnow() + timedelta(seconds=min(3600, 5 * 2**row.attempts))

    def pending(self, user_id: str) -> list[OutboxItem]:
        """Undelivered messages for one user, oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxRow)
                .where(OutboxRow.user_id == user_id, OutboxRow.state.in_([PENDING, SENDING]))
                .order_by(OutboxRow.id)
            ).scalars()
            return [_item(row) for row in rows]

    def count(self, state: str) -> int:
        with self.db.session() as session:
            return len(session.execute(select(OutboxRow.id).where(OutboxRow.state == state)).all())

    def forget(self, user_id: str) -> int:
        """Erase every message for this user; returns how many."""
        with self.db.session() as session:
            result = session.execute(delete(OutboxRow).where(OutboxRow.user_id == user_id))
            return int(result.rowcount or 0)

    def purge_before(self, cutoff: datetime) -> int:
        """Erase delivered and failed messages older than ``cutoff`` (retention)."""
        with self.db.session() as session:
            result = session.execute(
                delete(OutboxRow).where(
                    OutboxRow.state.in_([DELIVERED, FAILED]), OutboxRow.created_at < cutoff
                )
            )
            return int(result.rowcount or 0)


@dataclass(frozen=True)
class Contact:
    user_id: str
    channel: str
    address: str | None
    language: str | None


class Contacts:
    """Where a pseudonymous user can be reached when they are not connected."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def remember(
        self, user_id: str, channel: str, address: str | None, language: str | None
    ) -> None:
        with self.db.session() as session:
            row = session.get(ContactRow, user_id)
            if row is None:
                session.add(
                    ContactRow(
                        user_id=user_id,
                        channel=channel,
                        address=address,
                        language=language,
                        updated_at=utcnow(),
                    )
                )
            else:
                row.channel, row.address, row.updated_at = channel, address, utcnow()
                if language:
                    row.language = language

    def get(self, user_id: str) -> Contact | None:
        with self.db.session() as session:
            row = session.get(ContactRow, user_id)
            if row is None:
                return None
            return Contact(row.user_id, row.channel, row.address, row.language)

    def forget(self, user_id: str) -> int:
        with self.db.session() as session:
            result = session.execute(delete(ContactRow).where(ContactRow.user_id == user_id))
            return int(result.rowcount or 0)

    def purge_before(self, cutoff: datetime) -> int:
        with self.db.session() as session:
            result = session.execute(delete(ContactRow).where(ContactRow.updated_at < cutoff))
            return int(result.rowcount or 0)
