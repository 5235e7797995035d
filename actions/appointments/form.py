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

from actions import answers
from actions.appointments import shared
from actions.appointments.booking import booked_by, chosen_slot, say_no_free_times
from actions.appointments.shared import (
    WHEN_SLOT,
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
        # A day read from this message stays in the list, or rasa-sdk drops it unvalidated.
        when = answers.given_now(tracker, (WHEN_SLOT,))
        slot_id = as_id(tracker.get_slot("slot_id"))
        if slot_id is None:
            return ["city", "slot_id", "interpreter", "appointment_confirmed", *when]
        if booked_by(store().slot(slot_id), tracker.sender_id) is not None:
            return ["slot_id", *when]  # already theirs: nothing more to ask
        return ["slot_id", "interpreter", "appointment_confirmed", *when]

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

    # --- typed answers (language/answers.py): read whatever the intent was -------------

    async def extract_slot_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A day or part of a day in words ("anything on Wednesday afternoon?"), at any
        point of the booking: kept in ``appointment_when``, and its times offered next."""
        typed = answers.text(tracker)
        if not typed or latest_entity(tracker, "slot_id"):
            return {}
        when = answers.reader().when(typed)
        if when is None:
            return {}
        encoded = when.encode()
        if encoded == tracker.get_slot(WHEN_SLOT) and answers.requested(tracker) != "slot_id":
            return {}
        return {WHEN_SLOT: encoded}

    async def extract_interpreter(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "لا ما بدي مترجم", "без перекладача", "yes please": never a request for a person."""
        if answers.requested(tracker) != "interpreter":
            return {}  # (at the question, what the reader finds wins over a mapping's guess)
        found = answers.reader().interpreter(answers.text(tracker))
        return {"interpreter": found} if found else {}

    async def extract_appointment_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed "yes, book it" books; a typed "no" does not (whatever the intent)."""
        if answers.requested(tracker) != "appointment_confirmed":
            return {}
        found = answers.reader().reply(answers.text(tracker))
        return {"appointment_confirmed": found} if found else {}

    def validate_appointment_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value and answers.requested(tracker) == "slot_id":
            # The times of that day are offered instead of the ones shown before.
            return {WHEN_SLOT: value, "slot_id": None}
        return {WHEN_SLOT: value}

    def _typed_slot(self, text: str, tracker: Tracker) -> int | None:
        """The time a person typed: its button's number (2) or its time (9:30)."""
        offered, _ = shared.offered_slots(tracker)
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
            if tracker.get_slot(WHEN_SLOT) and answers.reader().when(str(value)):
                return {"slot_id": None}  # a day asked for: its times come next
            return {
                "slot_id": None,
                **answers.missed(
                    dispatcher, tracker, "slot_id", "appointments.slot_not_understood"
                ),
            }
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
