"""What an appointment is: statuses, limits, slots and bookings as values, the per-person limit setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

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
