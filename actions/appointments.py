"""Appointments in the conversation: book, see, move and cancel (docs/appointments.md).

Booking (``book_appointment``, optionally with ``city``): ``action_appointment_start``
answers at once when it can (the person already holds the most appointments, a
slot button they already booked, a "yes, book it" button clicked again), and
otherwise ``appointment_form`` asks office -> time -> interpreter -> "book it?".
Every button carries its answer as an entity of ``book_appointment``
(``/book_appointment{"slot_id": "42"}``), so the form reads it whether it is
still active or a button is clicked later; typed answers are read too (an office
name, the number of a time, yes/no, a language).

Seeing, moving and cancelling work only on the person's own future appointments
(the store checks the pseudonymous sender id). Texts are keys of
``data/locales/<lang>.yml``; dates are written by ``pes.appointments.format_when``.
Nothing here logs who books what.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import catalogue, latest_entity, reply_language
from common.clock import local, utcnow
from common.payload import button
from common.text import fold_letters
from language.catalogue import join, mark_direction
from language.languages import LANGUAGES, WORKING, normalise_code
from pes import appointments as ap
from pes import content
from pes.appointments import (
    NO_INTERPRETER,
    AlreadyBooked,
    AlreadyCancelled,
    Appointment,
    AppointmentInPast,
    AppointmentNotFound,
    AppointmentStore,
    SettingError,
    Slot,
    SlotGone,
    SlotInPast,
    SlotTaken,
    TooManyAppointments,
    wants_interpreter,
)
from pes.db import default_database

SLOTS_OFFERED = 6  # the next free times offered as buttons
BOOKING_SLOTS = ("slot_id", "interpreter", "appointment_confirmed")
_NUMBER = re.compile(r"\d+")
_CLOCK = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})")


# --- configuration, read once ----------------------------------------------------------


@lru_cache(maxsize=1)
def public_url() -> str:
    """``PUBLIC_URL``: the gateway as people's browsers reach it (links in replies)."""
    raw = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        host = os.environ.get("GATEWAY_HOST", "127.0.0.1").strip() or "127.0.0.1"
        port = os.environ.get("GATEWAY_PORT", "8000").strip() or "8000"
        return f"http://{host}:{port}"
    if not re.fullmatch(r"https?://[A-Za-z0-9.\[\]:_-]+(/[A-Za-z0-9._~/-]*)?", raw):
        raise SettingError(f"PUBLIC_URL must be like https://assistant.ess.gov.si, not {raw!r}")
    return raw


# A malformed setting stops the action server at start, with the variable's name.
MAX_FUTURE = ap.max_future_appointments()
public_url()

_STORE: AppointmentStore | None = None


def store() -> AppointmentStore:
    """The appointment store on the project database (migrated on first use)."""
    global _STORE
    if _STORE is None:
        _STORE = AppointmentStore(default_database(), max_future=MAX_FUTURE)
    return _STORE


def now() -> datetime:
    return utcnow()


# --- small readers -------------------------------------------------------------------


def channel_of(tracker: Tracker) -> str:
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel) if isinstance(channel, str) and channel else "unknown"


