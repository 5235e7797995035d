"""When counsellors answer: their service hours and the wait a person is told.

``data/content/handoff.yml`` holds the hours, the days the service is closed, the
minutes a case takes and how many counsellors answer; ``estimate`` turns the number
of cases ahead into minutes, or the next opening. The conversation says it in words
(``actions/handoff.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common import datafile
from pes.content import CONTENT_DIR, WEEKDAYS

_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class ServiceHours:
    zone: ZoneInfo
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]]  # weekday (0 = Monday) -> ranges
    closed_on: frozenset[dt.date]
    minutes_per_case: int
    counsellors: int

    def ranges(self, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
        if day in self.closed_on:
            return ()
        return self.hours.get(day.weekday(), ())

    def open_until(self, when: dt.datetime) -> dt.datetime | None:
        """The end of the opening range ``when`` falls in; None when closed then."""
        local = when.astimezone(self.zone)
        for start, end in self.ranges(local.date()):
            if start <= local.time() < end:
                return dt.datetime.combine(local.date(), end, tzinfo=self.zone)
        return None

    def next_opening(self, when: dt.datetime) -> dt.datetime | None:
        """The next moment counsellors start answering (within four weeks)."""
        local = when.astimezone(self.zone)
        for offset in range(29):
            day = local.date() + dt.timedelta(days=offset)
            for start, _ in self.ranges(day):
                opening = dt.datetime.combine(day, start, tzinfo=self.zone)
                if opening > local:
                    return opening
        return None


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def load_hours(path: Path) -> ServiceHours:
    """Read and check the counsellors' hours; errors name the file and the line."""
    root = datafile.load(path).mapping("the handoff file")
    for required in ("timezone", "hours", "minutes_per_case", "counsellors"):
        if required not in root:
            raise datafile.ContentError(path, 1, f"needs '{required}'")
    zone_name = root["timezone"].text("timezone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise root["timezone"].error(
            f"unknown timezone '{zone_name}'; use a name like Europe/Ljubljana"
        ) from None
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for day, value in root["hours"].mapping("hours").items():
        if day not in WEEKDAYS:
            raise value.error(f"unknown weekday '{day}'; use {', '.join(WEEKDAYS)}")
        ranges = []
        for part in (p.strip() for p in value.text(f"hours {day}").split(",")):
            match = _RANGE.match(part)
            if not match or part[:5] >= part[6:]:
                raise value.error(f"hours {day}: '{part}' is not a time range like 08:00-15:00")
            ranges.append((_time(part[:5]), _time(part[6:])))
        hours[WEEKDAYS.index(day)] = tuple(sorted(ranges))
    closed: set[dt.date] = set()
    for item in root["closed_on"].items("closed_on") if "closed_on" in root else ():
        day_off: Any = item.value
        if isinstance(day_off, str):
            try:
                day_off = dt.date.fromisoformat(day_off)
            except ValueError:
                day_off = None
        if not isinstance(day_off, dt.date) or isinstance(day_off, dt.datetime):
            raise item.error(f"closed_on: '{item.value}' is not a date like 2026-12-25")
        closed.add(day_off)
    numbers = {}
    for name, low, high in (("minutes_per_case", 1, 480), ("counsellors", 1, 500)):
        value = root[name].value
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise root[name].error(f"{name} must be a whole number from {low} to {high}")
        numbers[name] = value
    return ServiceHours(
        zone=zone,
        hours=hours,
        closed_on=frozenset(closed),
        minutes_per_case=numbers["minutes_per_case"],
        counsellors=numbers["counsellors"],
    )


@lru_cache(maxsize=1)
def service_hours() -> ServiceHours:
    """The hours the action server uses (read once; a broken file stops the first use)."""
    return load_hours(CONTENT_DIR / "handoff.yml")


@dataclass(frozen=True)
class Wait:
    """Roughly when a counsellor answers: in ``minutes`` now, or from ``opens``."""

    ahead: int
    minutes: int | None = None
    opens: dt.datetime | None = None


def estimate(hours: ServiceHours, now: dt.datetime, ahead: int) -> Wait:
    """``ahead`` cases before this one; counsellors work ``hours``."""
    until = hours.open_until(now)
    if until is not None:
        minutes = math.ceil((ahead + 1) * hours.minutes_per_case / hours.counsellors)
        minutes = max(5, 5 * math.ceil(minutes / 5))
        if now + dt.timedelta(minutes=minutes) <= until:
            return Wait(ahead=ahead, minutes=minutes)
    return Wait(ahead=ahead, opens=hours.next_opening(now))
