"""The eligibility answer, its sources and correcting a fact (the form asks: ``form.py``).

The answer is one message: the verdicts with their reasons, the facts they were
decided from, the next step and its button, "Why?" (``/eligibility_sources``:
``action_eligibility_sources`` lists the legal sources in the person's
language) and a button to correct each fact the person gave.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import catalogue, in_reply_languages, latest_entity
from actions.eligibility import form
from actions.eligibility.form import (
    date_slot,
    facts_from_slots,
    facts_in_message,
    topic_keys,
)
from common.payload import payload
from language.catalogue import DROP_BUTTONS, PARTS, join
from pes.appointments.wording import babel_locale, native_digits
from pes.eligibility import FACTS, STATUSES, Decision, Source, evaluate

MARKS = {"yes": "✅", "no": "❌", "from": "⏳", "unknown": "❓"}


def _verdict(decision: Decision, lang: str) -> tuple[str, str]:
    cat = catalogue()
    if decision.eligible.startswith("from:"):
        day = dt.date.fromisoformat(decision.eligible[5:])
        return MARKS["from"], cat.text("eligibility.verdict.from", lang, date=long_date(day, lang))
    return MARKS[decision.eligible], cat.text(f"eligibility.verdict.{decision.eligible}", lang)


def long_date(day: dt.date, lang: str) -> str:
    """A date as the language writes it (3 February 2026, 3. februar 2026, 3 лютого 2026 р.)."""
    return native_digits(str(format_date(day, format="long", locale=babel_locale(lang))), lang)


def _month(day: dt.date, lang: str) -> str:
    """A month and year as the language writes them (February 2026, februar 2026)."""
    return native_digits(str(format_date(day, format="LLLL y", locale=babel_locale(lang))), lang)


def describe_facts(tracker: Tracker, decisions: dict[str, Decision], lang: str) -> str:
    """The facts the answer was decided from, in words."""
    cat = catalogue()
    used = {fact for decision in decisions.values() for fact in decision.used}
    parts = []
    for fact in (f for f in FACTS if f in used):
        raw = tracker.get_slot(fact)
        value: str | None = None
        if fact == "protection_status" and raw in STATUSES:
            value = cat.text(f"eligibility.status.{raw}", lang)
        elif fact == "application_date":
            day, exact = date_slot(raw)
            if day and not exact:
                parts.append(
                    cat.text(
                        "eligibility.fact.application_date_month", lang, value=_month(day, lang)
                    )
                )
                continue
            value = long_date(day, lang) if day else None
        elif fact == "registered_unemployed" and raw in ("yes", "no"):
            value = cat.text(f"eligibility.{raw}", lang)
        elif fact == "age" and isinstance(raw, str) and raw.isdigit():
            value = native_digits(raw, lang)
        value = value or cat.text("eligibility.fact.unknown", lang)
        parts.append(cat.text(f"eligibility.fact.{fact}", lang, value=value))
    return join(parts, lang, strong=True) if parts else cat.text("eligibility.fact.none", lang)


def _name(key: str, lang: str) -> str:
    return catalogue().text(
        "eligibility.name.work" if key == "work" else f"programme.{key}.name", lang
    )


def verdict_lines(decisions: dict[str, Decision], lang: str) -> str:
    """One line per question: mark, name, verdict and reasons."""
    cat = catalogue()
    lines = []
    for key, decision in decisions.items():
        mark, verdict = _verdict(decision, lang)
        reasons = join([cat.text(f"eligibility.reason.{r}", lang) for r in decision.reasons], lang)
        lines.append(
            cat.text(
                "eligibility.line",
                lang,
                mark=mark,
                name=_name(key, lang),
                verdict=verdict,
                reasons=reasons,
            )
        )
    return "\n".join(lines)


def next_steps(decisions: dict[str, Decision], keys: tuple[str, ...]) -> list[str]:
    """The keys of the next steps the answer ends with."""
    steps = []
    outcomes = [d.eligible for d in decisions.values()]
    if any("register_first" in d.reasons for d in decisions.values()):
        steps.append("eligibility.next_register")
    if "unknown" in outcomes:
        steps.append("eligibility.next_counsellor")
    elif "yes" in outcomes and keys != ("work",):
        steps.append("eligibility.next_book")
    return steps


def correctable(tracker: Tracker, decisions: dict[str, Decision]) -> list[str]:
    """The facts a person can correct after this answer: those it was decided from that
    the person gave (or answered "I don't know" to); never a fact nobody asked."""
    used = {fact for decision in decisions.values() for fact in decision.used}
    return [f for f in FACTS if f in used and tracker.get_slot(f) is not None]


def correct_payload(fact: str) -> str:
    return payload("correct_fact", fact=fact)


def source_title(source: Source, lang: str) -> str:
    """The source's title in ``lang``; else its Slovenian title, said to be Slovenian."""
    own = source.get(lang)
    if own:
        return own
    return catalogue().text("eligibility.source_in_slovenian", lang, title=source["sl"])


def source_lines(decisions: dict[str, Decision], lang: str) -> str:
    """One line per question: "• Right to work: International Protection Act ..."."""
    return "\n".join(
        f"• {_name(key, lang)}: {source_title(d.source, lang)}" for key, d in decisions.items()
    )


def decide(tracker: Tracker) -> tuple[tuple[str, ...], dict[str, Decision]]:
    """The question the conversation is about and the decisions from the slots' facts."""
    keys = topic_keys(tracker)
    return keys, evaluate(facts_from_slots(tracker), form.today(), keys=keys)


class ActionEligibilityAnswer(Action):
    """Answers yes / no / from when / a counsellor decides, with reasons, in one message."""

    def name(self) -> str:
        return "action_eligibility_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        keys, decisions = decide(tracker)
        values = in_reply_languages(
            tracker,
            lambda lang: {
                "lines": verdict_lines(decisions, lang),
                "facts": describe_facts(tracker, decisions, lang),
            },
        )
        parts = next_steps(decisions, keys)
        fixable = correctable(tracker, decisions)
        if fixable:
            parts.append("eligibility.change")
        dispatcher.utter_message(
            response="eligibility.answer",
            **{
                PARTS: parts,
                DROP_BUTTONS: [correct_payload(f) for f in FACTS if f not in fixable],
            },
            **values,
        )
        return []


class ActionEligibilitySources(Action):
    """ "Why?" after an answer: the rules' legal sources, in the person's language."""

    def name(self) -> str:
        return "action_eligibility_sources"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        _, decisions = decide(tracker)
        valid_from = max(d.valid_from for d in decisions.values())
        values = in_reply_languages(
            tracker,
            lambda lang: {
                "sources": source_lines(decisions, lang),
                "valid_from": long_date(valid_from, lang),
            },
        )
        dispatcher.utter_message(response="eligibility.sources", **values)
        return []


class ActionCorrectFact(Action):
    """Forgets one fact and asks it again; the others stay."""

    def name(self) -> str:
        return "action_correct_fact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        fact = latest_entity(tracker, "fact")
        if fact not in FACTS:
            changed = facts_in_message(tracker)
            if changed:  # "I'm not registered yet": that fact, then decide again
                return [*changed, FollowupAction("eligibility_form")]
            given = [f for f in FACTS if tracker.get_slot(f) is not None]
            # Only the facts the person gave (all four when they gave none yet).
            drop = [correct_payload(f) for f in FACTS if given and f not in given]
            dispatcher.utter_message(response="eligibility.change", **{DROP_BUTTONS: drop})
            return []
        return [SlotSet(fact, None), FollowupAction("eligibility_form")]
