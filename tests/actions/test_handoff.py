"""Handoff actions: the case in the database, the wait in words, the signals that offer one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import pes.db
from actions import handoff
from actions.base import catalogue
from actions.handoff import (
    QUESTION_INTENTS,
    ActionHandoffSignal,
    ActionOfferCounsellor,
    ActionOpenCase,
    service_hours,
    signal,
    wait_text,
)
from common.datafile import ContentError
from language.languages import CORE
from pes.cases import HIGH, NORMAL, USER, CaseStore
from pes.db import Database
from pes.service_hours import ServiceHours, estimate, load_hours

ROOT = Path(__file__).resolve().parents[2]
ZONE = service_hours().zone


def at(text: str) -> dt.datetime:
    """A moment on the Ljubljana clock."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


_CLOCK = iter(range(1_764_000_000, 1_765_000_000, 7))


def user(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": float(next(_CLOCK)),
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "language_detection": extra.get("detection", {}),
        },
        "metadata": {"channel": extra.get("channel", "web")},
    }


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "timestamp": float(next(_CLOCK)), "text": text}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def tracker(
    events: list[dict[str, Any]],
    *,
    slots: dict[str, Any] | None = None,
    active_loop: dict[str, Any] | None = None,
    sender: str = "web-test-person",
) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    message = {**latest["parse_data"], "text": latest["text"], "metadata": latest["metadata"]}
    return Tracker(
        sender,
        {"language": "ar", **(slots or {})},
        message,
        events,
        False,
        None,
        active_loop or {},
        "action_listen",
    )


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The action server's process-wide database, fresh for each test."""
    monkeypatch.setattr(pes.db, "_DEFAULT", None)
    db = pes.db.default_database()
    yield db
    db.dispose()
    monkeypatch.setattr(pes.db, "_DEFAULT", None)


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


# --- opening a case ---------------------------------------------------------------------


async def test_request_opens_a_case_with_the_conversation_and_says_when(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff, "now", lambda: at("2026-11-25T10:00:00"))  # Wednesday
    events = [
        {"event": "session_started"},
        user("مرحبا", "greet", detection={"language": "ar", "reliable": True}),
        bot("\u200fأهلًا!"),
        user("بدي احكي مع انسان حقيقي", "request_human"),
    ]
    messages, returned = await run(ActionOpenCase(), tracker(events))
    assert [m["response"] for m in messages] == ["handoff.opened"]
    assert messages[0]["wait"] == catalogue().text("handoff.wait_next", "ar", minutes=5)
    store = CaseStore(database)
    case = store.current("web-test-person")
    assert case is not None
    assert (case.channel, case.language, case.reasons, case.priority) == (
        "web",
        "ar",
        ("request_human",),
        NORMAL,
    )
    history = store.messages(case.id)
    assert [(m.author, m.text) for m in history] == [
        ("user", "مرحبا"),
        ("bot", "أهلًا!"),
        ("user", "بدي احكي مع انسان حقيقي"),
    ]
    assert returned == [
        {"event": "slot", "timestamp": None, "name": "handoff_signal", "value": None}
    ]

    # Asking again: the same case, and the person is told so.
    messages, _ = await run(ActionOpenCase(), tracker(events))
    assert [m["response"] for m in messages] == ["handoff.already_open"]
    assert len(store.queue()) == 1


async def test_urgent_help_opens_a_high_priority_case(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff, "now", lambda: at("2026-11-28T21:00:00"))  # Saturday night
    events = [user("ما عندي وين نام الليلة", "urgent_help", channel="telegram")]
    messages, _ = await run(ActionOpenCase(), tracker(events, sender="telegram-x"))
    assert messages[0]["response"] == "handoff.opened_urgent"
    when = catalogue().text("handoff.next.mon", "ar", time="08:00")
    assert messages[0]["wait"] == catalogue().text("handoff.wait_later", "ar", when=when)
    case = CaseStore(database).current("telegram-x")
    assert case is not None and case.priority == HIGH and case.channel == "telegram"


async def test_an_accepted_offer_records_why_it_was_offered(database: Database) -> None:
    reason = [{"entity": "handoff_reason", "value": "eligibility_unknown"}]
    events = [
        user('/request_human{"handoff_reason": "eligibility_unknown"}', "request_human", reason)
    ]
    await run(ActionOpenCase(), tracker(events, slots={"language": "uk"}))
    case = CaseStore(database).current("web-test-person")
    assert case is not None and case.reasons == ("eligibility_unknown",) and case.language == "uk"
    forged = [{"entity": "handoff_reason", "value": "urgent_help"}]
    events = [user("/request_human", "request_human", forged)]
    await run(ActionOpenCase(), tracker(events, sender="web-other"))
    other = CaseStore(database).current("web-other")
    assert other is not None and other.reasons == ("request_human",) and other.priority == NORMAL


