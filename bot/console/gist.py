"""The automatic summary of a person's message (``pes/gist.py``) in the counsellor's words.

The stored gist holds ids (``work_rights``, ``on_the_job_training``, ``maribor``,
``refugee``, ``2026-03-12``); the console shows each in the counsellor's language
(Slovenian or English): the topic's short name from ``data/content/topics.yml``, a
programme's name from the catalogue, the office's city name, the status and the
language from the console's labels, dates written as a counsellor writes them. A
confidence is a word (high, medium, low) with the number beside it on hover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from babel.dates import format_date

from language.catalogue import Catalogue
from pes import content, topics
from pes.gist import Gist, level


@dataclass(frozen=True)
class Chip:
    kind: str  # what it is ("Program"), said before it for screen readers and in print
    text: str


@dataclass(frozen=True)
class GistView:
    language: str  # the language's name
    language_level: str  # high, medium, low
    language_confidence: str  # "93 %"
    topic: str | None  # the topic's short name; None: not understood or not asked
    topic_level: str | None
    topic_confidence: str | None
    understood: bool
    chips: tuple[Chip, ...]


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{round(value * 100)} %"


# CLDR patterns (babel) as a counsellor writes a date: a day, a month of a year, a day of a month.
_PATTERNS = {"sl": ("EEE d. M. y", "LLLL y", "d. M."), "en": ("EEE d MMMM y", "LLLL y", "d MMMM")}


def date_text(iso: str, lang: str) -> str:
    """``2026-03-12``, ``2026-03`` or ``--03-12`` as a counsellor writes it (babel's CLDR data)."""
    day_pattern, month_pattern, no_year = _PATTERNS.get(lang, _PATTERNS["sl"])
    locale = lang if lang in _PATTERNS else "sl"
    try:
        if iso.startswith("--"):
            when, pattern = dt.date(2000, int(iso[2:4]), int(iso[5:7])), no_year  # a leap year
        elif len(iso) == 7:
            when, pattern = dt.date(int(iso[:4]), int(iso[5:7]), 1), month_pattern
        else:
            when, pattern = dt.date.fromisoformat(iso), day_pattern
    except (ValueError, IndexError):
        return iso
    return str(format_date(when, pattern, locale=locale))


def present(gist: Gist, t: Mapping[str, str], lang: str, catalogue: Catalogue) -> GistView:
    """``gist`` in the words of a counsellor reading ``lang`` (``t``: the console's labels)."""
    offices = content.default().offices
    chips = [
        Chip(t["gist_programme"], catalogue.text(f"programme.{p}.name", lang))
        for p in gist.programmes
        if catalogue.has(f"programme.{p}.name")
    ]
    if gist.city:
        office = offices.get(gist.city)
        chips.append(Chip(t["gist_city"], office.city_name(lang) if office else gist.city))
    if gist.status:
        chips.append(Chip(t["gist_status"], t.get(f"gist_status_{gist.status}", gist.status)))
    chips += [Chip(t["gist_date"], date_text(d, lang)) for d in gist.dates]
    language = t.get(f"gist_lang_{gist.language}") or t["gist_unknown_language"]
    topic = topics.default().name(gist.topic, lang)
    return GistView(
        language=language,
        language_level=gist.language_level,
        language_confidence=_percent(gist.language_confidence) or "",
        topic=topic,
        topic_level=level(gist.intent_confidence) if topic else None,
        topic_confidence=_percent(gist.intent_confidence) if topic else None,
        understood=gist.understood,
        chips=tuple(chips),
    )
