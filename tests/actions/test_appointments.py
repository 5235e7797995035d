"""The appointment actions on a real store (the test's database) and built trackers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments import shared
from actions.appointments.asking import (
    ActionAskAppointmentConfirmed,
    ActionAskInterpreter,
    ActionAskSlotId,
)
from actions.appointments.booking import (
    ActionAppointmentStart,
    ActionBookAppointment,
    ActionStopBooking,
)
from actions.appointments.form import ValidateAppointmentForm
from actions.appointments.managing import (
    ActionCancelAppointment,
    ActionMyAppointments,
    ActionRescheduleAppointment,
)
from actions.appointments.shared import match_office
from actions.base import catalogue
from common.clock import TIMEZONE, utcnow
from language.languages import CORE
from pes import appointments as ap
from pes.appointments import AppointmentStore

NOW = utcnow().replace(microsecond=0)
DAY = (NOW + timedelta(days=2)).astimezone(TIMEZONE).replace(hour=9, minute=0, second=0)
USER = "web-0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(appointment_store: AppointmentStore, monkeypatch: pytest.MonkeyPatch) -> AppointmentStore:
    own = appointment_store
    monkeypatch.setattr(shared, "_STORE", own)
    monkeypatch.setattr(shared, "now", lambda: NOW)
    return own


def publish(
    store: AppointmentStore,
    count: int = 1,
    *,
    office: str = "maribor",
    first: datetime = DAY,
    languages: tuple[str, ...] = ("sl", "en"),
    interpreter: bool = False,
    counsellor: str = "Ana",
) -> list[int]:
    starts = [first + timedelta(minutes=30 * i) for i in range(count)]
    return store.publish_slots(office, counsellor, starts, 30, languages, interpreter)


def tracker(
    *,
    intent: str = "book_appointment",
    entities: dict[str, str] | None = None,
    text: str = "",
    slots: dict[str, Any] | None = None,
    lang: str = "en",
    channel: str = "web",
    sender: str = USER,
) -> Tracker:
    message = {
        "text": text or f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "metadata": {"channel": channel},
    }
    return Tracker(
        sender,
        {"language": lang, **(slots or {})},
        message,
        [],
        False,
        None,
        {},
        "action_listen",
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def rendered(message: dict[str, Any], lang: str) -> dict[str, Any]:
    """The message as the NLG renders it: fails on a missing placeholder."""
    keys = ("text", "buttons", "elements", "custom", "template", "response", "image", "attachment")
    values = {k: v for k, v in message.items() if k not in keys}
    return catalogue().render(message["response"], lang, **values)


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in message["buttons"]]


# --- starting -------------------------------------------------------------------------------


async def test_start_hands_over_to_the_form_and_forgets_an_old_booking(
    store: AppointmentStore,
) -> None:
    publish(store)
    messages, events = await run(
        ActionAppointmentStart(), tracker(slots={"slot_id": "7", "appointment_confirmed": "yes"})
    )
    assert messages == []
    assert slots_set(events) == {
        "slot_id": None,
        "interpreter": None,
        "appointment_confirmed": None,
        "appointment_when": None,
        "answer_misses": None,
        "booking_started": True,
    }


async def test_start_with_nothing_free_anywhere_offers_phone_and_office(
    store: AppointmentStore,
) -> None:
    messages, events = await run(ActionAppointmentStart(), tracker())
    assert messages[0]["response"] == "appointments.none_free"
    assert '/office_info{"city": "maribor"}' in payloads(messages[0])
    assert slots_set(events)["booking_started"] is False


async def test_start_with_too_many_lists_them_to_move_or_cancel(store: AppointmentStore) -> None:
    a, b, _ = publish(store, 3)
    first = store.book(USER, a, "web", "en", None, NOW)
    store.book(USER, b, "web", "en", None, NOW)
    messages, events = await run(ActionAppointmentStart(), tracker())
    assert messages[0]["response"] == "appointments.too_many"
    assert messages[0]["count"] == "2"
    assert f'/cancel_appointment{{"appointment_id": "{first.id}"}}' in payloads(messages[0])
    assert f'/reschedule_appointment{{"appointment_id": "{first.id}"}}' in payloads(messages[0])
    items = messages[0]["items"]
    assert items.startswith(f"1. {ap.format_when(DAY, 'en')}\n") and "\n\n2. " in items
    assert "Urad za delo Maribor, Gregorčičeva ulica 37" in rendered(messages[0], "en")["text"]
    assert slots_set(events)["booking_started"] is False


async def test_a_slot_button_clicked_twice_shows_the_booking(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    booked = store.book(USER, slot, "web", "sl", None, NOW)
    messages, events = await run(
        ActionAppointmentStart(), tracker(entities={"slot_id": str(slot)}, lang="sl")
    )
    assert [m["response"] for m in messages] == ["appointments.already_booked"]
    assert messages[0]["parts"] == ["appointments.calendar"]  # the link in the same message
    assert messages[0]["url"].endswith(f"/appointments/{booked.token}.ics")
    assert " ob 9.00" in messages[0]["when"]  # Slovenian: "… 2026 ob 9.00"
    assert slots_set(events)["booking_started"] is False


async def test_a_confirmed_button_books_at_once(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    t = tracker(
        entities={"slot_id": str(slot), "interpreter": "ar", "confirm": "yes"},
        lang="ar",
        channel="telegram",
    )
    messages, events = await run(ActionAppointmentStart(), t)
    assert [m["response"] for m in messages] == ["appointments.booked"]
    assert "parts" not in messages[0]  # no .ics on Telegram
    (booked,) = store.upcoming(USER, NOW)
    assert (booked.channel, booked.language, booked.interpreter_language) == (
        "telegram",
        "ar",
        "ar",
    )
    text = rendered(messages[0], "ar")["text"]
    assert "الساعة 9:00" in text and "المترجم: العربية" in text and text.startswith("\u200f")
    assert slots_set(events)["booking_started"] is False


# --- the form's questions and checks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("maribor", "maribor"),
        ("v Mariboru", "maribor"),
        ("в Целе", "celje"),
        ("دفتر ماریبور", "maribor"),
        ("Kopru", "koper"),
        ("novo mesto pls", "novo_mesto"),
        ("v Novem mestu", "novo_mesto"),
        ("2", "maribor"),  # the second office button
        ("Bled", None),
        ("", None),
    ],
)
def test_typed_office_names(text: str, city: str | None) -> None:
    assert match_office(text) == city


async def test_city_is_checked_for_free_times(store: AppointmentStore) -> None:
    publish(store)
    form = ValidateAppointmentForm()
    dispatcher = CollectingDispatcher()
    assert form.validate_city("Mariboru", dispatcher, tracker(), {}) == {"city": "maribor"}
    assert dispatcher.messages == []
    assert form.validate_city("koper", dispatcher, tracker(), {}) == {"city": None}
    assert dispatcher.messages[0]["response"] == "appointments.no_free_slots"
    assert dispatcher.messages[0]["phone"].startswith("+386")
    assert form.validate_city("Atlantis", dispatcher, tracker(), {}) == {"city": None}
    assert dispatcher.messages[1]["response"] == "appointments.unknown_office"


async def test_no_time_with_an_interpreter_offers_booking_without(store: AppointmentStore) -> None:
    publish(store)  # Slovenian and English only, no interpreter
    dispatcher = CollectingDispatcher()
    result = ValidateAppointmentForm().validate_city(
        "maribor", dispatcher, tracker(slots={"interpreter": "fa"}), {}
    )
    assert result == {"city": None}
    assert dispatcher.messages[0]["response"] == "appointments.no_free_slots_interpreter"
    assert payloads(dispatcher.messages[0]) == [
        '/book_appointment{"city": "maribor", "interpreter": "none"}'
    ]


async def test_the_next_free_times_are_buttons(store: AppointmentStore) -> None:
    ids = publish(store, 8, languages=("sl", "en", "ar"))
    messages, _ = await run(ActionAskSlotId(), tracker(slots={"city": "maribor"}, lang="sl"))
    assert messages[0]["response"] == "appointments.ask_slot"
    assert payloads(messages[0])[:6] == [f'/book_appointment{{"slot_id": "{i}"}}' for i in ids[:6]]
    assert payloads(messages[0])[6] == '/book_appointment{"city": "other"}'
    when = ap.format_when(DAY, "sl", short=True)
    # the time and the counsellor's languages besides Slovenian
    assert messages[0]["buttons"][0]["title"] == f"{when} · angleščina, arabščina"


async def test_times_are_filtered_by_the_interpreter_asked_for(store: AppointmentStore) -> None:
    publish(store, 2)
    (with_interpreter,) = publish(store, first=DAY + timedelta(hours=3), interpreter=True)
    t = tracker(slots={"city": "maribor", "interpreter": "ar"}, lang="ar")
    messages, _ = await run(ActionAskSlotId(), t)
    assert payloads(messages[0])[0] == f'/book_appointment{{"slot_id": "{with_interpreter}"}}'
    assert len(messages[0]["buttons"]) == 2  # that time, and "another office"


async def test_slot_answers_by_button_number_and_time(store: AppointmentStore) -> None:
    a, b, c = publish(store, 3)
    form = ValidateAppointmentForm()
    d = CollectingDispatcher()
    slots = {"city": "maribor"}
    by_button = tracker(entities={"slot_id": str(b)}, slots=slots)
    assert form.validate_slot_id(str(b), d, by_button, {}) == {"slot_id": str(b), "city": "maribor"}
    typed = tracker(intent="inform", text="3", slots=slots)
    assert form.validate_slot_id("3", d, typed, {})["slot_id"] == str(c)
    persian = tracker(intent="inform", text="۲", slots=slots, lang="fa")
    assert form.validate_slot_id("۲", d, persian, {})["slot_id"] == str(b)
    clock = tracker(intent="inform", text="at 9.30 please", slots=slots)
    assert form.validate_slot_id("at 9.30 please", d, clock, {})["slot_id"] == str(b)
    assert d.messages == []
    nonsense = tracker(intent="inform", text="whenever", slots=slots)
    assert form.validate_slot_id("whenever", d, nonsense, {}) == {
        "slot_id": None,
        "answer_misses": "slot_id:1",
    }
    assert d.messages[-1]["response"] == "appointments.slot_not_understood"
    assert form.validate_slot_id("1", d, typed, {})["slot_id"] == str(a)


async def test_slots_reset_at_the_start_are_not_answers(store: AppointmentStore) -> None:
    """The form validates every slot set since the message, the start's resets too."""
    form = ValidateAppointmentForm()
    d = CollectingDispatcher()
    t = tracker(text="rad bi termin", lang="sl")
    assert form.validate_city(None, d, t, {}) == {"city": None}
    assert form.validate_slot_id(None, d, t, {}) == {"slot_id": None}
    assert form.validate_interpreter(None, d, t, {}) == {"interpreter": None}
    assert form.validate_appointment_confirmed(None, d, t, {}) == {"appointment_confirmed": None}
    assert d.messages == []


