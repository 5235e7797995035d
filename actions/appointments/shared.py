"""What booking and managing appointments share: the store, the clock, readers of the
conversation, office matching, buttons and the appointment's card.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue, in_reply_languages
from common.clock import utcnow
from common.payload import button
from common.text import fold_letters
from language.answers import When
from language.catalogue import PARTS, join, mark_direction
from language.languages import WORKING, normalise_code
from pes import appointments as ap
from pes import content
from pes.appointments import (
    NO_INTERPRETER,
    Appointment,
    AppointmentError,
    AppointmentStore,
    Slot,
    SlotGone,
    SlotInPast,
    SlotTaken,
)
from pes.db import default_database
from pes.settings import settings

SLOTS_OFFERED = 6  # the next free times offered as buttons
WHEN_SLOT = "appointment_when"  # a day asked for in words (language.answers.When.encode)

# What the person is told when the store refuses a time, by its exception.
SLOT_PROBLEMS: dict[type[AppointmentError], str] = {
    SlotTaken: "appointments.slot_taken",
    SlotInPast: "appointments.slot_in_past",
    SlotGone: "appointments.slot_gone",
}


# --- configuration, read once ----------------------------------------------------------


def public_url() -> str:
    """``PUBLIC_URL``: the gateway as people's browsers reach it (links in replies)."""
    return settings().actions.public_url


# A malformed setting stops the action server at start, with the variable's name.
MAX_FUTURE = settings().actions.max_future_appointments

_STORE: AppointmentStore | None = None


def store() -> AppointmentStore:
    """The appointment store on the project database (migrated on first use)."""
    global _STORE
    if _STORE is None:
        _STORE = AppointmentStore(default_database(), max_future=MAX_FUTURE)
    return _STORE


def now() -> datetime:
    """The time the actions go by. The other modules call it as ``shared.now()``, so a
    test sets the clock here once."""
    return utcnow()


def reply_for(exc: AppointmentError, replies: Mapping[type[AppointmentError], str]) -> str:
    """The text key for a refusal of the store: that of the first kind in ``replies`` it is."""
    return next(key for kind, key in replies.items() if isinstance(exc, kind))


# --- small readers -------------------------------------------------------------------


def channel_of(tracker: Tracker) -> str:
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel) if isinstance(channel, str) and channel else "unknown"


