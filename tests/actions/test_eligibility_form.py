"""The eligibility conversation's actions, on tracker snapshots."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue
from actions.eligibility import form
from actions.eligibility.answer import (
    ActionCorrectFact,
    ActionEligibilityAnswer,
    ActionEligibilitySources,
    source_title,
)
from actions.eligibility.form import (
    ActionAskApplicationDate,
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


async def sources(**slots: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionEligibilitySources().run(dispatcher, snapshot(**slots), {})
    return dispatcher.messages


def shown(message: dict[str, Any], lang: str) -> dict[str, Any]:
    """The message as the NLG renders it (parts folded in, buttons left out)."""
    values = {k: v for k, v in message.items() if k not in ("response", "buttons", "template")}
    return catalogue().render(message["response"], lang, **values)


def rendered(message: dict[str, Any], lang: str) -> str:
    return str(shown(message, lang)["text"])


def payloads(message: dict[str, Any], lang: str = "en") -> list[str]:
    return [b["payload"] for b in shown(message, lang).get("buttons", [])]


def corrections(message: dict[str, Any]) -> list[str]:
    """The facts the answer offers to correct, from its buttons."""
    return [
        json.loads(p.removeprefix("/correct_fact"))["fact"]
        for p in payloads(message)
        if p.startswith("/correct_fact")
    ]


async def test_asylum_seeker_gets_the_date_from_which_they_may_work() -> None:
    messages = await answer(application_date="2026-03-01", language="en")
    assert len(messages) == 1  # verdict, reasons, next step and buttons: one message
    text = rendered(messages[0], "en")
    assert "⏳ Right to work: from 1 December 2026" in text
    assert "applied on 1 March 2026" in text and "status: asylum seeker" in text
    assert "ZMZ-1" not in text  # the sources are behind "Why?"
    assert payloads(messages[0])[0] == "/eligibility_sources"
    assert corrections(messages[0]) == ["protection_status", "application_date"]


async def test_why_lists_the_sources_in_the_persons_language() -> None:
    english = rendered((await sources(application_date="2026-03-01", language="en"))[0], "en")
    assert "International Protection Act (ZMZ-1), Article 78" in english
    assert "valid from 6 March 2021" in english
    slovene = rendered((await sources(application_date="2026-03-01", language="sl"))[0], "sl")
    assert "Zakon o mednarodni zaščiti (ZMZ-1), 78. člen" in slovene
    assert "6. marec 2021" in slovene
    assert "Act" not in slovene and "March" not in slovene
    ukrainian = rendered((await sources(language="uk"))[0], "uk")
    assert "Закон про міжнародний захист" in ukrainian and "Act" not in ukrainian
    persian = rendered((await sources(language="fa"))[0], "fa")
    assert "۲۰۲۱" in persian  # the date in Persian digits


async def test_why_for_every_programme_when_none_was_named() -> None:
    messages = await sources(protection_status="refugee", eligibility_topic="all", language="en")
    assert len(messages) == 1
    text = rendered(messages[0], "en")
    assert text.count("• ") == 5 and "Right to work" not in text
    assert "Assessment and Recognition of Education Act (ZVPI)" in text


def test_a_source_without_a_title_in_the_language_is_the_slovenian_one_said_so() -> None:
    title = source_title({"sl": "Zakon o tujcih (ZTuj-2)"}, "ru")
    assert title == catalogue().text(
        "eligibility.source_in_slovenian", "ru", title="Zakon o tujcih (ZTuj-2)"
    )
    assert source_title({"sl": "Zakon", "ru": "Закон"}, "ru") == "Закон"


async def test_answer_in_persian_renders_right_to_left() -> None:
    messages = await answer(application_date="2026-05-01")
    text = rendered(messages[0], "fa")
    assert text.startswith("\u200f")
    assert "⏳" in text and "۲۰۲۷" in text  # 1 February 2027, in Persian digits


async def test_unknown_always_offers_a_counsellor() -> None:
    messages = await answer(protection_status="other", language="en")
    assert len(messages) == 1
    assert "a counsellor must decide" in rendered(messages[0], "en")
    assert catalogue().text("eligibility.next_counsellor", "en") in rendered(messages[0], "en")
    assert '/request_human{"handoff_reason": "eligibility_unknown"}' in payloads(messages[0])


async def test_not_registered_gets_register_first() -> None:
    messages = await answer(
        protection_status="refugee",
        registered_unemployed="no",
        age="30",
        eligibility_topic="on_the_job_training",
        language="en",
    )
    assert len(messages) == 1
    text = rendered(messages[0], "en")
    assert "❌ On-the-job training for refugees: no (register as unemployed first)" in text
    assert catalogue().text("eligibility.next_register", "en") in text
    assert "/register_unemployed" in payloads(messages[0])


async def test_every_programme_when_none_was_named() -> None:
    messages = await answer(
        protection_status="refugee",
        registered_unemployed="yes",
        age="30",
        eligibility_topic="all",
        language="en",
    )
    assert len(messages) == 1
    text = rendered(messages[0], "en")
    assert text.count("✅") == 5
    assert "Right to work" not in text
    assert "/office_info" in payloads(messages[0])  # next step: ask at your office
    # The date of application was never asked (nor needed): no button to correct it.
    assert corrections(messages[0]) == ["protection_status", "registered_unemployed", "age"]


async def test_only_facts_the_person_gave_can_be_corrected() -> None:
    # Recognition of qualifications is open to everyone: nothing was asked.
    messages = await answer(
        protection_status=None, eligibility_topic="qualification_recognition", language="en"
    )
    assert corrections(messages[0]) == []
    assert catalogue().text("eligibility.change", "en") not in rendered(messages[0], "en")
    # "I don't remember" was an answer: it can be corrected.
    messages = await answer(application_date="unknown", language="en")
    assert corrections(messages[0]) == ["protection_status", "application_date"]


async def test_month_only_date_is_explained() -> None:
    messages = await answer(application_date="2026-03", language="en")
    text = rendered(messages[0], "en")
    assert "March 2026 (no day given" in text
    assert "from 31 December 2026" in text


async def test_in_a_language_without_written_replies_the_slovenian_lines_are_slovenian() -> None:
    """Without machine translation the reply is English and Slovenian: each wholly itself."""
    messages = await answer(application_date="2026-03-01", language="ps")
    slovene = rendered(messages[0], "sl")
    assert "Pravica do dela: od datuma 1. december 2026" in slovene
    assert catalogue().text("eligibility.status.asylum_seeker", "sl") in slovene
    for english in ("Right to work", "asylum seeker", "December", "applied on"):
        assert english not in slovene
    assert "Right to work: from 1 December 2026" in rendered(messages[0], "en")
    why = await sources(language="ps")
    assert "Zakon o mednarodni zaščiti" in rendered(why[0], "sl")
    assert "Act" not in rendered(why[0], "sl")


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
    assert corrections(dispatcher.messages[0]) == ["protection_status"]  # the one given


async def test_ask_actions_send_the_question_with_buttons() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskApplicationDate().run(dispatcher, snapshot(), {})
    assert dispatcher.messages[0]["response"] == "eligibility.ask_application_date"
    assert (
        catalogue().render("eligibility.ask_application_date", "fa")["buttons"][0]["payload"]
        == "/deny"
    )