@pytest.mark.parametrize("case", ["taken", "past", "gone", "mine"])
async def test_a_slot_that_cannot_be_had_is_explained(store: AppointmentStore, case: str) -> None:
    (slot,) = publish(store)
    if case == "taken":
        store.book("someone-else", slot, "web", "en", None, NOW)
    if case == "mine":
        store.book(USER, slot, "web", "en", None, NOW)
    if case == "gone":
        store.delete_slot(slot)
    if case == "past":
        store.publish_slots("maribor", "Eva", [NOW - timedelta(hours=1)], 30, ["sl"], False)
        slot = store.list_slots(end=NOW)[0].id
    d = CollectingDispatcher()
    t = tracker(entities={"slot_id": str(slot)})
    result = ValidateAppointmentForm().validate_slot_id(str(slot), d, t, {})
    expected = {
        "taken": "appointments.slot_taken",
        "past": "appointments.slot_in_past",
        "gone": "appointments.slot_gone",
    }
    if case == "mine":
        assert result["slot_id"] == str(slot) and d.messages == []
        assert await ValidateAppointmentForm().required_slots(
            [], d, tracker(slots={"slot_id": str(slot)}), {}
        ) == ["slot_id"]  # nothing more to ask: the booking is shown
    else:
        assert result["slot_id"] is None
        assert d.messages[0]["response"] == expected[case]


