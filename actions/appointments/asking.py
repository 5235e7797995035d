"""The booking form's questions: office, time, interpreter, "book it?", with buttons."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import shared
from actions.appointments.booking import chosen_slot, say_no_free_times
from actions.appointments.shared import (
    default_interpreter,
    intent_of,
    interpreter_choice,
    office,
    office_buttons,
    other_office_button,
    slot_buttons,
    text_button,
)
from actions.base import catalogue, in_reply_languages, latest_entity, reply_language
from common.payload import button
from language.catalogue import mark_direction
from language.languages import LANGUAGES, WORKING
from pes import appointments as ap
from pes.appointments import (
    NO_INTERPRETER,
)


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
        free, fitting = shared.offered_slots(tracker)
        if free:
            key = "appointments.ask_slot" if fitting else "appointments.ask_slot_nothing_fits"
            dispatcher.utter_message(
                response=key,
                office=info.name,
                buttons=[*slot_buttons(free, lang), other_office_button(lang)],
            )
            return []
        interpreter = interpreter_choice(tracker)
        say_no_free_times(dispatcher, city, info, interpreter, tracker, other_office_button(lang))
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
        none = text_button(
            "appointments.button.no_interpreter",
            lang,
            "book_appointment",
            interpreter=NO_INTERPRETER,
        )
        wants_list = latest_entity(tracker, "interpreter") == "other" or (
            intent_of(tracker) == "affirm" and default is None
        )
        if wants_list:
            buttons = [
                button(mark_direction(info.native_name, lang), "book_appointment", interpreter=code)
                for code, info in LANGUAGES.items()
                if code != WORKING
            ]
            dispatcher.utter_message(
                response="appointments.ask_interpreter_language", buttons=[*buttons, none]
            )
            return []
        other = text_button(
            "appointments.button.other_language"
            if default
            else "appointments.button.choose_language",
            lang,
            "book_appointment",
            interpreter="other",
        )
        if default is None:
            dispatcher.utter_message(
                response="appointments.ask_interpreter_any", buttons=[other, none]
            )
            return []
        name = ap.language_name(default, lang)
        names = in_reply_languages(
            tracker, lambda written: {"language": ap.language_name(default, written)}
        )
        slot = chosen_slot(tracker)
        key = (
            "appointments.ask_interpreter_speaks"
            if slot is not None and default in slot.languages
            else "appointments.ask_interpreter"
        )
        yes = button(
            mark_direction(
                cat.text("appointments.button.yes_interpreter", lang, language=name), lang
            ),
            "book_appointment",
            interpreter=default,
        )
        dispatcher.utter_message(response=key, buttons=[yes, other, none], **names)
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
        slot = chosen_slot(tracker)
        if slot is None:
            dispatcher.utter_message(response="appointments.slot_gone")
            return [SlotSet("slot_id", None)]
        interpreter = interpreter_choice(tracker) or NO_INTERPRETER
        values = in_reply_languages(
            tracker,
            lambda written: ap.card(
                cat, written, slot.starts_at, office(slot.office), interpreter, slot.languages
            ),
        )
        yes = text_button(
            "appointments.button.book",
            lang,
            "book_appointment",
            slot_id=str(slot.id),
            interpreter=interpreter,
            confirm="yes",
        )
        no = text_button("appointments.button.no", lang, "deny")
        dispatcher.utter_message(response="appointments.confirm", buttons=[yes, no], **values)
        return []
