"""The eligibility conversation: ask only the facts a question needs, then explain.

``check_eligibility`` (with or without a programme) and ``work_rights`` start
``eligibility_form``. Its required slots are whatever ``needed_facts`` says is
still missing for the question, so nobody is asked for a fact that does not
matter. The facts live in slots only; nothing about a person is logged.

Typed answers are read whatever the intent (``extract_<fact>``, language/answers.py):
a status in words, a date with "I applied", "I told you", "I don't know". The answer
itself, its sources and correcting a fact are ``answer.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.base import latest_entity
from pes.content import PROGRAMME_IDS
from pes.eligibility import (
    FACTS,
    KEYS,
    STATUSES,
    Facts,
    needed_facts,
)
from pes.eligibility.dates import DateNotUnderstood, DateOutOfRange, parse_date

UNKNOWN = "unknown"  # the person does not know or prefers not to say
_MONTH_ONLY = re.compile(r"^\d{4}-\d{2}$")


def today() -> dt.date:
    return dt.date.today()


def topic_keys(tracker: Tracker) -> tuple[str, ...]:
    """The rules the question is about: work, one programme, or every programme."""
    topic = tracker.get_slot("eligibility_topic")
    if topic == "work":
        return ("work",)
    if topic in PROGRAMME_IDS:
        return (str(topic),)
    return tuple(k for k in KEYS if k != "work")


def date_slot(value: Any) -> tuple[dt.date | None, bool]:
    """(date, exact) from the slot: 2026-02-03, or 2026-02 for a month (its last day)."""
    if not isinstance(value, str) or value == UNKNOWN:
        return None, True
    if _MONTH_ONLY.match(value):
        year, month = (int(p) for p in value.split("-"))
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1), False
    try:
        return dt.date.fromisoformat(value), True
    except ValueError:
        return None, True


def facts_from_slots(tracker: Tracker) -> Facts:
    status = tracker.get_slot("protection_status")
    registered = tracker.get_slot("registered_unemployed")
    age = tracker.get_slot("age")
    return Facts(
        protection_status=status if status in STATUSES else None,
        application_date=date_slot(tracker.get_slot("application_date"))[0],
        registered_unemployed={"yes": True, "no": False}.get(str(registered)),
        age=int(age) if isinstance(age, str) and age.isdigit() else None,
    )


def parse_age(text: str) -> int | None:
    """The first whole number in the text, any digits (٢٧, ۲۷, 27), if it is a plausible age."""
    digits = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() else (ch if ch.isascii() else " ") for ch in text
    )
    match = re.search(r"\d+", digits)
    if not match:
        return None
    value = int(match.group())
    return value if 0 < value < 120 else None


class _AskFact(Action, ABC):
    """Asks for one fact with the text ``eligibility.ask_<fact>`` (buttons included)."""

    @abstractmethod
    def name(self) -> str:
        """``action_ask_<fact>``, the name Rasa's form looks for."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        fact = self.name().removeprefix("action_ask_")
        dispatcher.utter_message(response=f"eligibility.ask_{fact}")
        return []


class ActionAskProtectionStatus(_AskFact):
    def name(self) -> str:
        return "action_ask_protection_status"


class ActionAskApplicationDate(_AskFact):
    def name(self) -> str:
        return "action_ask_application_date"


class ActionAskRegisteredUnemployed(_AskFact):
    def name(self) -> str:
        return "action_ask_registered_unemployed"


class ActionAskAge(_AskFact):
    def name(self) -> str:
        return "action_ask_age"