async def test_interpreter_answers(store: AppointmentStore) -> None:
    (plain,) = publish(store)
    form = ValidateAppointmentForm()
    d = CollectingDispatcher()
    assert form.validate_interpreter("yes", d, tracker(lang="uk"), {}) == {"interpreter": "uk"}
    assert form.validate_interpreter("yes", d, tracker(lang="sl"), {}) == {"interpreter": None}
    assert form.validate_interpreter("none", d, tracker(), {}) == {"interpreter": "none"}
    assert form.validate_interpreter("other", d, tracker(), {}) == {"interpreter": None}
    assert form.validate_interpreter("Farsi", d, tracker(), {}) == {"interpreter": None}
    assert form.validate_interpreter("ps", d, tracker(), {}) == {"interpreter": "ps"}
    assert d.messages == []
    # the chosen time has no interpreter and the counsellor does not speak Pashto
    t = tracker(slots={"slot_id": str(plain)})
    assert form.validate_interpreter("ps", d, t, {}) == {"interpreter": "ps", "slot_id": None}
    assert d.messages[0]["response"] == "appointments.no_interpreter_at_slot"
    assert d.messages[0]["language"] == "Pashto"


async def test_interpreter_question_defaults_to_the_conversation_language(
    store: AppointmentStore,
) -> None:
    (arabic_speaker,) = publish(store, languages=("sl", "ar"))
    (other,) = publish(store, first=DAY + timedelta(hours=2))
    messages, _ = await run(
        ActionAskInterpreter(), tracker(lang="ar", slots={"slot_id": str(other)})
    )
    assert messages[0]["response"] == "appointments.ask_interpreter"
    assert payloads(messages[0]) == [
        '/book_appointment{"interpreter": "ar"}',
        '/book_appointment{"interpreter": "other"}',
        '/book_appointment{"interpreter": "none"}',
    ]
    assert rendered(messages[0], "ar")["text"].endswith("(العربية)؟")
    speaks = tracker(lang="ar", slots={"slot_id": str(arabic_speaker)})
    messages, _ = await run(ActionAskInterpreter(), speaks)
    assert messages[0]["response"] == "appointments.ask_interpreter_speaks"
    messages, _ = await run(ActionAskInterpreter(), tracker(lang="sl"))
    assert messages[0]["response"] == "appointments.ask_interpreter_any"
    listing = tracker(lang="fa", entities={"interpreter": "other"})
    messages, _ = await run(ActionAskInterpreter(), listing)
    assert messages[0]["response"] == "appointments.ask_interpreter_language"
    assert '/book_appointment{"interpreter": "ps"}' in payloads(messages[0])
    assert '/book_appointment{"interpreter": "sl"}' not in payloads(messages[0])