async def test_a_channel_nobody_can_answer_on_gets_the_offices(database: Database) -> None:
    events = [user("human pls", "request_human", channel="cmdline")]
    messages, _ = await run(ActionOpenCase(), tracker(events))
    assert [m["response"] for m in messages] == ["utter_human_contact"]
    assert CaseStore(database).queue() == []


async def test_a_database_fault_still_gets_a_polite_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every query fails
    monkeypatch.setattr(pes.db, "_DEFAULT", unmigrated)
    messages, events = await run(ActionOpenCase(), tracker([user("human", "request_human")]))
    assert [m["response"] for m in messages] == ["utter_human_contact"]
    assert events == []
    monkeypatch.setattr(pes.db, "_DEFAULT", None)


# --- offering a counsellor --------------------------------------------------------------


def missed(text: str) -> list[dict[str, Any]]:
    """A message not understood, and the assistant's "I did not understand"."""
    return [user(text, "nlu_fallback"), action("utter_default"), bot("Sorry?")]


def test_two_fallbacks_in_a_row() -> None:
    events = [*missed("xqzt"), user("blorp", "nlu_fallback")]
    assert signal(tracker(events)) == "repeated_fallback"
    assert signal(tracker(events[-1:])) is None


def test_a_form_answer_before_the_first_miss_is_not_a_miss() -> None:
    """A date or an age has no intent, but the form understood it: the next miss is the
    first ("I did not understand"), not the second ("I still don't understand")."""
    answered = [
        user("3.2.2026", "nlu_fallback"),
        action("eligibility_form"),
        action("action_eligibility_answer"),
        bot("⏳ Right to work: ..."),
        user("blorp", "nlu_fallback"),
    ]
    assert signal(tracker(answered)) is None
    assert signal(tracker([*answered[:-1], *missed("blorp"), user("xqzt", "nlu_fallback")])) == (
        "repeated_fallback"
    )
    between = [*missed("xqzt"), user("hello", "greet")]
    assert signal(tracker(between)) is None


def test_the_same_question_again_after_an_answer() -> None:
    city = [{"entity": "city", "value": "maribor"}]
    asked = [
        user("office in maribor", "office_info", city),
        action("action_office_info"),
        bot("Urad za delo Maribor ..."),
        user("where is the maribor office", "office_info", city),
    ]
    assert signal(tracker(asked)) == "repeated_question"
    other_city = [
        *asked[:3],
        user("and celje", "office_info", [{"entity": "city", "value": "celje"}]),
    ]
    assert signal(tracker(other_city)) is None
    unanswered = [asked[0], asked[3]]
    assert signal(tracker(unanswered)) is None
    greeting_twice = [user("hi", "greet"), bot("Hello!"), user("hi", "greet")]
    assert signal(tracker(greeting_twice)) is None
    after_offer = [*asked, action("action_offer_counsellor"), bot("Shall I?"), asked[3]]
    assert signal(tracker(after_offer)) is None
    new_session = [asked[0], asked[2], {"event": "session_started"}, asked[3]]
    assert signal(tracker(new_session)) is None
    in_form = tracker(asked, active_loop={"name": "eligibility_form"})
    assert signal(in_form) is None


async def test_signal_mapping_and_offer() -> None:
    events = [*missed("xqzt"), user("blorp", "nlu_fallback")]
    _, returned = await run(ActionHandoffSignal(), tracker(events))
    assert returned == [
        {"event": "slot", "timestamp": None, "name": "handoff_signal", "value": "repeated_fallback"}
    ]
    _, unchanged = await run(
        ActionHandoffSignal(), tracker(events, slots={"handoff_signal": "repeated_fallback"})
    )
    assert unchanged == []
    messages, _ = await run(ActionOfferCounsellor(), tracker(events))
    assert [m["response"] for m in messages] == ["handoff.offer_fallback"]
    asked = [
        user("how to register", "register_unemployed"),
        bot("..."),
        user("register?", "register_unemployed"),
    ]
    messages, _ = await run(ActionOfferCounsellor(), tracker(asked))
    assert [m["response"] for m in messages] == ["handoff.offer_repeated"]


def test_offers_carry_their_reason_in_every_language() -> None:
    expected = {
        "handoff.offer_fallback": '/request_human{"handoff_reason": "repeated_fallback"}',
        "handoff.offer_repeated": '/request_human{"handoff_reason": "repeated_question"}',
        "eligibility.next_counsellor": '/request_human{"handoff_reason": "eligibility_unknown"}',
    }
    for lang in CORE:
        for key, payload in expected.items():
            buttons = catalogue().render(key, lang)["buttons"]
            assert buttons[0]["payload"] == payload, (lang, key)
            assert len(payload.encode()) <= 64  # fits Telegram's callback data