def intent_of(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return str(intent) if intent else None


def _digits(text: str) -> str:
    """Any script's digits (٣, ۳) as ASCII, everything else kept."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def as_id(value: Any) -> int | None:
    """A positive whole number from a button's entity, else None."""
    text = _digits(str(value)).strip() if value is not None else ""
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
    raw = _digits(text).strip()
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


def _title(text: str, lang: str) -> str:
    return mark_direction(text, lang)


def office_buttons(lang: str, intent: str = "book_appointment") -> list[dict[str, str]]:
    return [
        button(_title(info.city_name(lang), lang), intent, city=city)
        for city, info in content.default().offices.items()
    ]


def slot_title(slot: Slot, lang: str) -> str:
    """ "Wed 2 Dec, 9:30 · English, Arabic": the time and the counsellor's languages."""
    when = ap.format_when(slot.starts_at, lang, short=True)
    spoken = [ap.language_name(code, lang) for code in slot.languages if code != WORKING][:3]
    return _title(f"{when} · {join(spoken, lang)}" if spoken else when, lang)


def slot_buttons(slots: list[Slot], lang: str) -> list[dict[str, str]]:
    return [button(slot_title(s, lang), "book_appointment", slot_id=str(s.id)) for s in slots]


def other_office_button(lang: str) -> dict[str, str]:
    title = catalogue().text("appointments.button.other_office", lang)
    return button(_title(title, lang), "book_appointment", city="other")


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
            buttons.append({**b, "title": _title(b["title"], lang)})
    return buttons


def _card(appointment: Appointment, lang: str) -> dict[str, str]:
    return ap.appointment_card(catalogue(), lang, appointment, office(appointment.office))


def say_card(
    dispatcher: CollectingDispatcher, key: str, appointment: Appointment, lang: str
) -> None:
    """One appointment's text, and for web users the link to its calendar file."""
    dispatcher.utter_message(response=key, **_card(appointment, lang))
    if appointment.channel == "web":
        url = f"{public_url()}/appointments/{appointment.token}.ics"
        dispatcher.utter_message(response="appointments.calendar", url=url)


def say_too_many(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
    upcoming = store().upcoming(tracker.sender_id, now())
    dispatcher.utter_message(
        response="appointments.too_many",
        count=str(len(upcoming)),
        items=listing(upcoming, lang),
        buttons=manage_buttons(upcoming, lang),
    )


def say_none_free(dispatcher: CollectingDispatcher, lang: str) -> None:
    """Nothing to book anywhere: the offices' phone numbers and hours instead."""
    dispatcher.utter_message(
        response="appointments.none_free", buttons=office_buttons(lang, "office_info")
    )


def offer_others(
    dispatcher: CollectingDispatcher, key: str, city: str | None, interpreter: str | None, lang: str
) -> None:
    """A slot could not be had: say why and offer the office's next free times."""
    free = (
        store().free_slots(city, now(), SLOTS_OFFERED, interpreter_language=interpreter)
        if city
        else []
    )
    buttons = slot_buttons(free, lang) if free else office_buttons(lang)
    dispatcher.utter_message(response=key, buttons=buttons)


def book_and_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot_id: int, interpreter: str | None
) -> None:
    """Book and say how it went: booked, already yours, taken, past, gone, too many."""
    lang = reply_language(tracker)
    known = store().slot(slot_id)
    city = known.office if known else tracker.get_slot("city")
    try:
        booked = store().book(
            tracker.sender_id, slot_id, channel_of(tracker), lang, interpreter, now()
        )
    except AlreadyBooked as exc:
        say_card(dispatcher, "appointments.already_booked", exc.appointment, lang)
        return
    except SlotTaken:
        offer_others(dispatcher, "appointments.slot_taken", city, interpreter, lang)
        return
    except SlotInPast:
        offer_others(dispatcher, "appointments.slot_in_past", city, interpreter, lang)
        return
    except SlotGone:
        offer_others(dispatcher, "appointments.slot_gone", city, interpreter, lang)
        return
    except TooManyAppointments:
        say_too_many(dispatcher, tracker, lang)
        return
    say_card(dispatcher, "appointments.booked", booked, lang)


def _reset() -> list[EventType]:
    return [SlotSet(name, None) for name in BOOKING_SLOTS]


# --- booking -----------------------------------------------------------------------------


class ActionAppointmentStart(Action):
    """Starts booking: answers at once when it can, else hands over to the form."""

    def name(self) -> str:
        return "action_appointment_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        user = tracker.sender_id
        done = [*_reset(), SlotSet("booking_started", False)]
        slot_id = as_id(latest_entity(tracker, "slot_id"))
        if slot_id is not None:
            slot = store().slot(slot_id)
            holder = store().get(slot.appointment_id) if slot and slot.appointment_id else None
            if holder is not None and holder.user_id == user:
                say_card(dispatcher, "appointments.already_booked", holder, lang)  # double click
                return done
            if latest_entity(tracker, "confirm") == "yes":
                interpreter = clean_interpreter(latest_entity(tracker, "interpreter"))
                book_and_answer(dispatcher, tracker, slot_id, interpreter)
                return done
        if len(store().upcoming(user, now())) >= store().max_future:
            say_too_many(dispatcher, tracker, lang)
            return done
        if not store().has_free_slots(now()):
            say_none_free(dispatcher, lang)
            return done
        return [*_reset(), SlotSet("booking_started", True)]


class ValidateAppointmentForm(FormValidationAction):
    """Checks each answer of the booking form against the database as it is now."""

    def name(self) -> str:
        return "validate_appointment_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slot_id = as_id(tracker.get_slot("slot_id"))
        if slot_id is None:
            return ["city", "slot_id", "interpreter", "appointment_confirmed"]
        slot = store().slot(slot_id)
        if slot and slot.appointment_id:
            holder = store().get(slot.appointment_id)
            if holder and holder.user_id == tracker.sender_id:
                return ["slot_id"]  # already theirs: nothing more to ask
        return ["slot_id", "interpreter", "appointment_confirmed"]

    def validate_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset by the start, not answered
            return {"city": None}
        lang = reply_language(tracker)
        city = match_office(str(value)) if value else None
        info = office(city)
        if info is None or city is None:
            if str(value) != "other":
                dispatcher.utter_message(response="appointments.unknown_office")
            return {"city": None}
        interpreter = interpreter_choice(tracker)
        if store().free_slots(city, now(), 1, interpreter_language=interpreter):
            return {"city": city}
        if wants_interpreter(interpreter) and store().free_slots(city, now(), 1):
            assert interpreter is not None
            dispatcher.utter_message(
                response="appointments.no_free_slots_interpreter",
                office=info.name,
                phone=info.phone,
                language=ap.language_name(interpreter, lang),
                buttons=[
                    button(
                        _title(
                            catalogue().text("appointments.button.without_interpreter", lang), lang
                        ),
                        "book_appointment",
                        city=city,
                        interpreter=NO_INTERPRETER,
                    )
                ],
            )
        else:
            dispatcher.utter_message(
                response="appointments.no_free_slots",
                office=info.name,
                phone=info.phone,
                address=info.address,
            )
        return {"city": None}

    def _offered(self, tracker: Tracker) -> list[Slot]:
        city = tracker.get_slot("city")
        if not isinstance(city, str) or office(city) is None:
            return []
        return store().free_slots(
            city, now(), SLOTS_OFFERED, interpreter_language=interpreter_choice(tracker)
        )

    def _typed_slot(self, text: str, tracker: Tracker) -> int | None:
        """The time a person typed: its button's number (2) or its time (9:30)."""
        offered = self._offered(tracker)
        plain = _digits(text)
        clock = _CLOCK.search(plain)
        if clock:
            hour, minute = int(clock.group(1)), int(clock.group(2))
            for slot in offered:
                start = local(slot.starts_at)
                if (start.hour, start.minute) == (hour, minute):
                    return slot.id
            return None
        number = _NUMBER.fullmatch(plain.strip().rstrip(".)"))
        if number and 1 <= int(number.group()) <= len(offered):
            return offered[int(number.group()) - 1].id
        return None

    def validate_slot_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset by the start, not answered
            return {"slot_id": None}
        lang = reply_language(tracker)
        from_button = latest_entity(tracker, "slot_id")
        if from_button is None and latest_entity(tracker, "city"):
            return {"slot_id": None}  # another office was named: its times come next
        slot_id = as_id(from_button) if from_button else self._typed_slot(str(value), tracker)
        if slot_id is None:
            dispatcher.utter_message(response="appointments.slot_not_understood")
            return {"slot_id": None}
        slot = store().slot(slot_id)
        if slot is None:
            dispatcher.utter_message(response="appointments.slot_gone")
            return {"slot_id": None}
        chosen = {"slot_id": str(slot.id), "city": slot.office}
        if slot.appointment_id is not None:
            holder = store().get(slot.appointment_id)
            if holder is not None and holder.user_id == tracker.sender_id:
                return chosen  # already theirs; the form ends and says so
            dispatcher.utter_message(response="appointments.slot_taken")
            return {"slot_id": None, "city": slot.office}
        if slot.starts_at <= now():
            dispatcher.utter_message(response="appointments.slot_in_past")
            return {"slot_id": None, "city": slot.office}
        interpreter = interpreter_choice(tracker)
        if not slot.suits(interpreter):
            assert interpreter is not None
            dispatcher.utter_message(
                response="appointments.no_interpreter_at_slot",
                language=ap.language_name(interpreter, lang),
            )
            return {"slot_id": None, "city": slot.office}
        return chosen

    def validate_interpreter(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset by the start, not answered
            return {"interpreter": None}
        lang = reply_language(tracker)
        raw = str(value).strip().lower() if value is not None else ""
        if raw == "yes":
            code = default_interpreter(tracker)
            if code is None:
                return {"interpreter": None}  # which language? the question lists them
        elif raw in (NO_INTERPRETER, "no", WORKING):
            return {"interpreter": NO_INTERPRETER}
        else:
            code = normalise_code(raw)
            if code is None:
                return {"interpreter": None}  # "other", or not a language: ask again
        slot_id = as_id(tracker.get_slot("slot_id"))
        slot = store().slot(slot_id) if slot_id is not None else None
        if slot is not None and not slot.suits(code):
            dispatcher.utter_message(
                response="appointments.no_interpreter_at_slot",
                language=ap.language_name(code, lang),
            )
            return {"interpreter": code, "slot_id": None}
        return {"interpreter": code}

    def validate_appointment_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset by the start, not answered
            return {"appointment_confirmed": None}
        answer = str(value).strip().lower() if value is not None else ""
        return {"appointment_confirmed": answer if answer in ("yes", "no") else None}


class ActionAskCity(Action):
    def name(self) -> str:
        return "action_ask_city"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        dispatcher.utter_message(response="appointments.ask_office", buttons=office_buttons(lang))
        return []


class ActionAskSlotId(Action):
    """Offers the office's next free times that suit the interpreter asked for."""

    def name(self) -> str:
        return "action_ask_slot_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        city = tracker.get_slot("city")
        info = office(city)
        if info is None or not isinstance(city, str):
            dispatcher.utter_message(
                response="appointments.ask_office", buttons=office_buttons(lang)
            )
            return []
        interpreter = interpreter_choice(tracker)
        free = store().free_slots(city, now(), SLOTS_OFFERED, interpreter_language=interpreter)
        if free:
            dispatcher.utter_message(
                response="appointments.ask_slot",
                office=info.name,
                buttons=[*slot_buttons(free, lang), other_office_button(lang)],
            )
            return []
        if wants_interpreter(interpreter) and store().free_slots(city, now(), 1):
            assert interpreter is not None
            title = catalogue().text("appointments.button.without_interpreter", lang)
            dispatcher.utter_message(
                response="appointments.no_free_slots_interpreter",
                office=info.name,
                phone=info.phone,
                language=ap.language_name(interpreter, lang),
                buttons=[
                    button(
                        _title(title, lang),
                        "book_appointment",
                        city=city,
                        interpreter=NO_INTERPRETER,
                    ),
                    other_office_button(lang),
                ],
            )
            return []
        dispatcher.utter_message(
            response="appointments.no_free_slots",
            office=info.name,
            phone=info.phone,
            address=info.address,
            buttons=[other_office_button(lang)],
        )
        return []


class ActionAskInterpreter(Action):
    """ "Do you need an interpreter?" with the conversation's language as the default."""

    def name(self) -> str:
        return "action_ask_interpreter"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        cat = catalogue()
        default = default_interpreter(tracker)
        none = button(
            _title(cat.text("appointments.button.no_interpreter", lang), lang),
            "book_appointment",
            interpreter=NO_INTERPRETER,
        )
        wants_list = latest_entity(tracker, "interpreter") == "other" or (
            intent_of(tracker) == "affirm" and default is None
        )
        if wants_list:
            buttons = [
                button(_title(info.native_name, lang), "book_appointment", interpreter=code)
                for code, info in LANGUAGES.items()
                if code != WORKING
            ]
            dispatcher.utter_message(
                response="appointments.ask_interpreter_language", buttons=[*buttons, none]
            )
            return []
        other = button(
            _title(
                cat.text(
                    "appointments.button.other_language"
                    if default
                    else "appointments.button.choose_language",
                    lang,
                ),
                lang,
            ),
            "book_appointment",
            interpreter="other",
        )
        if default is None:
            dispatcher.utter_message(
                response="appointments.ask_interpreter_any", buttons=[other, none]
            )
            return []
        name = ap.language_name(default, lang)
        slot_id = as_id(tracker.get_slot("slot_id"))
        slot = store().slot(slot_id) if slot_id is not None else None
        key = (
            "appointments.ask_interpreter_speaks"
            if slot is not None and default in slot.languages
            else "appointments.ask_interpreter"
        )
        yes = button(
            _title(cat.text("appointments.button.yes_interpreter", lang, language=name), lang),
            "book_appointment",
            interpreter=default,
        )
        dispatcher.utter_message(response=key, language=name, buttons=[yes, other, none])
        return []


class ActionAskAppointmentConfirmed(Action):
    """The booking as it will be, and "book it?"."""

    def name(self) -> str:
        return "action_ask_appointment_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        cat = catalogue()
        slot_id = as_id(tracker.get_slot("slot_id"))
        slot = store().slot(slot_id) if slot_id is not None else None
        if slot is None:
            dispatcher.utter_message(response="appointments.slot_gone")
            return [SlotSet("slot_id", None)]
        interpreter = interpreter_choice(tracker) or NO_INTERPRETER
        values = ap.card(
            cat, lang, slot.starts_at, office(slot.office), interpreter, slot.languages
        )
        yes = button(
            _title(cat.text("appointments.button.book", lang), lang),
            "book_appointment",
            slot_id=str(slot.id),
            interpreter=interpreter,
            confirm="yes",
        )
        no = {"title": _title(cat.text("appointments.button.no", lang), lang), "payload": "/deny"}
        dispatcher.utter_message(response="appointments.confirm", buttons=[yes, no], **values)
        return []


class ActionBookAppointment(Action):
    """Runs when the form has everything: books, or says why not."""

    def name(self) -> str:
        return "action_book_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        slot_id = as_id(tracker.get_slot("slot_id"))
        if slot_id is None:
            dispatcher.utter_message(response="appointments.stopped")
        elif tracker.get_slot("appointment_confirmed") == "no":
            title = catalogue().text("appointments.button.other_times", lang)
            city = tracker.get_slot("city")
            buttons = (
                [button(_title(title, lang), "book_appointment", city=str(city))] if city else []
            )
            dispatcher.utter_message(response="appointments.not_booked", buttons=buttons)
        else:
            book_and_answer(dispatcher, tracker, slot_id, interpreter_choice(tracker))
        return _reset()


class ActionStopBooking(Action):
    def name(self) -> str:
        return "action_stop_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="appointments.stopped")
        return _reset()


# --- seeing, cancelling, moving ---------------------------------------------------------


class ActionMyAppointments(Action):
    def name(self) -> str:
        return "action_my_appointments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        upcoming = store().upcoming(tracker.sender_id, now())
        if not upcoming:
            dispatcher.utter_message(response="appointments.none")
            return []
        dispatcher.utter_message(
            response="appointments.list",
            items=listing(upcoming, lang),
            buttons=manage_buttons(upcoming, lang),
        )
        return []


def _choice_buttons(
    appointments: list[Appointment], lang: str, intent: str
) -> list[dict[str, str]]:
    """One button per appointment: "Wed 2 Dec, 9:30 · Maribor"."""
    buttons = []
    for item in appointments:
        info = office(item.office)
        place = info.city_name(lang) if info else item.office
        when = ap.format_when(item.starts_at, lang, short=True)
        buttons.append(
            button(_title(f"{when} · {place}", lang), intent, appointment_id=str(item.id))
        )
    return buttons


class ActionCancelAppointment(Action):
    """Which one? -> "cancel it?" -> cancelled. Only the person's own future appointments."""

    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        intent = intent_of(tracker)
        pending = as_id(tracker.get_slot("appointment_id"))
        clear = [SlotSet("appointment_id", None)]
        if intent in ("affirm", "deny"):
            if pending is None:  # a yes or no to something else
                dispatcher.utter_message(
                    response="utter_ask_what_next"
                    if intent == "affirm"
                    else "utter_ok_anything_else"
                )
                return []
            if intent == "deny":
                dispatcher.utter_message(response="appointments.kept")
                return clear
            return self._cancel(dispatcher, tracker, pending, lang) + clear
        chosen = as_id(latest_entity(tracker, "appointment_id"))
        if chosen is not None and latest_entity(tracker, "confirm") == "yes":
            return self._cancel(dispatcher, tracker, chosen, lang) + clear
        upcoming = store().upcoming(tracker.sender_id, now())
        if not upcoming:
            dispatcher.utter_message(response="appointments.cancel_none")
            return clear
        if chosen is None and len(upcoming) == 1:
            chosen = upcoming[0].id
        target = next((a for a in upcoming if a.id == chosen), None)
        if target is None:
            if chosen is not None:
                dispatcher.utter_message(response="appointments.not_found")
            dispatcher.utter_message(
                response="appointments.cancel_which",
                buttons=_choice_buttons(upcoming, lang, "cancel_appointment"),
            )
            return clear
        cat = catalogue()
        values = _card(target, lang)
        yes = button(
            _title(cat.text("appointments.button.yes_cancel", lang), lang),
            "cancel_appointment",
            appointment_id=str(target.id),
            confirm="yes",
        )
        keep = {
            "title": _title(cat.text("appointments.button.keep", lang), lang),
            "payload": "/deny",
        }
        dispatcher.utter_message(
            response="appointments.cancel_confirm",
            when=values["when"],
            office=values["office"],
            buttons=[yes, keep],
        )
        return [SlotSet("appointment_id", str(target.id))]

    def _cancel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, appointment_id: int, lang: str
    ) -> list[EventType]:
        try:
            store().cancel(tracker.sender_id, appointment_id, now=now())
        except AlreadyCancelled:
            dispatcher.utter_message(response="appointments.already_cancelled")
        except AppointmentInPast:
            dispatcher.utter_message(response="appointments.over")
        except AppointmentNotFound:
            dispatcher.utter_message(response="appointments.not_found")
        else:
            dispatcher.utter_message(response="appointments.cancelled")
        return []


class ActionRescheduleAppointment(Action):
    """Which one? -> which new time (same office)? -> moved, in one transaction."""

    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        user = tracker.sender_id
        chosen = as_id(latest_entity(tracker, "appointment_id"))
        new_slot = as_id(latest_entity(tracker, "slot_id"))
        if chosen is not None and new_slot is not None:
            self._move(dispatcher, tracker, chosen, new_slot, lang)
            return []
        upcoming = store().upcoming(user, now())
        if not upcoming:
            dispatcher.utter_message(response="appointments.move_none")
            return []
        if chosen is None and len(upcoming) == 1:
            chosen = upcoming[0].id
        target = next((a for a in upcoming if a.id == chosen), None)
        if target is None:
            if chosen is not None:
                dispatcher.utter_message(response="appointments.not_found")
            dispatcher.utter_message(
                response="appointments.move_which",
                buttons=_choice_buttons(upcoming, lang, "reschedule_appointment"),
            )
            return []
        self._offer(dispatcher, target, lang)
        return []

    def _offer(self, dispatcher: CollectingDispatcher, target: Appointment, lang: str) -> None:
        info = office(target.office)
        free = store().free_slots(
            target.office,
            now(),
            SLOTS_OFFERED,
            interpreter_language=target.interpreter_language,
            exclude=target.slot_id,
        )
        if not free:
            dispatcher.utter_message(
                response="appointments.move_no_slots",
                office=info.name if info else target.office,
                phone=info.phone if info else "",
            )
            return
        buttons = [
            button(
                slot_title(s, lang),
                "reschedule_appointment",
                appointment_id=str(target.id),
                slot_id=str(s.id),
            )
            for s in free
        ]
        dispatcher.utter_message(
            response="appointments.move_ask_slot",
            when=ap.format_when(target.starts_at, lang),
            office=info.name if info else target.office,
            buttons=buttons,
        )

    def _move(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        appointment_id: int,
        slot_id: int,
        lang: str,
    ) -> None:
        user = tracker.sender_id
        try:
            moved = store().reschedule(user, appointment_id, slot_id, now=now())
        except AlreadyBooked as exc:
            say_card(dispatcher, "appointments.already_booked", exc.appointment, lang)
            return
        except (SlotTaken, SlotInPast, SlotGone) as exc:
            key = {
                SlotTaken: "appointments.slot_taken",
                SlotInPast: "appointments.slot_in_past",
                SlotGone: "appointments.slot_gone",
            }[type(exc)]
            dispatcher.utter_message(response=key)
            target = next(
                (a for a in store().upcoming(user, now()) if a.id == appointment_id), None
            )
            if target is not None:
                self._offer(dispatcher, target, lang)
            return
        except AlreadyCancelled:
            dispatcher.utter_message(response="appointments.already_cancelled")
            return
        except AppointmentInPast:
            dispatcher.utter_message(response="appointments.over")
            return
        except AppointmentNotFound:
            dispatcher.utter_message(response="appointments.not_found")
            return
        say_card(dispatcher, "appointments.moved", moved, lang)