async def test_confirmation_shows_the_booking_and_carries_it_in_the_button(
    store: AppointmentStore,
) -> None:
    (slot,) = publish(store, interpreter=True)
    t = tracker(lang="ru", slots={"slot_id": str(slot), "interpreter": "uk", "city": "maribor"})
    messages, _ = await run(ActionAskAppointmentConfirmed(), t)
    assert messages[0]["response"] == "appointments.confirm"
    assert payloads(messages[0]) == [
        f'/book_appointment{{"slot_id": "{slot}", "interpreter": "uk", "confirm": "yes"}}',
        "/deny",
    ]
    text = rendered(messages[0], "ru")["text"]
    assert "г. в 9:00" in text and "Переводчик: украинский" in text
    assert "Gregorčičeva ulica 37" in text


# --- the end of the form ---------------------------------------------------------------------


async def test_booking_in_three_languages(store: AppointmentStore) -> None:
    ids = publish(store, 3)
    for lang, slot in zip(("en", "sl", "fa"), ids, strict=True):
        t = tracker(
            lang=lang,
            sender=f"u-{lang}",
            slots={"slot_id": str(slot), "interpreter": "none", "appointment_confirmed": "yes"},
        )
        messages, events = await run(ActionBookAppointment(), t)
        assert [m["response"] for m in messages] == ["appointments.booked"]
        assert "/appointments/" in rendered(messages[0], lang)["text"]  # the calendar link
        assert slots_set(events) == {
            "slot_id": None,
            "interpreter": None,
            "appointment_confirmed": None,
            "appointment_when": None,
            "answer_misses": None,
        }
        for message in messages:
            rendered(message, lang)
        assert store.upcoming(f"u-{lang}", NOW)[0].language == lang
    assert "ساعت ۱۰:۰۰" in messages[0]["when"]  # Persian digits; the third time is 10:00