def test_the_rule_lists_the_question_intents() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "handoff.yml").read_text("utf-8"))["rules"]
    rule = next(r for r in rules if "same question" in r["rule"])
    assert tuple(step["intent"] for step in rule["steps"][0]["or"]) == QUESTION_INTENTS


# --- when counsellors answer -----------------------------------------------------------


def test_estimates_follow_office_hours_and_the_queue() -> None:
    hours = service_hours()
    assert estimate(hours, at("2026-11-25T10:00:00"), 0).minutes == 5
    assert estimate(hours, at("2026-11-25T10:00:00"), 5).minutes == 30
    late = estimate(hours, at("2026-11-26T14:50:00"), 3)  # Thursday, closes at 15:00
    assert late.minutes is None and late.opens == at("2026-11-27T08:00:00")
    weekend = estimate(hours, at("2026-11-27T18:00:00"), 0)
    assert weekend.opens == at("2026-11-30T08:00:00")
    christmas = estimate(hours, at("2026-12-24T16:00:00"), 0)  # 25 and 26 are closed
    assert christmas.opens == at("2026-12-28T08:00:00")
    early = estimate(hours, at("2026-11-25T06:30:00"), 0)
    text = wait_text(early, "sl", at("2026-11-25T06:30:00"), ZONE)
    assert text == "Svetovalci ta trenutek ne delajo. Odgovorili vam bodo danes ob 08:00."
    tomorrow = wait_text(late, "en", at("2026-11-26T14:50:00"), ZONE)
    assert tomorrow.endswith("They will answer tomorrow at 08:00.")


def test_a_broken_hours_file_names_the_file_and_line(tmp_path: Path) -> None:
    good = (ROOT / "data" / "content" / "handoff.yml").read_text("utf-8")
    path = tmp_path / "handoff.yml"
    path.write_text(good.replace('wed: "08:00-17:00"', 'wed: "8-17"'), "utf-8")
    with pytest.raises(ContentError) as bad_range:
        load_hours(path)
    line = next(i for i, text in enumerate(good.splitlines(), 1) if text.startswith("  wed:"))
    assert f"handoff.yml:{line}:" in str(bad_range.value) and "'8-17'" in str(bad_range.value)
    path.write_text(good.replace("  - 2026-12-25", "  - christmas"), "utf-8")
    with pytest.raises(ContentError, match="is not a date"):
        load_hours(path)
    path.write_text(good.replace("Europe/Ljubljana", "Europe/Atlantis"), "utf-8")
    with pytest.raises(ContentError, match="unknown timezone"):
        load_hours(path)
    path.write_text(good.replace("counsellors: 2", "counsellors: none"), "utf-8")
    with pytest.raises(ContentError, match="counsellors must be a whole number"):
        load_hours(path)
    assert (
        json.dumps(sorted(load_hours(ROOT / "data/content/handoff.yml").hours)) == "[0, 1, 2, 3, 4]"
    )


def test_case_history_uses_the_detected_language() -> None:
    events = [
        user("hello there my friend", "greet", detection={"language": "en", "reliable": True}),
        user("موظف", "request_human", detection={"language": "ar", "reliable": False}),
        user("ok", "affirm", detection={"language": None}),
    ]
    items = handoff.history(tracker(events), "fa")
    assert [(i.author, i.language) for i in items] == [(USER, "en"), (USER, "ar"), (USER, "fa")]


def test_the_assistants_messages_carry_the_language_they_were_written_in() -> None:
    events = [
        {"event": "session_started"},
        user("/greet", "greet"),
        {"event": "slot", "name": "language", "value": "en"},
        bot("Hello!"),
        user("بدي احكي مع انسان حقيقي", "request_human", detection={"language": "ar"}),
        {"event": "slot", "name": "language", "value": "ar"},
        bot("\u200fحوّلتُ"),
        {"event": "slot", "name": "language", "value": "ps"},
        bot("Translated"),
    ]
    items = handoff.history(tracker(events), "ar")
    assert [(i.author, i.language, i.text) for i in items] == [
        (USER, "ar", "/greet"),
        ("bot", "en", "Hello!"),
        (USER, "ar", "بدي احكي مع انسان حقيقي"),
        ("bot", "ar", "حوّلتُ"),
        ("bot", "en", "Translated"),  # a language without written replies: English first
    ]


async def test_a_broken_hours_file_still_opens_the_case(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> ServiceHours:
        raise ContentError("data/content/handoff.yml", 18, "hours wed: '8-17' is not a range")

    monkeypatch.setattr(handoff, "service_hours", broken)
    messages, _ = await run(ActionOpenCase(), tracker([user("بدي موظف", "request_human")]))
    assert messages[0]["response"] == "handoff.opened"
    assert messages[0]["wait"] == catalogue().text("handoff.wait_unknown", "ar")
    assert CaseStore(database).current("web-test-person") is not None