def intent_of(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return str(intent) if intent else None


def ascii_digits(text: str) -> str:
    """Any script's digits (٣, ۳) as ASCII, everything else kept."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def as_id(value: Any) -> int | None:
    """A positive whole number from a button's entity, else None."""
    text = ascii_digits(str(value)).strip() if value is not None else ""
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def default_interpreter(tracker: Tracker) -> str | None:
    """The conversation's language, as the interpreter's default (none for Slovenian)."""
    code = normalise_code(tracker.get_slot("language"))
    return code if code and code != WORKING else None


def clean_interpreter(value: Any) -> str | None:
    """A button's interpreter entity as a language code or ``none``; anything else None."""
    if not isinstance(value, str):
        return None
    return NO_INTERPRETER if value.strip().lower() == NO_INTERPRETER else normalise_code(value)


def interpreter_choice(tracker: Tracker) -> str | None:
    """The validated interpreter slot: a language code, ``none``, or not answered."""
    value = tracker.get_slot("interpreter")
    return value if isinstance(value, str) and value else None


def when_asked(tracker: Tracker) -> When | None:
    """The day or part of the day the person asked for ("Wednesday afternoon"), if any."""
    return When.decode(tracker.get_slot(WHEN_SLOT))


def offered_slots(tracker: Tracker) -> tuple[list[Slot], bool]:
    """The times offered now at the chosen office, and whether they fit the day asked for
    (False: nothing fits it, so these are simply the next free times)."""
    city = tracker.get_slot("city")
    if not isinstance(city, str) or office(city) is None:
        return [], True
    interpreter = interpreter_choice(tracker)
    when = when_asked(tracker)
    if when is not None:
        fitting = store().free_slots(
            city, now(), SLOTS_OFFERED, interpreter_language=interpreter, when=when
        )
        if fitting:
            return fitting, True
    free = store().free_slots(city, now(), SLOTS_OFFERED, interpreter_language=interpreter)
    return free, when is None


def office(city: str | None) -> content.Office | None:
    return content.default().offices.get(city or "")


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return fold_letters(text).replace("\u200c", " ")


def _word_match(word: str, known: str) -> bool:
    """``word`` is ``known`` or an inflected form of it (Mariboru, Kopru, Марибора)."""
    if word == known:
        return True
    common = 0
    for a, b in zip(word, known, strict=False):
        if a != b:
            break
        common += 1
    return common >= max(3, len(known) - 2) and abs(len(word) - len(known)) <= 4


def match_office(text: str) -> str | None:
    """The office a typed answer names ("v Mariboru", "Целе", "2" for the second button)."""
    offices = content.default().offices
    raw = ascii_digits(text).strip()
    if raw in offices:
        return raw
    if raw.isdigit() and 1 <= int(raw) <= len(offices):
        return list(offices)[int(raw) - 1]
    words = re.findall(r"\w+", _normal(text))
    scores: dict[str, int] = {}
    for city, info in offices.items():
        for name in {city.replace("_", " "), *info.names.values()}:
            parts = re.findall(r"\w+", _normal(name))
            if parts and all(any(_word_match(w, p) for w in words) for p in parts):
                scores[city] = max(scores.get(city, 0), sum(len(p) for p in parts))
    if not scores:
        return None
    best = max(scores.values())
    found = [city for city, score in scores.items() if score == best]
    return found[0] if len(found) == 1 else None


# --- buttons ----------------------------------------------------------------------------


def text_button(key: str, lang: str, intent: str, **entities: str) -> dict[str, str]:
    """A button titled with the catalogue's text ``key``, its direction marked."""
    return button(mark_direction(catalogue().text(key, lang), lang), intent, **entities)


def office_buttons(lang: str, intent: str = "book_appointment") -> list[dict[str, str]]:
    return [
        button(mark_direction(info.city_name(lang), lang), intent, city=city)
        for city, info in content.default().offices.items()
    ]


def slot_title(slot: Slot, lang: str) -> str:
    """ "Wed 2 Dec, 9:30 · English, Arabic": the time and the counsellor's languages."""
    when = ap.format_when(slot.starts_at, lang, short=True)
    spoken = [ap.language_name(code, lang) for code in slot.languages if code != WORKING][:3]
    return mark_direction(f"{when} · {join(spoken, lang)}" if spoken else when, lang)


def slot_buttons(slots: list[Slot], lang: str) -> list[dict[str, str]]:
    return [button(slot_title(s, lang), "book_appointment", slot_id=str(s.id)) for s in slots]


def other_office_button(lang: str) -> dict[str, str]:
    return text_button("appointments.button.other_office", lang, "book_appointment", city="other")


def listing(appointments: list[Appointment], lang: str) -> str:
    """A numbered list of appointments: time, office and address, interpreter."""
    comma = "، " if lang in ("ar", "fa") else ", "
    items = []
    for number, item in enumerate(appointments, start=1):
        values = ap.appointment_card(catalogue(), lang, item, office(item.office))
        items.append(
            f"{number}. {values['when']}\n{values['office']}{comma}{values['address']}\n"
            f"{values['interpreter']}"
        )
    return "\n\n".join(items)


def manage_buttons(appointments: list[Appointment], lang: str) -> list[dict[str, str]]:
    buttons = []
    for item in appointments:
        for b in ap.manage_buttons(catalogue(), lang, item):
            buttons.append({**b, "title": mark_direction(b["title"], lang)})
    return buttons


def card_values(appointment: Appointment, lang: str) -> dict[str, str]:
    return ap.appointment_card(catalogue(), lang, appointment, office(appointment.office))


def say_card(
    dispatcher: CollectingDispatcher, key: str, appointment: Appointment, tracker: Tracker
) -> None:
    """One appointment's text and, for web users, the link to its calendar file in the
    same message."""
    values = in_reply_languages(tracker, lambda lang: card_values(appointment, lang))
    if appointment.channel == "web":
        values.update(
            {
                PARTS: ["appointments.calendar"],
                "url": f"{public_url()}/appointments/{appointment.token}.ics",
            }
        )
    dispatcher.utter_message(response=key, **values)
