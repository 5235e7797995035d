"""The replica's tracker cache gives back exactly what the database holds, or reads it again."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from pes.settings import from_env, settings
from runtime import stores
from runtime.replica import replica
from runtime.stores import DatabaseTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def turn(text: str, lang: str = "uk", at: float | None = None) -> list[Event]:
    t = time.time() if at is None else at
    return [
        UserUttered(text, intent={"name": "greet", "confidence": 0.9}, timestamp=t),
        SlotSet("language", lang, timestamp=t),
        ActionExecuted("utter_greet", timestamp=t + 0.001),
        BotUttered(f"reply to {text}", {"language": lang}, timestamp=t + 0.001),
        ActionExecuted("action_listen", timestamp=t + 0.002),
    ]


def session_start(at: float) -> list[Event]:
    """As Rasa logs ``action_session_start``: its events are made before it is logged."""
    return [
        ActionExecuted("action_session_start", timestamp=at + 0.0005),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at + 0.0001),
    ]


async def take_turn(
    store: DatabaseTrackerStore, sender: str, text: str, lang: str = "uk", new_session: bool = False
) -> Any:
    """One turn as Rasa's processor takes it: retrieve (or create), update, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
        new_session = True
    events = session_start(time.time()) if new_session else []
    for event in [*events, *turn(text, lang, at=time.time() + 0.001)]:
        tracker.update(event)
    await store.save(tracker)
    return tracker


def from_database(domain: Domain, sender: str) -> Any:
    """The conversation as a store without a cache reads it."""
    reader = DatabaseTrackerStore(domain=domain)
    reader.cache_size = 0
    return reader


def state(tracker: DialogueStateTracker) -> dict[str, Any]:
    return tracker.current_state(EventVerbosity.ALL)


def stored_rows(store: DatabaseTrackerStore, sender: str) -> int:
    with store.session_scope() as session:
        query = sa.select(sa.func.count()).where(store.SQLEvent.sender_id == sender)
        return int(session.execute(query).scalar() or 0)


async def test_turns_are_served_from_the_cache_and_match_the_database(domain: Domain) -> None:
    store = DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    saved = await take_turn(store, sender, "привіт")
    for n in range(5):
        tracker = await store.retrieve(sender)
        if n:  # the first turn created the tracker; from then on the kept one comes back
            assert tracker is saved
        assert tracker is not None
        fresh = await from_database(domain, sender).retrieve(sender)
        assert fresh is not None and state(tracker) == state(fresh)
        for event in turn(f"питання {n}"):
            tracker.update(event)
        await store.save(tracker)
        saved = tracker
    # every event stored once, in order
    assert stored_rows(store, sender) == len(saved.events)
    fresh = await from_database(domain, sender).retrieve(sender)
    assert [e.as_dict() for e in fresh.events] == [e.as_dict() for e in saved.events]


async def test_another_replica_writing_makes_the_cache_read_again(domain: Domain) -> None:
    one, two = DatabaseTrackerStore(domain=domain), DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    await take_turn(one, sender, "hello", "en")
    kept = await take_turn(one, sender, "first", "en")
    await take_turn(two, sender, "on the other replica", "ar")  # a failover
    tracker = await one.retrieve(sender)
    assert tracker is not None and tracker is not kept
    assert tracker.get_slot("language") == "ar"
    assert tracker.latest_message is not None
    assert tracker.latest_message.text == "on the other replica"


async def test_an_erased_conversation_is_not_served_from_memory(domain: Domain) -> None:
    store = DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    await take_turn(store, sender, "hello")
    await take_turn(store, sender, "delete my data")
    with store.session_scope() as session:
        session.execute(sa.delete(store.SQLEvent).where(store.SQLEvent.sender_id == sender))
        session.commit()
    assert await store.retrieve(sender) is None


async def test_a_turn_that_fails_before_saving_leaves_nothing_stale(domain: Domain) -> None:
    store = DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    await take_turn(store, sender, "hello")
    await take_turn(store, sender, "second")
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.update(UserUttered("never saved", intent={"name": "greet"}))  # then the turn fails
    again = await store.retrieve(sender)
    assert again is not None and again is not tracker
    assert all(getattr(e, "text", None) != "never saved" for e in again.events)


async def test_a_new_session_is_read_back_from_the_database(domain: Domain) -> None:
    store = DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    await take_turn(store, sender, "hello")
    restarted = await take_turn(store, sender, "back after a week", new_session=True)
    tracker = await store.retrieve(sender)
    assert tracker is not None and tracker is not restarted
    fresh = await from_database(domain, sender).retrieve(sender)
    assert state(tracker) == state(fresh)
    assert len(tracker.events) < len(restarted.events)  # only the new session


async def test_a_tracker_the_store_did_not_hand_out_is_saved_the_rasa_way(domain: Domain) -> None:
    store = DatabaseTrackerStore(domain=domain)
    sender = uuid.uuid4().hex
    first = await take_turn(store, sender, "hello")
    copy = DialogueStateTracker.from_dict(sender, [e.as_dict() for e in first.events], domain.slots)
    for event in turn("from elsewhere"):
        copy.update(event)
    await store.save(copy)  # Rasa counts what is stored and adds only the rest
    assert stored_rows(store, sender) == len(copy.events)


async def test_the_cache_is_bounded_and_can_be_turned_off(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "2")
    store = DatabaseTrackerStore(domain=domain)
    senders = [uuid.uuid4().hex for _ in range(4)]
    for sender in senders:
        await take_turn(store, sender, "hello")
        await take_turn(store, sender, "again")
    assert list(store._cache) == senders[-2:]  # least recently used out

    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")
    settings.cache_clear()  # another replica, reading its settings at start
    replica.cache_clear()
    off = DatabaseTrackerStore(domain=domain)
    kept = await take_turn(off, senders[0], "once more")
    assert await off.retrieve(senders[0]) is not kept and not off._cache


async def test_a_quiet_conversation_leaves_the_replicas_memory(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Personal data stays in memory no longer than the conversation is in use."""
    monkeypatch.setattr(stores, "CACHE_SECONDS", 0.05)
    store = DatabaseTrackerStore(domain=domain)
    quiet, busy = uuid.uuid4().hex, uuid.uuid4().hex
    await take_turn(store, quiet, "hello")
    await take_turn(store, quiet, "one more")
    assert quiet in store._cache
    await asyncio.sleep(0.1)
    await take_turn(store, busy, "hello")
    await take_turn(store, busy, "again")
    assert list(store._cache) == [busy]
    assert (await store.retrieve(quiet)) is not None  # read from the database again


@pytest.mark.parametrize("raw", ["many", "-1", "1.5"])
def test_a_wrong_cache_size_is_named(raw: str) -> None:
    with pytest.raises(ValueError, match="TRACKER_CACHE_SIZE"):
        _ = from_env({"TRACKER_CACHE_SIZE": raw}).rasa
