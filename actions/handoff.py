"""Handing a conversation to a counsellor: open the case, say when a person will answer.

``request_human`` opens a case at once; ``urgent_help`` first shows 112 and the
helplines (``utter_urgent_help``, a rule) and then opens a high-priority case.
Three signals make the assistant *offer* a counsellor instead of answering
(the person decides, because an open case silences the assistant):

- ``repeated_fallback``: two messages in a row were not understood;
- ``repeated_question``: the same question (same intent, same entities) twice in
  a row, although the assistant answered the first one;
- ``eligibility_unknown``: an eligibility answer that a counsellor must decide
  (its button, ``eligibility.next_counsellor``).

Accepting sends ``/request_human{"handoff_reason": "<signal>"}``, so the case
records why it was offered. ``action_handoff_signal`` is the custom slot
mapping of ``handoff_signal`` (run after every message) that finds the first
two signals; rules in ``data/rules/handoff.yml`` turn them into the offer.

The case is written to the project database (``pes/cases/``), which the
gateway reads: from the next message on, the gateway gives the person's
messages to the case, not to Rasa (``bot/handoff.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.base import catalogue, in_reply_languages, latest_entity, session_events
from common.clock import utcnow
from common.datafile import ContentError
from language.languages import FALLBACK, is_known
from language.languages import reply_language as reply_language_of
from pes.appointments.wording import native_digits
from pes.cases import BOT, USER, CaseError, CaseStore, HistoryItem
from pes.content import WEEKDAYS
from pes.db import default_database
from pes.service_hours import Wait, estimate, service_hours

logger = logging.getLogger(__name__)

SIGNAL_SLOT = "handoff_signal"
REASON_ENTITY = "handoff_reason"
# Reasons a person can accept from an offer (the payload's handoff_reason).
OFFERED_REASONS = ("repeated_fallback", "repeated_question", "eligibility_unknown")
# Questions the assistant answers from content: asking one of these again, the same
# way, right after the answer means the answer did not help.
QUESTION_INTENTS = (
    "list_programmes",
    "programme_details",
    "language_course",
    "recognise_qualifications",
    "register_unemployed",
    "required_documents",
    "financial_support",
    "find_job",
    "office_info",
    "privacy_info",
)
# Channels whose messages the gateway can deliver later (rasa shell cannot).
DELIVERABLE = ("web", "telegram")
HISTORY_LIMIT = 30


def wait_text(wait: Wait, lang: str, now: dt.datetime, zone: ZoneInfo) -> str:
    """The wait in words, in ``lang`` (with its digits: Persian ones in Persian)."""
    cat = catalogue()

    def digits(value: object) -> str:
        return native_digits(str(value), lang)

    if wait.minutes is not None:
        if wait.ahead == 0:
            return cat.text("handoff.wait_next", lang, minutes=digits(wait.minutes))
        return cat.text(
            "handoff.wait_minutes", lang, minutes=digits(wait.minutes), ahead=digits(wait.ahead)
        )
    if wait.opens is None:
        return cat.text("handoff.wait_unknown", lang)
    local_now = now.astimezone(zone)
    days = (wait.opens.date() - local_now.date()).days
    which = {0: "today", 1: "tomorrow"}.get(days, WEEKDAYS[wait.opens.weekday()])
    when = cat.text(f"handoff.next.{which}", lang, time=digits(wait.opens.strftime("%H:%M")))
    return cat.text("handoff.wait_later", lang, when=when)


# --- what the tracker tells -------------------------------------------------------


def _intent(event: dict[str, Any]) -> str | None:
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return str(name) if name else None


def _entities(event: dict[str, Any]) -> frozenset[tuple[str, str]]:
    found = (event.get("parse_data") or {}).get("entities") or []
    return frozenset(
        (str(e.get("entity")), str(e.get("value")))
        for e in found
        if isinstance(e, dict) and e.get("entity") != REASON_ENTITY
    )


def signal(tracker: Tracker) -> str | None:
    """``repeated_fallback``, ``repeated_question`` or None for the latest message.

    Two fallbacks in a row: this message is ``nlu_fallback`` and the one before was
    one the assistant did not understand either (answered with ``utter_default``). A
    message a form took as an answer (a date, an age: no intent, but understood) is
    not a miss, so the first miss after it is the first ("still" comes with the second).
    The same question again: this message and the one before have the same intent
    (one of ``QUESTION_INTENTS``) and the same entities, and the assistant answered
    in between. The same question does not count inside a form (the form asks it),
    and neither counts right after an offer (then the person chose to go on with the
    assistant).
    """
    in_form = bool((tracker.active_loop or {}).get("name"))
    events = session_events(tracker)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    previous, current = events[users[-2]], events[users[-1]]
    between = events[users[-2] + 1 : users[-1]]
    if any(e.get("event") == "action" and e.get("name") == ACTION_OFFER for e in between):
        return None
    intent = _intent(current)
    missed = _intent(previous) == "nlu_fallback" and any(
        e.get("event") == "action" and e.get("name") == MISS_REPLY for e in between
    )
    if intent == "nlu_fallback" and missed:
        return "repeated_fallback"
    answered = any(e.get("event") == "bot" for e in between)
    if (
        not in_form
        and intent in QUESTION_INTENTS
        and intent == _intent(previous)
        and _entities(current) == _entities(previous)
        and answered
    ):
        return "repeated_question"
    return None


def _at(event: dict[str, Any]) -> dt.datetime | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    return dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc)


def history(tracker: Tracker, language: str) -> list[HistoryItem]:
    """The conversation so far (this session, the last messages), for the counsellor.

    Each message carries its language: the assistant's in the language it answered in
    (the ``language`` slot then, English for languages without written replies), the
    person's as the resolver detected it (the script alone tells Arabic from English in a
    one-word message), else the conversation's at the time.
    """
    items = []
    current = language
    for event in session_events(tracker):
        if event.get("event") == "slot" and event.get("name") == "language":
            value = event.get("value")
            current = str(value) if is_known(value) else FALLBACK
            continue
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        if event.get("event") == "user":
            detection = (event.get("parse_data") or {}).get("language_detection") or {}
            detected = detection.get("language") if isinstance(detection, dict) else None
            lang = str(detected) if is_known(detected) else current
            items.append(HistoryItem(USER, text, lang, _at(event)))
        elif event.get("event") == "bot":
            written = reply_language_of(current)
            items.append(HistoryItem(BOT, text.replace("\u200f", ""), written, _at(event)))
    return items[-HISTORY_LIMIT:]


def channel_of(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if isinstance(channel, str) else None


def reason_of(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "urgent_help":
        return "urgent_help"
    offered = latest_entity(tracker, REASON_ENTITY)
    return offered if offered in OFFERED_REASONS else "request_human"


def now() -> dt.datetime:
    return utcnow()


# --- the actions ------------------------------------------------------------------

ACTION_OPEN = "action_open_case"
ACTION_OFFER = "action_offer_counsellor"
MISS_REPLY = "utter_default"  # "I did not understand": the answer to a message not understood


class ActionOpenCase(Action):
    """Opens (or adds to) the person's case and tells them when a counsellor answers."""

    def name(self) -> str:
        return ACTION_OPEN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        channel = channel_of(tracker)
        if channel not in DELIVERABLE:  # e.g. rasa shell: nobody could answer here
            dispatcher.utter_message(response="utter_human_contact")
            return []
        conversation_language = tracker.get_slot("language")
        case_language = str(conversation_language) if is_known(conversation_language) else FALLBACK
        reason = reason_of(tracker)
        try:
            store = CaseStore(default_database())
            case, created = store.open_case(
                tracker.sender_id,
                channel,
                case_language,
                reason,
                history=history(tracker, case_language),
            )
            ahead = store.ahead_of(case)
        except (SQLAlchemyError, CaseError, OSError) as exc:
            logger.error("could not open a case: %s", type(exc).__name__)
            dispatcher.utter_message(response="utter_human_contact")
            return []
        try:
            hours = service_hours()
        except ContentError as exc:  # the case is open; only the wait is unknown
            logger.error("counsellors' hours: %s", exc)
            values = in_reply_languages(
                tracker, lambda lang: {"wait": catalogue().text("handoff.wait_unknown", lang)}
            )
        else:
            moment = now()
            wait = estimate(hours, moment, ahead)
            values = in_reply_languages(
                tracker, lambda lang: {"wait": wait_text(wait, lang, moment, hours.zone)}
            )
        if not created:
            key = "handoff.already_open"
        elif case.urgent:
            key = "handoff.opened_urgent"
        else:
            key = "handoff.opened"
        dispatcher.utter_message(response=key, **values)
        return [SlotSet(SIGNAL_SLOT, None)]


class ActionOfferCounsellor(Action):
    """After two fallbacks in a row or the same question twice: offer a counsellor."""

    def name(self) -> str:
        return ACTION_OFFER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        key = "handoff.offer_fallback" if intent == "nlu_fallback" else "handoff.offer_repeated"
        if (tracker.active_loop or {}).get("name"):
            key = "handoff.offer_in_form"  # its "no" must not end the form: answer again
        dispatcher.utter_message(response=key)
        return []


class ActionHandoffSignal(Action):
    """Custom slot mapping of ``handoff_signal``, run after every user message."""

    def name(self) -> str:
        return "action_handoff_signal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        value = signal(tracker)
        if value == tracker.get_slot(SIGNAL_SLOT):
            return []
        return [SlotSet(SIGNAL_SLOT, value)]
