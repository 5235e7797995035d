"""What a case is: its states, reasons, outcomes and priorities, and the values the store returns.

Plain values only; the tables are in ``tables.py``, the store in ``store.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

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


def priority_of(reasons: Iterable[str]) -> int:
    return HIGH if set(reasons) & HIGH_PRIORITY_REASONS else NORMAL


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
    gist: str | None = None  # the automatic summary, JSON (pes.gist.Gist.to_json)


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
