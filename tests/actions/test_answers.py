"""Typed answers inside the forms and follow-ups put back on topic (actions/answers.py,
actions/followups.py): read whatever intent the classifier gave the message."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments.form import ValidateAppointmentForm
from actions.appointments.managing import ActionCancelAppointment, ActionMyAppointments
from actions.eligibility.answer import ActionCorrectFact
from actions.eligibility.form import ValidateEligibilityForm
from pes.appointments import AppointmentStore
from tests.actions.test_appointments import NOW, publish, store  # noqa: F401 (fixture)


def tracker(
    text: str,
    *,
    intent: str,
    requested: str | None = None,
    slots: dict[str, Any] | None = None,
    earlier: list[str] = (),  # type: ignore[assignment]
    actions: list[str] = (),  # type: ignore[assignment]
    lang: str = "en",
) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    for said in earlier:
        events.append({"event": "user", "text": said, "parse_data": {}})
    events.extend({"event": "action", "name": name} for name in actions)
    events.append({"event": "user", "text": text, "parse_data": message})
    all_slots = {"language": lang, "requested_slot": requested, **(slots or {})}
    return Tracker("u-answers", all_slots, message, events, False, None, {}, "action_listen")


async def extract(form: Any, slot: str, t: Tracker) -> dict[str, Any]:
    return dict(await getattr(form, f"extract_{slot}")(CollectingDispatcher(), t, {}))


# --- booking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["لا ما بدي مترجم", "нет, переводчик не нужен", "ne rabim tolmaca", "بدون ترجمان"]
)
async def test_a_typed_no_to_the_interpreter_is_an_answer(text: str) -> None:
    t = tracker(text, intent="request_human", requested="interpreter")
    assert await extract(ValidateAppointmentForm(), "interpreter", t) == {"interpreter": "none"}


async def test_asking_for_a_person_at_the_interpreter_question_is_not_an_answer() -> None:
    t = tracker("no, I want a real person", intent="request_human", requested="interpreter")
    assert await extract(ValidateAppointmentForm(), "interpreter", t) == {}


async def test_a_typed_yes_at_the_confirmation_books() -> None:
    t = tracker("yes, book it", intent="book_appointment", requested="appointment_confirmed")
    result = await extract(ValidateAppointmentForm(), "appointment_confirmed", t)
    assert result == {"appointment_confirmed": "yes"}


async def test_a_day_in_words_is_kept_and_its_times_offered(
    store: AppointmentStore,  # noqa: F811
) -> None:
    form = ValidateAppointmentForm()
    t = tracker(
        "anything on Wednesday afternoon?",
        intent="book_appointment",
        requested="slot_id",
        slots={"city": "maribor"},
    )
    result = await extract(form, "slot_id", t)
    assert result == {"appointment_when": "weekday=2;part=afternoon"}
    validated = form.validate_appointment_when(result["appointment_when"], None, t, {})  # type: ignore[arg-type]
    assert validated["slot_id"] is None


async def test_two_misses_in_a_row_offer_a_counsellor(store: AppointmentStore) -> None:  # noqa: F811
    publish(store, 2)
    form = ValidateAppointmentForm()
    first = CollectingDispatcher()
    t = tracker("the blue one", intent="inform", requested="slot_id", slots={"city": "maribor"})
    result = form.validate_slot_id("the blue one", first, t, {})
    assert [m["response"] for m in first.messages] == ["appointments.slot_not_understood"]
    second = CollectingDispatcher()
    t = tracker(
        "the one by the door",
        intent="inform",
        requested="slot_id",
        slots={"city": "maribor", **{k: v for k, v in result.items() if k != "slot_id"}},
    )
    form.validate_slot_id("the one by the door", second, t, {})
    assert [m["response"] for m in second.messages] == ["handoff.offer_in_form"]


# --- eligibility ------------------------------------------------------------------------


async def test_a_status_in_words_at_the_question() -> None:
    t = tracker("жду решения ещё", intent="nlu_fallback", requested="protection_status")
    result = await extract(ValidateEligibilityForm(), "protection_status", t)
    assert result == {"protection_status": "asylum_seeker"}


async def test_i_told_you_looks_back() -> None:
    t = tracker(
        "я ж казала!",
        intent="inform",
        requested="protection_status",
        earlier=["в мене тимчасовий захист", "чи можу я працювати?"],
        lang="uk",
    )
    result = await extract(ValidateEligibilityForm(), "protection_status", t)
    assert result == {"protection_status": "temporary_protection"}


async def test_i_told_you_i_am_registered() -> None:
    t = tracker("قلتلك انا مسجل", intent="inform", requested="registered_unemployed", lang="ar")
    result = await extract(ValidateEligibilityForm(), "registered_unemployed", t)
    assert result == {"registered_unemployed": "yes"}


async def test_a_status_said_before_the_form_is_not_asked() -> None:
    t = tracker("can I work?", intent="work_rights", earlier=["I applied for asylum last year"])
    result = await extract(ValidateEligibilityForm(), "protection_status", t)
    assert result == {"protection_status": "asylum_seeker"}


async def test_a_new_date_with_the_question_replaces_the_old_one() -> None:
    t = tracker(
        "Exactly from which date? I applied on 4 September 2026",
        intent="work_rights",
        slots={"application_date": "2026-08"},
    )
    result = await extract(ValidateEligibilityForm(), "application_date", t)
    assert result == {"application_date": "Exactly from which date? I applied on 4 September 2026"}


async def test_i_dont_know_the_date_is_not_asked_again() -> None:
    t = tracker("honestly i dont remember", intent="deny", requested="application_date")
    result = await extract(ValidateEligibilityForm(), "application_date", t)
    assert result == {"application_date": "unknown"}


# --- follow-ups -------------------------------------------------------------------------


async def test_a_date_after_an_eligibility_answer_refines_it(
    store: AppointmentStore,  # noqa: F811
) -> None:
    t = tracker(
        "Точно с какой даты? Я посмотрел бумагу, я подал 4 сентября 2026",
        intent="my_appointments",
        actions=["action_eligibility_answer"],
        slots={"application_date": "2026-08"},
        lang="ru",
    )
    dispatcher = CollectingDispatcher()
    events = await ActionMyAppointments().run(dispatcher, t, {})
    assert {"event": "followup", "name": "eligibility_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert dispatcher.messages == []


async def test_no_thanks_closes_politely(store: AppointmentStore) -> None:  # noqa: F811
    t = tracker("ne hvala, bom raje poklical", intent="cancel_appointment", lang="sl")
    dispatcher = CollectingDispatcher()
    await ActionCancelAppointment().run(dispatcher, t, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ok_anything_else"]


async def test_an_appointment_question_still_reaches_appointments(
    store: AppointmentStore,  # noqa: F811
) -> None:
    t = tracker("cancel my appointment", intent="cancel_appointment")
    dispatcher = CollectingDispatcher()
    await ActionCancelAppointment().run(dispatcher, t, {})
    assert [m["response"] for m in dispatcher.messages] == ["appointments.cancel_none"]


# --- through the validation action, as Rasa calls it --------------------------------------


def domain() -> dict[str, Any]:
    import yaml

    from tests.conftest import ROOT

    return dict(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")))


async def test_the_form_returns_what_it_read() -> None:
    """rasa-sdk recomputes the required slots after extracting: a fact read from the
    message must still be returned (it was dropped once, and the form asked again)."""
    t = tracker(
        "жду решения ещё",
        intent="inform",
        requested="protection_status",
        slots={"eligibility_topic": "work"},
        lang="ru",
    )
    events = await ValidateEligibilityForm().run(CollectingDispatcher(), t, domain())
    slots = {e["name"]: e["value"] for e in events}
    assert slots["protection_status"] == "asylum_seeker"
    assert slots["requested_slot"] != "protection_status"


async def test_the_booking_returns_the_day_it_read(store: AppointmentStore) -> None:  # noqa: F811
    t = tracker(
        "anything on Wednesday afternoon?",
        intent="book_appointment",
        requested="slot_id",
        slots={"city": "maribor"},
    )
    events = await ValidateAppointmentForm().run(CollectingDispatcher(), t, domain())
    slots = {e["name"]: e["value"] for e in events}
    assert slots["appointment_when"] == "weekday=2;part=afternoon"
    assert slots["requested_slot"] == "slot_id"


async def test_a_typed_no_to_the_interpreter_through_the_form(
    store: AppointmentStore,  # noqa: F811
) -> None:
    [slot] = publish(store)
    t = tracker(
        "لا ما بدي مترجم",
        intent="request_human",
        requested="interpreter",
        slots={"city": "maribor", "slot_id": str(slot)},
        lang="ar",
    )
    events = await ValidateAppointmentForm().run(CollectingDispatcher(), t, domain())
    slots = {e["name"]: e["value"] for e in events}
    assert slots["interpreter"] == "none"
    assert slots["requested_slot"] == "appointment_confirmed"


async def test_the_status_question_answered_with_the_date_takes_both() -> None:
    t = tracker(
        "قدمت لجوء ب 3 آذار 2026",
        intent="nlu_fallback",
        requested="protection_status",
        slots={"eligibility_topic": "work"},
        lang="ar",
    )
    events = await ValidateEligibilityForm().run(CollectingDispatcher(), t, domain())
    slots = {e["name"]: e["value"] for e in events}
    assert slots["protection_status"] == "asylum_seeker"
    assert slots["application_date"] == "2026-03-03"
    assert slots["requested_slot"] is None  # nothing more to ask for work rights


async def test_a_fact_said_after_the_answer_decides_again() -> None:
    t = tracker(
        "а я ж не зареєстрована ще, це треба?",
        intent="correct_fact",
        slots={"protection_status": "temporary_protection", "registered_unemployed": "yes"},
        actions=["action_eligibility_answer"],
        lang="uk",
    )
    events = await ActionCorrectFact().run(CollectingDispatcher(), t, {})
    assert {"event": "slot", "name": "registered_unemployed"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert events[-1]["name"] == "eligibility_form"