class ValidateEligibilityForm(FormValidationAction):
    """Decides which facts to ask and checks each answer."""

    def name(self) -> str:
        return "validate_eligibility_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        missing = needed_facts(facts_from_slots(tracker), today(), topic_keys(tracker))
        # A fact the person said they do not know is not asked again. A fact read from
        # this message stays in the list, or rasa-sdk would drop it unvalidated.
        given = answers.given_now(tracker, FACTS)
        typed = answers.text(tracker)  # a date said with the application: read even early
        if typed and tracker.get_slot("application_date") is None and applied_date(typed):
            given.append("application_date")
        return [f for f in FACTS if (f in missing and tracker.get_slot(f) != UNKNOWN) or f in given]

    # --- typed answers (language/answers.py): read whatever the intent was -------------

    def _reads(self, tracker: Tracker, slot: str) -> bool:
        """The form asks for ``slot`` now (so a value it has came from this message)."""
        return answers.requested(tracker) == slot

    async def extract_protection_status(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A status in words ("still waiting for the decision"): at the question, with the
        question that starts the form (then it replaces what was known), or in an earlier
        message; "I told you" looks back, "I don't know" is "other"."""
        reader = answers.reader()
        typed = answers.text(tracker)
        current = tracker.get_slot("protection_status")
        asked = answers.requested(tracker)
        if asked is None:  # the form starts: this message, else what was said before
            found = reader.status(typed) if typed else None
            if found is None and current is None:
                found = answers.recall(tracker, reader.status)
            return {"protection_status": found} if found and found != current else {}
        if asked != "protection_status":
            return {}
        # At the question the slot was empty before this message: what the reader finds
        # wins over what a slot mapping took from it.
        found = answers.already_said(tracker, reader.status)
        if found is None:
            entity = latest_entity(tracker, "protection_status")
            found = entity if entity in STATUSES else None
        if found is None and reader.says(typed, "dont_know"):
            found = "other"
        return {"protection_status": found} if found else {}

    async def extract_application_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A date said with the application ("I applied on 4 September") when the form
        starts (it replaces what was known), before, or at another of its questions;
        "I don't know" and "I told you" at its own question."""
        typed = answers.text(tracker)
        current = tracker.get_slot("application_date")
        asked = answers.requested(tracker)
        if asked is None:
            found = applied_date(typed) if typed else None
            if found is None and current is None:
                found = answers.recall(tracker, applied_date)
            return {"application_date": found} if found else {}
        if asked != "application_date":
            found = applied_date(typed) if typed else None
            return {"application_date": found} if found and found != current else {}
        if answers.reader().says(typed, "dont_know"):
            return {"application_date": UNKNOWN}
        if answers.reader().says(typed, "already_said"):
            earlier = answers.recall(tracker, applied_date)
            if earlier:
                return {"application_date": earlier}
        return {"application_date": typed} if typed and _has_date(typed) else {}

    async def extract_registered_unemployed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "I told you I'm registered", "not yet", a bare yes or no at the question."""
        reader = answers.reader()
        typed = answers.text(tracker)
        if answers.requested(tracker) == "registered_unemployed":
            if reader.says(typed, "dont_know"):
                return {"registered_unemployed": UNKNOWN}
            found = answers.already_said(tracker, reader.registered)
            return {"registered_unemployed": found} if found else {}
        if tracker.get_slot("registered_unemployed") is not None or not typed:
            return {}
        found = reader.registration(typed)
        return {"registered_unemployed": found} if found else {}

    async def extract_age(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._reads(tracker, "age"):
            return {}
        typed = answers.text(tracker)
        if answers.reader().says(typed, "dont_know"):
            return {"age": UNKNOWN}
        if answers.reader().says(typed, "already_said") and parse_age(typed) is None:
            earlier = answers.recall(tracker, parse_age)
            return {"age": str(earlier)} if earlier else {}
        return {}

    def validate_protection_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in STATUSES:
            return {"protection_status": value, **answers.understood()}
        if answers.requested(tracker) == "protection_status":
            return {"protection_status": None, **answers.missed(dispatcher, tracker, "status")}
        return {"protection_status": None}

    def validate_registered_unemployed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in ("yes", "no", UNKNOWN):
            return {"registered_unemployed": value, **answers.understood()}
        return {"registered_unemployed": None}

    def validate_application_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == UNKNOWN:
            return {"application_date": UNKNOWN}
        try:
            parsed = parse_date(str(value), today())
        except DateOutOfRange as exc:
            key = (
                "eligibility.date_in_future" if "future" in str(exc) else "eligibility.date_too_old"
            )
            dispatcher.utter_message(response=key)
            return {"application_date": None}
        except DateNotUnderstood:
            return {"application_date": None, **_not_understood(dispatcher, tracker, "date")}
        stored = parsed.date.isoformat() if parsed.exact else parsed.date.isoformat()[:7]
        return {"application_date": stored, **answers.understood()}

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == UNKNOWN:
            return {"age": UNKNOWN}
        age = parse_age(str(value))
        if age is None:
            return {"age": None, **_not_understood(dispatcher, tracker, "age")}
        return {"age": str(age), **answers.understood()}


def _not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, fact: str
) -> dict[str, Any]:
    """ "Not understood" the first time; the second time in a row, a counsellor offered."""
    return answers.missed(dispatcher, tracker, fact, f"eligibility.{fact}_not_understood")


def facts_in_message(tracker: Tracker) -> list[EventType]:
    """The facts the latest message gives in words (a date with the application, a
    status, the registration), each emptied so that ``eligibility_form`` reads it anew."""
    typed = answers.text(tracker)
    if not typed:
        return []
    reader = answers.reader()
    changed: list[EventType] = []
    if applied_date(typed):
        changed.append(SlotSet("application_date", None))
    status = reader.status(typed)
    if status and status != tracker.get_slot("protection_status"):
        changed.append(SlotSet("protection_status", None))
    if reader.registration(typed):
        changed.append(SlotSet("registered_unemployed", None))
    return changed


def _has_date(text: str) -> bool:
    """Whether the date reader finds a date in ``text`` (out of range counts: it is
    answered with its own message)."""
    try:
        parse_date(text, today())
    except DateNotUnderstood:
        return False
    except DateOutOfRange:
        return True
    return True


def applied_date(text: str) -> str | None:
    """``text`` when it gives the day of the application: a date with "I applied"."""
    if answers.reader().status(text) != "asylum_seeker":
        return None
    try:
        parse_date(text, today())
    except (DateNotUnderstood, DateOutOfRange):
        return None
    return text