async def test_the_booking_run_again_books_once(store: AppointmentStore) -> None:
    """A replica that dies after the action ran but before the turn was saved: the next
    replica runs the same action on the same conversation (docs/performance.md)."""
    (slot,) = publish(store)
    t = tracker(slots={"slot_id": str(slot), "interpreter": "none", "appointment_confirmed": "yes"})
    first, _ = await run(ActionBookAppointment(), t)
    again, _ = await run(ActionBookAppointment(), t)
    assert first[0]["response"] == "appointments.booked"
    assert again[0]["response"] == "appointments.already_booked"  # the truth, not an error
    assert again[0]["when"] == first[0]["when"]
    assert len(store.upcoming(USER, NOW)) == 1


async def test_taken_meanwhile_offers_the_next_times(store: AppointmentStore) -> None:
    a, b = publish(store, 2)
    store.book("quicker", a, "web", "en", None, NOW)
    t = tracker(slots={"slot_id": str(a), "appointment_confirmed": "yes", "city": "maribor"})
    messages, _ = await run(ActionBookAppointment(), t)
    assert messages[0]["response"] == "appointments.slot_taken"
    assert payloads(messages[0]) == [f'/book_appointment{{"slot_id": "{b}"}}']
    assert store.upcoming(USER, NOW) == []


