"""Booking: the start of ``book_appointment``, booking itself, and stopping.

``action_appointment_start`` answers at once when it can (the person already holds the
most appointments, a slot button they already booked, a "yes, book it" button clicked
again), and otherwise ``appointment_form`` asks its questions (``asking.py``) and checks
the answers (``form.py``); ``action_book_appointment`` books when it has them all.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import shared
from actions.appointments.shared import (
    SLOT_PROBLEMS,
    SLOTS_OFFERED,
    as_id,
    channel_of,
    clean_interpreter,
    interpreter_choice,
    listing,
    manage_buttons,
    office_buttons,
    reply_for,
    say_card,
    slot_buttons,
    store,
    text_button,
)
from actions.base import in_reply_languages, latest_entity, reply_language
from pes import appointments as ap
from pes import content
from pes.appointments import (
    NO_INTERPRETER,
    AlreadyBooked,
    Appointment,
    Slot,
    TooManyAppointments,
    wants_interpreter,
)

BOOKING_SLOTS = (
    "slot_id",
    "interpreter",
    "appointment_confirmed",
    "appointment_when",
    "answer_misses",
)


def say_too_many(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
    upcoming = store().upcoming(tracker.sender_id, shared.now())
    dispatcher.utter_message(
        response="appointments.too_many",
        count=str(len(upcoming)),
        buttons=manage_buttons(upcoming, lang),
        **in_reply_languages(tracker, lambda written: {"items": listing(upcoming, written)}),
    )


def say_no_free_times(
    dispatcher: CollectingDispatcher,
    city: str,
    info: content.Office,
    interpreter: str | None,
    tracker: Tracker,
    *more: dict[str, str],
) -> None:
    """No free time at the office that suits the interpreter asked for: say so, and offer
    booking without the interpreter when that would find a time. ``more``: buttons after."""
    lang = reply_language(tracker)
    if wants_interpreter(interpreter) and store().free_slots(city, shared.now(), 1):
        assert interpreter is not None
        dispatcher.utter_message(
            response="appointments.no_free_slots_interpreter",
            office=info.name,
            phone=info.phone,
            **in_reply_languages(
                tracker, lambda written: {"language": ap.language_name(interpreter, written)}
            ),
            buttons=[
                text_button(
                    "appointments.button.without_interpreter",
                    lang,
                    "book_appointment",
                    city=city,
                    interpreter=NO_INTERPRETER,
                ),
                *more,
            ],
        )
    else:
        dispatcher.utter_message(
            response="appointments.no_free_slots",
            office=info.name,
            phone=info.phone,
            address=info.address,
            buttons=[*more],
        )


def chosen_slot(tracker: Tracker) -> Slot | None:
    """The slot the form's ``slot_id`` names, if it is still published."""
    slot_id = as_id(tracker.get_slot("slot_id"))
    return store().slot(slot_id) if slot_id is not None else None


def booked_by(slot: Slot | None, user: str) -> Appointment | None:
    """The appointment on ``slot`` when it is ``user``'s own, else None."""
    if slot is None or not slot.appointment_id:
        return None
    holder = store().get(slot.appointment_id)
    return holder if holder is not None and holder.user_id == user else None


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
        store().free_slots(city, shared.now(), SLOTS_OFFERED, interpreter_language=interpreter)
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
            tracker.sender_id, slot_id, channel_of(tracker), lang, interpreter, shared.now()
        )
    except AlreadyBooked as exc:
        say_card(dispatcher, "appointments.already_booked", exc.appointment, tracker)
        return
    except tuple(SLOT_PROBLEMS) as exc:
        offer_others(dispatcher, reply_for(exc, SLOT_PROBLEMS), city, interpreter, lang)
        return
    except TooManyAppointments:
        say_too_many(dispatcher, tracker, lang)
        return
    say_card(dispatcher, "appointments.booked", booked, tracker)


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
            holder = booked_by(store().slot(slot_id), user)
            if holder is not None:
                say_card(dispatcher, "appointments.already_booked", holder, tracker)  # again
                return done
            if latest_entity(tracker, "confirm") == "yes":
                interpreter = clean_interpreter(latest_entity(tracker, "interpreter"))
                book_and_answer(dispatcher, tracker, slot_id, interpreter)
                return done
        if len(store().upcoming(user, shared.now())) >= store().max_future:
            say_too_many(dispatcher, tracker, lang)
            return done
        if not store().has_free_slots(shared.now()):
            say_none_free(dispatcher, lang)
            return done
        return [*_reset(), SlotSet("booking_started", True)]


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
            city = tracker.get_slot("city")
            buttons = (
                [
                    text_button(
                        "appointments.button.other_times", lang, "book_appointment", city=str(city)
                    )
                ]
                if city
                else []
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
