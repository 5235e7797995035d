"""Retention: conversations and records older than RETENTION_DAYS go, the rest stays."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from pes import retention
from pes.db import Database
from pes.erasure import personal_data_stores
from pes.settings import from_env, settings
from pes.tracker_events import TrackerEvents
from runtime.stores import DatabaseTrackerStore
from tests.conftest import ROOT

DAY = 86400.0


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def session(days_ago: float, text: str, lang: str = "fa") -> list[Any]:
    t = time.time() - days_ago * DAY
    return [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t),
        SlotSet("language", lang, timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
        UserUttered(text, intent={"name": "greet"}, timestamp=t + 1),
        ActionExecuted("utter_greet", timestamp=t + 2),
        BotUttered("hello", timestamp=t + 2),
        ActionExecuted("action_listen", timestamp=t + 3),
    ]


async def save(domain: Domain, sender: str, events: list[Any]) -> DatabaseTrackerStore:
    store = DatabaseTrackerStore(domain=domain)
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return store


async def test_old_conversations_go_and_recent_sessions_stay(
    domain: Domain, database: Database
) -> None:
    gone, mixed, recent = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("gone", "mixed", "recent"))
    await save(domain, gone, session(120, "old"))
    store = await save(domain, mixed, session(100, "old words") + session(1, "new words"))
    await save(domain, recent, session(2, "fresh"))
    events = TrackerEvents(database)
    before = {s: events.count(s) for s in (gone, mixed, recent)}

    erased = retention.purge(database, 90)

    after = {s: events.count(s) for s in (gone, mixed, recent)}
    assert after == {gone: 0, mixed: before[mixed] // 2, recent: before[recent]}
    assert erased["conversations"] >= before[gone] + before[mixed] // 2
    tracker = await store.retrieve_full_tracker(mixed)
    assert tracker is not None
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts == ["new words"]
    assert tracker.get_slot("language") == "fa"  # the latest session is whole


async def test_a_session_still_going_keeps_its_beginning(
    domain: Domain, database: Database
) -> None:
    """A long session that started before the cutoff and is still active is not cut."""
    events = session(95, "started long ago")
    events += [UserUttered("still here", timestamp=time.time() - DAY)]
    sender = f"long-{uuid.uuid4().hex[:8]}"
    await save(domain, sender, events)
    retention.purge(database, 90)
    assert TrackerEvents(database).count(sender) == len(events)


def test_every_personal_data_store_is_purged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []

    class Store:
        def __init__(self, name: str) -> None:
            self.name = name

        def forget(self, user_id: str) -> int:
            return 0

        def purge_before(self, cutoff: Any) -> int:
            seen.append((self.name, cutoff))
            return 1

    names = list(personal_data_stores(database))
    monkeypatch.setattr(retention, "personal_data_stores", lambda db: {n: Store(n) for n in names})
    erased = retention.purge(database, 30)
    assert list(erased) == ["conversations", *names]
    assert [n for n, _ in seen] == names
    assert len({c for _, c in seen}) == 1  # one cutoff for all


def test_command_line(
    database: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert retention.main(["--days", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"cutoff", "erased"} and "conversations" in out["erased"]
    monkeypatch.setenv("RETENTION_DAYS", "ninety")
    settings.cache_clear()  # a new run reads the environment again
    assert retention.main([]) == 2
    assert "RETENTION_DAYS" in capsys.readouterr().err
    assert retention.main(["--days", "0"]) == 2


@pytest.mark.parametrize(("raw", "days"), [("", 90), ("30", 30), (" 365 ", 365)])
def test_days_from_the_environment(raw: str, days: int) -> None:
    assert from_env({"RETENTION_DAYS": raw}).retention_days == days


@pytest.mark.parametrize("raw", ["0", "-5", "9999", "3.5", "a month"])
def test_bad_days_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        from_env({"RETENTION_DAYS": raw})
