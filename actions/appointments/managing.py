"""Seeing, cancelling and moving appointments: only the person's own future ones (the
store checks the pseudonymous sender id).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import followups
from actions.appointments import shared
from actions.appointments.shared import (
    SLOT_PROBLEMS,
    SLOTS_OFFERED,
    as_id,
    card_values,
    intent_of,
    listing,
    manage_buttons,
    office,
    reply_for,
    say_card,
    slot_title,
    store,
    text_button,
)
from actions.base import in_reply_languages, latest_entity, reply_language
from common.payload import button
from language.catalogue import mark_direction
from pes import appointments as ap
from pes.appointments import (
    AlreadyBooked,
    AlreadyCancelled,
    Appointment,
    AppointmentError,
    AppointmentInPast,
    AppointmentNotFound,
)

# What the person is told when the store refuses a cancellation or a move.
_REFUSED: dict[type[AppointmentError], str] = {
    AlreadyCancelled: "appointments.already_cancelled",
    AppointmentInPast: "appointments.over",
    AppointmentNotFound: "appointments.not_found",
}


class _Managing(Action, ABC):
    """Seeing, cancelling and moving: a typed message that names no appointment, from a
    person who has none, was routed here by mistake (actions/followups.py)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if followups.off_topic(tracker) and not store().upcoming(tracker.sender_id, shared.now()):
            return followups.redirect(dispatcher, tracker)
        return await self.answer(dispatcher, tracker, domain)

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The action itself."""


class ActionMyAppointments(_Managing):
    def name(self) -> str:
        return "action_my_appointments"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        upcoming = store().upcoming(tracker.sender_id, shared.now())
        if not upcoming:
            dispatcher.utter_message(response="appointments.none")
            return []
        dispatcher.utter_message(
            response="appointments.list",
            buttons=manage_buttons(upcoming, lang),
            **in_reply_languages(tracker, lambda written: {"items": listing(upcoming, written)}),
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
            button(mark_direction(f"{when} · {place}", lang), intent, appointment_id=str(item.id))
        )
    return buttons


def _pick(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    chosen: int | None,
    lang: str,
    *,
    none: str,
    which: str,
    intent: str,
) -> Appointment | None:
    """The person's upcoming appointment ``chosen`` names, or their only one. Else None,
    having said there are none (``none``) or asked which with buttons of ``intent``."""
    upcoming = store().upcoming(tracker.sender_id, shared.now())
    if not upcoming:
        dispatcher.utter_message(response=none)
        return None
    if chosen is None and len(upcoming) == 1:
        chosen = upcoming[0].id
    target = next((a for a in upcoming if a.id == chosen), None)
    if target is None:
        if chosen is not None:
            dispatcher.utter_message(response="appointments.not_found")
        dispatcher.utter_message(response=which, buttons=_choice_buttons(upcoming, lang, intent))
    return target


class ActionCancelAppointment(_Managing):
    """Which one? -> "cancel it?" -> cancelled. Only the person's own future appointments."""

    def name(self) -> str:
        return "action_cancel_appointment"

    async def answer(
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
        target = _pick(
            dispatcher,
            tracker,
            chosen,
            lang,
            none="appointments.cancel_none",
            which="appointments.cancel_which",
            intent="cancel_appointment",
        )
        if target is None:
            return clear
        values = in_reply_languages(
            tracker,
            lambda written: {
                k: v for k, v in card_values(target, written).items() if k in ("when", "office")
            },
        )
        yes = text_button(
            "appointments.button.yes_cancel",
            lang,
            "cancel_appointment",
            appointment_id=str(target.id),
            confirm="yes",
        )
        keep = text_button("appointments.button.keep", lang, "deny")
        dispatcher.utter_message(
            response="appointments.cancel_confirm", buttons=[yes, keep], **values
        )
        return [SlotSet("appointment_id", str(target.id))]

    def _cancel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, appointment_id: int, lang: str
    ) -> list[EventType]:
        try:
            store().cancel(tracker.sender_id, appointment_id, now=shared.now())
        except tuple(_REFUSED) as exc:
            dispatcher.utter_message(response=reply_for(exc, _REFUSED))
        else:
            dispatcher.utter_message(response="appointments.cancelled")
        return []


class ActionRescheduleAppointment(_Managing):
    """Which one? -> which new time (same office)? -> moved, in one transaction."""

    def name(self) -> str:
        return "action_reschedule_appointment"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = reply_language(tracker)
        chosen = as_id(latest_entity(tracker, "appointment_id"))
        new_slot = as_id(latest_entity(tracker, "slot_id"))
        if chosen is not None and new_slot is not None:
            self._move(dispatcher, tracker, chosen, new_slot, lang)
            return []
        target = _pick(
            dispatcher,
            tracker,
            chosen,
            lang,
            none="appointments.move_none",
            which="appointments.move_which",
            intent="reschedule_appointment",
        )
        if target is not None:
            self._offer(dispatcher, tracker, target, lang)
        return []

    def _offer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, target: Appointment, lang: str
    ) -> None:
        info = office(target.office)
        free = store().free_slots(
            target.office,
            shared.now(),
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
            office=info.name if info else target.office,
            buttons=buttons,
            **in_reply_languages(
                tracker, lambda written: {"when": ap.format_when(target.starts_at, written)}
            ),
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
            moved = store().reschedule(user, appointment_id, slot_id, now=shared.now())
        except AlreadyBooked as exc:
            say_card(dispatcher, "appointments.already_booked", exc.appointment, tracker)
            return
        except tuple(SLOT_PROBLEMS) as exc:
            dispatcher.utter_message(response=reply_for(exc, SLOT_PROBLEMS))
            target = next(
                (a for a in store().upcoming(user, shared.now()) if a.id == appointment_id), None
            )
            if target is not None:
                self._offer(dispatcher, tracker, target, lang)
            return
        except tuple(_REFUSED) as exc:
            dispatcher.utter_message(response=reply_for(exc, _REFUSED))
            return
        say_card(dispatcher, "appointments.moved", moved, tracker)