async def test_no_at_the_end_books_nothing(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    t = tracker(slots={"slot_id": str(slot), "appointment_confirmed": "no", "city": "maribor"})
    messages, _ = await run(ActionBookAppointment(), t)
    assert messages[0]["response"] == "appointments.not_booked"
    assert payloads(messages[0]) == ['/book_appointment{"city": "maribor"}']
    assert store.upcoming(USER, NOW) == []
    messages, events = await run(ActionStopBooking(), tracker())
    assert (
        messages[0]["response"] == "appointments.stopped" and slots_set(events)["slot_id"] is None
    )


# --- seeing, cancelling, moving ------------------------------------------------------------


async def test_my_appointments_only_mine(store: AppointmentStore) -> None:
    a, b, c = publish(store, 3)
    messages, _ = await run(ActionMyAppointments(), tracker(intent="my_appointments"))
    assert messages[0]["response"] == "appointments.none"
    store.book(USER, a, "web", "uk", "uk", NOW)
    store.book(USER, c, "web", "uk", None, NOW)
    store.book("someone-else", b, "web", "en", None, NOW)
    messages, _ = await run(ActionMyAppointments(), tracker(intent="my_appointments", lang="uk"))
    items = messages[0]["items"]
    assert items.startswith("1. ") and "\n\n2. " in items and "3. " not in items
    assert "Перекладач: українська" in items and "Без перекладача" in items
    assert len(messages[0]["buttons"]) == 4  # move and cancel, for each
    rendered(messages[0], "uk")


async def test_cancel_asks_which_then_confirms(store: AppointmentStore) -> None:
    a, b = publish(store, 2)
    first = store.book(USER, a, "web", "en", None, NOW)
    store.book(USER, b, "web", "en", None, NOW)
    messages, events = await run(ActionCancelAppointment(), tracker(intent="cancel_appointment"))
    assert messages[0]["response"] == "appointments.cancel_which"
    assert payloads(messages[0])[0] == f'/cancel_appointment{{"appointment_id": "{first.id}"}}'
    chosen = tracker(intent="cancel_appointment", entities={"appointment_id": str(first.id)})
    messages, events = await run(ActionCancelAppointment(), chosen)
    assert messages[0]["response"] == "appointments.cancel_confirm"
    assert payloads(messages[0]) == [
        f'/cancel_appointment{{"appointment_id": "{first.id}", "confirm": "yes"}}',
        "/deny",
    ]
    assert slots_set(events) == {"appointment_id": str(first.id)}
    assert len(store.upcoming(USER, NOW)) == 2  # nothing cancelled before the yes
    typed_yes = tracker(intent="affirm", text="yes", slots={"appointment_id": str(first.id)})
    messages, events = await run(ActionCancelAppointment(), typed_yes)
    assert messages[0]["response"] == "appointments.cancelled"
    assert slots_set(events) == {"appointment_id": None}
    assert [x.slot_id for x in store.upcoming(USER, NOW)] == [b]
    button_again = tracker(
        intent="cancel_appointment", entities={"appointment_id": str(first.id), "confirm": "yes"}
    )
    messages, _ = await run(ActionCancelAppointment(), button_again)  # a double click
    assert messages[0]["response"] == "appointments.already_cancelled"


async def test_cancel_one_no_keeps_it_and_others_are_out_of_reach(
    store: AppointmentStore,
) -> None:
    a, b = publish(store, 2)
    mine = store.book(USER, a, "web", "ar", None, NOW)
    theirs = store.book("someone-else", b, "web", "en", None, NOW)
    messages, events = await run(ActionCancelAppointment(), tracker(intent="cancel_appointment"))
    assert messages[0]["response"] == "appointments.cancel_confirm"  # the only one
    assert slots_set(events) == {"appointment_id": str(mine.id)}
    no = tracker(intent="deny", slots={"appointment_id": str(mine.id)})
    messages, _ = await run(ActionCancelAppointment(), no)
    assert messages[0]["response"] == "appointments.kept"
    stranger = tracker(
        intent="cancel_appointment", entities={"appointment_id": str(theirs.id), "confirm": "yes"}
    )
    messages, _ = await run(ActionCancelAppointment(), stranger)
    assert messages[0]["response"] == "appointments.not_found"
    assert store.upcoming("someone-else", NOW)  # untouched
    messages, _ = await run(ActionCancelAppointment(), tracker(intent="affirm"))
    assert messages[0]["response"] == "utter_ask_what_next"  # a yes to nothing pending


async def test_nothing_to_cancel_or_move(store: AppointmentStore) -> None:
    messages, _ = await run(ActionCancelAppointment(), tracker(intent="cancel_appointment"))
    assert messages[0]["response"] == "appointments.cancel_none"
    messages, _ = await run(ActionRescheduleAppointment(), tracker(intent="reschedule_appointment"))
    assert messages[0]["response"] == "appointments.move_none"


async def test_reschedule_offers_times_then_moves(store: AppointmentStore) -> None:
    a, b, c = publish(store, 3)
    mine = store.book(USER, a, "telegram", "sl", None, NOW)
    messages, _ = await run(ActionRescheduleAppointment(), tracker(intent="reschedule_appointment"))
    assert messages[0]["response"] == "appointments.move_ask_slot"
    assert payloads(messages[0]) == [
        f'/reschedule_appointment{{"appointment_id": "{mine.id}", "slot_id": "{s}"}}'
        for s in (b, c)
    ]
    move = tracker(
        intent="reschedule_appointment",
        entities={"appointment_id": str(mine.id), "slot_id": str(c)},
        channel="telegram",
    )
    messages, _ = await run(ActionRescheduleAppointment(), move)
    assert [m["response"] for m in messages] == ["appointments.moved"]
    assert [x.slot_id for x in store.upcoming(USER, NOW)] == [c]
    messages, _ = await run(ActionRescheduleAppointment(), move)  # a double click
    assert messages[0]["response"] == "appointments.already_booked"
    store.book("someone-else", b, "web", "en", None, NOW)
    (moved,) = store.upcoming(USER, NOW)
    taken = tracker(
        intent="reschedule_appointment",
        entities={"appointment_id": str(moved.id), "slot_id": str(b)},
    )
    messages, _ = await run(ActionRescheduleAppointment(), taken)
    assert [m["response"] for m in messages] == [
        "appointments.slot_taken",
        "appointments.move_ask_slot",
    ]


async def test_every_reply_renders_in_every_core_language(store: AppointmentStore) -> None:
    ids = publish(store, 3, interpreter=True)
    booked = store.book(USER, ids[0], "web", "en", "fa", NOW)
    collected: list[dict[str, Any]] = []
    for action, t in [
        (ActionMyAppointments(), tracker(intent="my_appointments")),
        (ActionCancelAppointment(), tracker(intent="cancel_appointment")),
        (ActionRescheduleAppointment(), tracker(intent="reschedule_appointment")),
        (ActionAskSlotId(), tracker(slots={"city": "celje"})),
        (ActionAskAppointmentConfirmed(), tracker(slots={"slot_id": str(ids[1])})),
        (ActionAppointmentStart(), tracker(entities={"slot_id": str(ids[0])})),
    ]:
        messages, _ = await run(action, t)
        collected += messages
    assert len(collected) >= 6  # the booking and its calendar link are one message
    assert any(m.get("parts") == ["appointments.calendar"] for m in collected)
    for lang in CORE:
        for message in collected:
            text = rendered(message, lang)["text"]
            assert "{" not in text and text.strip()
    reminder = ap.reminder_message(catalogue(), booked, None)
    assert reminder["buttons"] and "Interpreter: Persian" in reminder["text"]
