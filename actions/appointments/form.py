"""The booking form's checks: each answer against the database as it is now.

Every button carries its answer as an entity of ``book_appointment``
(``/book_appointment{"slot_id": "42"}``), so the form reads it whether it is still
active or a button is clicked later; typed answers are read too (an office name, the
number of a time, yes/no, a language).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import shared
from actions.appointments.booking import booked_by, chosen_slot, say_no_free_times
from actions.appointments.shared import (
    SLOTS_OFFERED,
    as_id,
    ascii_digits,
    default_interpreter,
    interpreter_choice,
    match_office,
    office,
    store,
)
from actions.base import latest_entity, reply_language
from common.clock import local
from language.languages import WORKING, normalise_code
from pes import appointments as ap
from pes.appointments import (
    NO_INTERPRETER,
    Slot,
)

_NUMBER = re.compile(r"\d+")
_CLOCK = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})")


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
        if booked_by(store().slot(slot_id), tracker.sender_id) is not None:
            return ["slot_id"]  # already theirs: nothing more to ask
        return ["slot_id", "interpreter", "appointment_confirmed"]

    def validate_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset by the start, not answered
            return {"city": None}
        city = match_office(str(value)) if value else None
        info = office(city)
        if info is None or city is None:
            if str(value) != "other":
                dispatcher.utter_message(response="appointments.unknown_office")
            return {"city": None}
        interpreter = interpreter_choice(tracker)
        if store().free_slots(city, shared.now(), 1, interpreter_language=interpreter):
            return {"city": city}
        say_no_free_times(dispatcher, city, info, interpreter, tracker)
        return {"city": None}

    def _offered(self, tracker: Tracker) -> list[Slot]:
        city = tracker.get_slot("city")
        if not isinstance(city, str) or office(city) is None:
            return []
        return store().free_slots(
            city, shared.now(), SLOTS_OFFERED, interpreter_language=interpreter_choice(tracker)
        )

    def _typed_slot(self, text: str, tracker: Tracker) -> int | None:
        """The time a person typed: its button's number (2) or its time (9:30)."""
        offered = self._offered(tracker)
        plain = ascii_digits(text)
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
            if booked_by(slot, tracker.sender_id) is not None:
                return chosen  # already theirs; the form ends and says so
            dispatcher.utter_message(response="appointments.slot_taken")
            return {"slot_id": None, "city": slot.office}
        if slot.starts_at <= shared.now():
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
        slot = chosen_slot(tracker)
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
