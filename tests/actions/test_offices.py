from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue
from actions.offices import ActionOfficeInfo, opening_hours
from pes import content
from tests.actions.snapshots import tracker


async def run(t) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionOfficeInfo().run(dispatcher, t, {})
    return dispatcher.messages, events


async def test_named_city_gets_the_office_card_in_persian() -> None:
    messages, events = await run(tracker("office_info_maribor_fa"))
    assert len(messages) == 1
    card = messages[0]
    assert card["response"] == "offices.card"
    assert card["address"].startswith("Gregorčičeva ulica 37")
    assert card["phone"] == content.default().offices["maribor"].phone
    # Weekday names are in Persian, as the conversation is.
    assert catalogue().text("weekday.mon", "fa") in card["hours"]
    assert events == [{"event": "slot", "timestamp": None, "name": "city", "value": "maribor"}]
    # The whole card renders in the NLG without a missing placeholder.
    rendered = catalogue().render(
        "offices.card", "fa", **{k: card[k] for k in ("name", "address", "phone", "hours")}
    )
    assert "Gregorčičeva" in rendered["text"]


async def test_no_city_asks_with_a_button_per_office() -> None:
    messages, events = await run(tracker("office_info_maribor_fa", entities=[]))
    assert messages[0]["response"] == "offices.ask_city"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/office_info{"city": "novo_mesto"}' in payloads
    assert len(payloads) == len(content.default().offices)
    assert events == []


async def test_unknown_city_says_so_and_lists_the_offices() -> None:
    t = tracker("office_info_maribor_fa", entities=[{"entity": "city", "value": "bled"}])
    messages, _ = await run(t)
    assert messages[0]["response"] == "offices.not_found"
    assert messages[0]["buttons"]


async def test_city_from_the_slot_when_the_message_names_none() -> None:
    t = tracker("office_info_maribor_fa", entities=[], slots={"city": "koper"})
    messages, _ = await run(t)
    assert messages[0]["address"].endswith("6000 Koper")


def test_opening_hours_group_days_with_the_same_hours() -> None:
    office = content.default().offices["ljubljana"]
    text = opening_hours(office, "en")
    assert text.splitlines() == [
        "Monday–Tuesday: 08:00-12:00, 13:00-14:30",
        "Wednesday: 08:00-12:00, 13:00-16:30",
        "Thursday: 08:00-12:00, 13:00-14:30",
        "Friday: 08:00-12:30",
        "Saturday–Sunday: closed",
    ]
