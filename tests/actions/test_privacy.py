"""The privacy actions: the long notice, and erasure only after an explicit yes."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.privacy
from actions.base import catalogue
from actions.privacy import ActionDeleteMyData, ActionPrivacyInfo, confirmed, erased_items
from pes.db import Database
from pes.outbox import Contacts

SENDER = "telegram-0123456789abcdef0123456789abcdef"


def tracker(*events: dict[str, Any], intent: str = "affirm", lang: str = "ru") -> Tracker:
    history = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        *events,
    ]
    latest = {"text": "да", "intent": {"name": intent, "confidence": 0.97}, "entities": []}
    history.append({"event": "user", "text": "да", "parse_data": latest})
    return Tracker(SENDER, {"language": lang}, latest, history, False, None, {}, "action_listen")


ASKED = (
    {
        "event": "user",
        "text": "удали мои данные",
        "parse_data": {"intent": {"name": "delete_my_data"}},
    },
    {"event": "action", "name": "utter_delete_my_data"},
    {"event": "bot", "text": "Удалить все?"},
    {"event": "action", "name": "action_listen"},
)


def test_yes_counts_only_right_after_the_question() -> None:
    assert confirmed(tracker(*ASKED))
    assert not confirmed(tracker(*ASKED, intent="deny"))
    other = (
        *ASKED,
        {"event": "user", "text": "привет", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "name": "utter_greet"},
        {"event": "action", "name": "action_listen"},
    )
    assert not confirmed(tracker(*other))  # an old "yes" button pressed later
    assert not confirmed(tracker())


@pytest.fixture
def database(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(actions.privacy, "default_database", lambda: database)
    return database


async def test_yes_erases_and_asks_the_gateway_to_erase_the_conversation(
    database: Database,
) -> None:
    Contacts(database).remember(SENDER, "telegram", "123456789", "ru")
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, tracker(*ASKED), {})
    assert Contacts(database).get(SENDER) is None
    told, marker = dispatcher.messages
    assert told["response"] == "privacy.deleted"
    assert catalogue().text("privacy.store.contacts", "ru") in told["items"]
    assert catalogue().text("privacy.store.conversation", "ru") in told["items"]
    assert catalogue().text("privacy.store.appointments", "ru") not in told["items"]  # had none
    assert marker["custom"] == {"erase_conversation": SENDER}
    assert [e["event"] for e in events] == ["restart", "followup"]


async def test_without_the_question_it_only_asks(database: Database) -> None:
    Contacts(database).remember(SENDER, "telegram", "123456789", "ru")
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, tracker(), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delete_my_data"]
    assert events == [] and Contacts(database).get(SENDER) is not None


def test_unknown_stores_are_named_generically() -> None:
    lines = erased_items({"outbox": 2, "contacts": 0, "future_store": 1}, "fa").split("\n")
    cat = catalogue()
    assert lines == [
        f"• {cat.text('privacy.store.conversation', 'fa')}",
        f"• {cat.text('privacy.store.outbox', 'fa')}",
        f"• {cat.text('privacy.store.other', 'fa')}",
    ]


@pytest.mark.parametrize("lang", ["en", "sl", "uk", "ru", "ar", "fa"])
async def test_privacy_info_renders_with_the_retention_period(lang: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionPrivacyInfo().run(dispatcher, tracker(lang=lang), {})
    [message] = dispatcher.messages
    rendered = catalogue().render(message["response"], lang, days=message["days"])
    assert str(message["days"]) in rendered["text"]
    assert rendered["buttons"][0]["payload"] == "/delete_my_data"
