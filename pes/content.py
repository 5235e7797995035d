"""PES content (programmes, offices) read from ``data/content/``, checked on load.

The files are edited by PES staff; a broken file stops start-up with an error
that names the file, the line and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common import datafile
from language.languages import CORE

CONTENT_DIR = Path(__file__).resolve().parent.parent / "data" / "content"

PROGRAMME_IDS = (
    "labour_market_integration",
    "on_the_job_training",
    "slovene_course",
    "qualification_recognition",
    "job_club",
)
PROGRAMME_FIELDS = ("id", "source", "legal_basis")
OFFICE_FIELDS = ("city", "name", "names", "address", "phone", "hours")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_URL = re.compile(r"^https://\S+$")


@dataclass(frozen=True)
class Programme:
    id: str
    duration_months: int | None
    source: str
    legal_basis: str


@dataclass(frozen=True)
class Office:
    city: str
    name: str
    names: dict[str, str]
    address: str
    phone: str
    hours: dict[str, tuple[str, ...]]  # weekday -> ranges; a missing day is closed

    def city_name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["sl"]


@dataclass(frozen=True)
class Content:
    programmes: dict[str, Programme]
    offices: dict[str, Office]


def load_programmes(path: Path) -> dict[str, Programme]:
    found: dict[str, Programme] = {}
    for _, fields in datafile.entries(path, "programmes", "programme", PROGRAMME_FIELDS):
        pid = fields["id"].text("id")
        if pid not in PROGRAMME_IDS:
            raise fields["id"].error(f"unknown programme id '{pid}'; use one of {PROGRAMME_IDS}")
        if pid in found:
            raise fields["id"].error(f"programme '{pid}' appears twice")
        source = fields["source"].text(f"{pid} source")
        if not _URL.match(source):
            raise fields["source"].error(f"{pid} source must be an https:// link")
        months = fields["duration_months"].value if "duration_months" in fields else None
        if months is not None and (not isinstance(months, int) or months <= 0):
            raise fields["duration_months"].error(f"{pid} duration_months must be a whole number")
        found[pid] = Programme(pid, months, source, fields["legal_basis"].text("legal_basis"))
    missing = [pid for pid in PROGRAMME_IDS if pid not in found]
    if missing:
        raise datafile.ContentError(path, None, f"missing programme(s): {', '.join(missing)}")
    return found


def parse_hours(node: datafile.Node, city: str) -> dict[str, tuple[str, ...]]:
    """Opening hours per weekday (offices, institutions); errors name ``city`` and the line."""
    hours: dict[str, tuple[str, ...]] = {}
    for day, value in node.mapping(f"{city} hours").items():
        if day not in WEEKDAYS:
            raise value.error(f"{city}: unknown weekday '{day}'; use {', '.join(WEEKDAYS)}")
        ranges = tuple(part.strip() for part in value.text(f"{city} {day}").split(","))
        for part in ranges:
            if not _RANGE.match(part) or part[:5] >= part[6:]:
                raise value.error(f"{city} {day}: '{part}' is not a time range like 08:00-12:00")
        hours[day] = ranges
    return hours


def load_offices(path: Path) -> dict[str, Office]:
    found: dict[str, Office] = {}
    for _, fields in datafile.entries(path, "offices", "office", OFFICE_FIELDS):
        city = fields["city"].text("city")
        datafile.check_id(
            fields["city"], city, label="city", entry="office", example="novo_mesto", seen=found
        )
        names = {
            k: v.text(f"{city} name in {k}") for k, v in fields["names"].mapping("names").items()
        }
        if "sl" not in names:
            raise fields["names"].error(f"{city}: names needs at least 'sl'")
        unknown = set(names) - set(CORE)
        if unknown:
            raise fields["names"].error(f"{city}: names has unknown language(s) {sorted(unknown)}")
        found[city] = Office(
            city=city,
            name=fields["name"].text("name"),
            names=names,
            address=fields["address"].text("address"),
            phone=fields["phone"].text("phone"),
            hours=parse_hours(fields["hours"], city),
        )
    if not found:
        raise datafile.ContentError(path, None, "needs at least one office")
    return found


def load(directory: Path = CONTENT_DIR) -> Content:
    """Read and check all content files in ``directory``."""
    return Content(
        programmes=load_programmes(directory / "programmes.yml"),
        offices=load_offices(directory / "offices.yml"),
    )


@lru_cache(maxsize=1)
def default() -> Content:
    """The content the action server serves (read once)."""
    return load()
