"""The eligibility conversation's actions, on tracker snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue
from actions.eligibility import form
from actions.eligibility.form import (
    ActionAskApplicationDate,
    ActionCorrectFact,
    ActionEligibilityAnswer,
    ValidateEligibilityForm,
    parse_age,
)
from tests.actions.snapshots import tracker

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(form, "today", lambda: TODAY)


def snapshot(**slots: Any) -> Any:
    return tracker("eligibility_asylum_fa", slots=slots)


async def required(**slots: Any) -> list[str]:
    return await ValidateEligibilityForm().required_slots(
        [], CollectingDispatcher(), snapshot(**slots), {}
    )


async def test_only_the_facts_the_question_needs_are_asked() -> None:
    assert await required(protection_status=None) == ["protection_status"]
    assert await required() == ["application_date"]  # an asylum seeker asking about work
    assert await required(protection_status="refugee") == []
    assert await required(protection_status="refugee", eligibility_topic="on_the_job_training") == [
        "registered_unemployed",
        "age",
    ]
    assert await required(eligibility_topic="job_club", protection_status=None) == [
        "registered_unemployed"
    ]
    assert (
        await required(eligibility_topic="qualification_recognition", protection_status=None) == []
    )


async def test_a_fact_the_person_does_not_know_is_not_asked_again() -> None:
    assert await required(application_date="unknown") == []


async def test_solar_hijri_date_is_read() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateEligibilityForm().validate_application_date(
        "۱۴۰۴/۱۱/۱۴", dispatcher, snapshot(), {}
    )
    assert result["application_date"] == "2026-02-03"
    assert dispatcher.messages == []


async def test_month_only_is_kept_as_a_month() -> None:
    result = ValidateEligibilityForm().validate_application_date(
        "March 2026", CollectingDispatcher(), snapshot(), {}
    )
    assert result["application_date"] == "2026-03"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("last year sometime", "eligibility.date_not_understood"),
        ("1.1.2027", "eligibility.date_in_future"),
        ("31.2.2026", "eligibility.date_not_understood"),
        ("1.1.1975", "eligibility.date_too_old"),
    ],
)
async def test_unreadable_dates_get_a_helpful_answer(text: str, key: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateEligibilityForm().validate_application_date(text, dispatcher, snapshot(), {})
    assert result["application_date"] is None
    assert dispatcher.messages[0]["response"] == key


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("27", 27),
        ("٢٧", 27),
        ("۳۲ سالمه", 32),
        ("I am 45 years", 45),
        ("old", None),
        ("0", None),
        ("250", None),
    ],
)
def test_age_in_any_digits(text: str, age: int | None) -> None:
    assert parse_age(text) == age


async def answer(**slots: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionEligibilityAnswer().run(dispatcher, snapshot(**slots), {})
    return dispatcher.messages


def rendered(message: dict[str, Any], lang: str) -> str:
    values = {k: v for k, v in message.items() if k not in ("response", "buttons", "template")}
    return str(catalogue().render(message["response"], lang, **values)["text"])


async def test_asylum_seeker_gets_the_date_from_which_they_may_work() -> None:
    messages = await answer(application_date="2026-03-01", language="en")
    text = rendered(messages[0], "en")
    assert "⏳ Right to work: from 1 December 2026" in text
    assert "applied on 1 March 2026" in text and "status: asylum seeker" in text
    assert "Rules valid from 6 March 2021" in text and "ZMZ-1" in text
    assert messages[-1]["response"] == "eligibility.change"


async def test_answer_in_persian_renders_right_to_left() -> None:
    messages = await answer(application_date="2026-05-01")
    text = catalogue().render(
        messages[0]["response"], "fa", **{k: v for k, v in messages[0].items() if k != "response"}
    )["text"]
    assert text.startswith("\u200f")
    assert "⏳" in text


async def test_unknown_always_offers_a_counsellor() -> None:
    messages = await answer(protection_status="other", language="en")
    responses = [m["response"] for m in messages]
    assert "eligibility.next_counsellor" in responses
    assert "a counsellor must decide" in rendered(messages[0], "en")


async def test_not_registered_gets_register_first() -> None:
    messages = await answer(
        protection_status="refugee",
        registered_unemployed="no",
        age="30",
        eligibility_topic="on_the_job_training",
        language="en",
    )
    text = rendered(messages[0], "en")
    assert "❌ On-the-job training for refugees: no (register as unemployed first)" in text
    assert "eligibility.next_register" in [m["response"] for m in messages]


async def test_every_programme_when_none_was_named() -> None:
    messages = await answer(
        protection_status="refugee",
        registered_unemployed="yes",
        age="30",
        eligibility_topic="all",
        language="en",
    )
    text = rendered(messages[0], "en")
    assert text.count("✅") == 5
    assert "Right to work" not in text
    assert "eligibility.next_book" in [m["response"] for m in messages]


async def test_month_only_date_is_explained() -> None:
    messages = await answer(application_date="2026-03", language="en")
    text = rendered(messages[0], "en")
    assert "March 2026 (no day given" in text
    assert "from 31 December 2026" in text


async def test_correcting_one_fact_keeps_the_others() -> None:
    t = tracker(
        "eligibility_asylum_fa", slots={"age": "19"}, entities=[{"entity": "fact", "value": "age"}]
    )
    events = await ActionCorrectFact().run(CollectingDispatcher(), t, {})
    assert events[0] == {"event": "slot", "timestamp": None, "name": "age", "value": None}
    assert events[1]["name"] == "eligibility_form"
    assert len(events) == 2


async def test_correcting_without_saying_what_asks_which() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCorrectFact().run(dispatcher, snapshot(), {})
    assert events == []
    assert dispatcher.messages[0]["response"] == "eligibility.change"


async def test_ask_actions_send_the_question_with_buttons() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskApplicationDate().run(dispatcher, snapshot(), {})
    assert dispatcher.messages[0]["response"] == "eligibility.ask_application_date"
    assert (
        catalogue().render("eligibility.ask_application_date", "fa")["buttons"][0]["payload"]
        == "/deny"
    )
