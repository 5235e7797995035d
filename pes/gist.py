"""An automatic summary (gist) of a message a person writes while a counsellor has their case.

Without a translation provider a counsellor cannot read Arabic, Persian or
Ukrainian. The assistant's own model can still say what the message is about: its
language (and how sure the detector is), the topic (the intent), and the things it
names (programmes, the city, the person's protection status, dates). The console
shows that beside the original, marked as automatic (``bot/console/templates/_gist.html``).

:func:`gist_of` makes it from Rasa's parse of the message (``runtime/channels.py``,
``/webhooks/rest/parse``) or, when Rasa cannot be asked, from the gateway's own
language detection alone (a parse with only ``language_detection``). Pure: no
clock (relative dates such as "next Monday" need the message's day, ``today``) and
no I/O beyond the answer words of ``data/answers`` that ``language.answers`` reads
once per process. Stored in the case as JSON (:meth:`Gist.to_json`), so it is
erased with the case.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from language.answers import Answers, When, answers
from language.detect import DETECTION_KEY
from pes.content import PROGRAMME_IDS
from pes.eligibility.dates import dates_in

STATUSES = ("refugee", "subsidiary_protection", "temporary_protection", "asylum_seeker", "other")
NOT_UNDERSTOOD = "nlu_fallback"
TOPIC_THRESHOLD = 0.3  # the model's own fallback threshold (config.yml)
HIGH, MEDIUM, LOW = "high", "medium", "low"
VERSION = 1


def level(confidence: float | None) -> str:
    """How sure, in a word a counsellor reads at a glance."""
    if confidence is None or confidence < 0.5:
        return LOW
    return HIGH if confidence >= 0.8 else MEDIUM


@dataclass(frozen=True)
class Gist:
    language: str | None
    language_confidence: float
    topic: str | None  # an intent; None when the model was unsure or not asked
    intent_confidence: float | None
    understood: bool  # the model was asked (False: language detection only)
    programmes: tuple[str, ...] = ()
    city: str | None = None
    status: str | None = None
    dates: tuple[str, ...] = ()  # ISO 8601: 2026-03-12, 2026-03, --03-12 (no year)

    @property
    def language_level(self) -> str:
        return level(self.language_confidence) if self.language else LOW

    @property
    def has_labels(self) -> bool:
        return bool(self.programmes or self.city or self.status or self.dates)

    def to_json(self) -> str:
        return json.dumps({"v": VERSION, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> Gist | None:
        """The stored gist; None for nothing, or for anything this version cannot read."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.pop("v", None) != VERSION:
                return None
            for key in ("programmes", "dates"):
                data[key] = tuple(data.get(key) or ())
            return cls(**data)
        except (ValueError, TypeError):
            return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _values(entities: Any, name: str) -> list[str]:
    items = entities if isinstance(entities, list) else []
    found = [
        item["value"]
        for item in items
        if isinstance(item, dict)
        and item.get("entity") == name
        and isinstance(item.get("value"), str)
    ]
    return list(dict.fromkeys(found))


def resolve(when: When, today: dt.date) -> dt.date | None:
    """The day "tomorrow", "on Wednesday" or "next Monday" names, said on ``today``."""
    if when.days_ahead is not None:
        return today + dt.timedelta(days=when.days_ahead)
    if when.weekday is None:
        return None
    if when.next_week:
        monday = today + dt.timedelta(days=7 - today.weekday())
        return monday + dt.timedelta(days=when.weekday)
    return today + dt.timedelta(days=(when.weekday - today.weekday()) % 7 or 7)


def dates_of(text: str, today: dt.date | None, words: Answers | None = None) -> tuple[str, ...]:
    """The dates ``text`` writes, ISO 8601; a day said in words only when ``today`` is known."""
    found = [m.iso() for m in dates_in(text)]
    if today is not None:
        when = (words or answers()).when(text)
        day = resolve(when, today) if when else None
        if day is not None:
            found.append(day.isoformat())
    return tuple(dict.fromkeys(found))


def gist_of(
    parse: Mapping[str, Any],
    text: str,
    *,
    today: dt.date | None = None,
    words: Answers | None = None,
) -> Gist:
    """The gist of ``text`` from its parse (intent, entities, ``language_detection``)."""
    found, said = parse.get(DETECTION_KEY), parse.get("intent")
    detection: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    language = detection.get("language") if isinstance(detection.get("language"), str) else None
    intent: Mapping[str, Any] = said if isinstance(said, Mapping) else {}
    name = intent.get("name") if isinstance(intent.get("name"), str) else None
    confidence = _number(intent.get("confidence"))
    sure = name not in (None, NOT_UNDERSTOOD) and (confidence or 0.0) >= TOPIC_THRESHOLD
    entities = parse.get("entities")
    cities = _values(entities, "city")
    statuses = [s for s in _values(entities, "protection_status") if s in STATUSES]
    return Gist(
        language=language,
        language_confidence=_number(detection.get("confidence")) or 0.0,
        topic=name if sure else None,
        intent_confidence=confidence,
        understood=name is not None,
        programmes=tuple(p for p in _values(entities, "programme") if p in PROGRAMME_IDS),
        city=cities[0] if cities else None,
        status=statuses[0] if statuses else None,
        dates=dates_of(text, today, words),
    )
