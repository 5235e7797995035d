"""The one clock of the project: timezone-aware UTC for storing, Ljubljana for people.

Every timestamp the project stores is aware and in UTC (SQLite keeps no offset, so a
value read back may come naive: ``aware`` says it is UTC). What a person or a
counsellor reads is on the office's clock, ``TIMEZONE``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Ljubljana")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (what every timestamp column stores)."""
    return datetime.now(timezone.utc)


def aware(value: datetime) -> datetime:
    """``value`` with its zone; a naive value (as SQLite returns it) is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def aware_or_none(value: datetime | None) -> datetime | None:
    """``aware`` for a column that may be empty."""
    return None if value is None else aware(value)


def as_utc(value: datetime | None) -> datetime:
    """``value`` in UTC (now when it is None): what the stores write and compare."""
    return utcnow() if value is None else aware(value).astimezone(timezone.utc)


def local(moment: datetime) -> datetime:
    """The moment on the office's clock (Europe/Ljubljana)."""
    return aware(moment).astimezone(TIMEZONE)
