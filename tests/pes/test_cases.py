"""The case queue: one open case per person, priorities, replies queued with the case, erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.clock import utcnow
from pes.cases import (
    ANSWERED,
    BOT,
    CLAIMED,
    CLOSED,
    HIGH,
    NORMAL,
    USER,
    WAITING,
    CaseError,
    CaseStore,
    HistoryItem,
)
from pes.db import Database
from pes.erasure import forget, personal_data_stores
from pes.gist import Gist
from pes.outbox import Outbox


@pytest.fixture
def store(database: Database) -> CaseStore:
    return CaseStore(database)


def test_one_open_case_per_person_a_second_handoff_adds_its_reason(store: CaseStore) -> None:
    first, created = store.open_case("web-a", "web", "ar", "request_human")
    assert created and first.state == WAITING and first.priority == NORMAL
    again, created_again = store.open_case("web-a", "web", "ar", "urgent_help")
    assert not created_again and again.id == first.id
    assert again.reasons == ("request_human", "urgent_help")
    assert again.priority == HIGH
    repeat, _ = store.open_case("web-a", "web", "ar", "urgent_help")
    assert repeat.reasons == ("request_human", "urgent_help")
    with pytest.raises(ValueError, match="unknown reason"):
        store.open_case("web-a", "web", "ar", "because")


def test_history_is_copied_into_a_new_case(store: CaseStore) -> None:
    history = [
        HistoryItem(USER, "مرحبا", "ar", utcnow() - timedelta(minutes=2)),
        HistoryItem(BOT, "أهلًا!", "ar", utcnow() - timedelta(minutes=2)),
        HistoryItem(USER, "بدي احكي مع انسان", "ar", utcnow()),
    ]
    case, _ = store.open_case("web-h", "web", "ar", "request_human", history=history)
    messages = store.messages(case.id)
    assert [(m.author, m.text) for m in messages] == [(h.author, h.text) for h in history]
    assert store.get(case.id).unread  # type: ignore[union-attr]


def test_queue_is_ordered_by_priority_then_waiting_time(store: CaseStore) -> None:
    older, _ = store.open_case("u1", "web", "en", "request_human")
    newer, _ = store.open_case("u2", "telegram", "uk", "repeated_question")
    urgent, _ = store.open_case("u3", "web", "fa", "urgent_help")
    assert [c.id for c in store.queue()] == [urgent.id, older.id, newer.id]
    assert store.ahead_of(urgent) == 0
    assert store.ahead_of(newer) == 2
    assert store.waiting_count() == 3
    store.claim(older.id, "ana")
    store.reply(
        older.id,
        "ana",
        text="Pozdravljeni",
        language="sl",
        sent={"text": "Hello"},
        sent_language="en",
        translation="Hello",
        machine_translated=True,
    )
    assert store.ahead_of(newer) == 1  # answered cases no longer hold anyone up


def test_claim_release_reply_close(store: CaseStore, database: Database) -> None:
    case, _ = store.open_case("web-c", "web", "ar", "request_human")
    claimed = store.claim(case.id, "ana")
    assert claimed.state == CLAIMED and claimed.counsellor == "ana"
    with pytest.raises(CaseError) as taken:
        store.claim(case.id, "bor")
    assert taken.value.code == "claimed_by_other"
    assert store.claim(case.id, "admin", force=True).counsellor == "admin"
    released = store.release(case.id, "admin")
    assert released.state == WAITING and released.counsellor is None

    message = store.reply(
        case.id,
        "ana",
        text="Pridite v sredo.",
        language="sl",
        sent={"text": "تعال يوم الأربعاء."},
        sent_language="ar",
        translation="تعال يوم الأربعاء.",
        machine_translated=True,
    )
    after = store.get(case.id)
    assert after is not None and after.state == ANSWERED and after.counsellor == "ana"
    assert after.first_reply_at is not None and not after.unread
    queued = Outbox(database).pending("web-c")
    assert [item.id for item in queued] == [message.outbox_id]
    assert queued[0].kind == "counsellor_reply" and queued[0].message == {
        "text": "تعال يوم الأربعاء."
    }
    assert store.outbox_states([message.outbox_id or 0]) == {message.outbox_id: "pending"}

    store.add_message(case.id, USER, "شكرا", "ar")
    assert store.get(case.id).unread  # type: ignore[union-attr]

    with pytest.raises(CaseError):
        store.close(case.id, "ana", "finished")
    closed = store.close(case.id, "ana", "answered", farewell={"text": "bye"})
    assert closed.state == CLOSED and closed.outcome == "answered" and closed.closed_by == "ana"
    assert store.current("web-c") is None
    assert [i.kind for i in Outbox(database).pending("web-c")] == [
        "counsellor_reply",
        "case_closed",
    ]
    with pytest.raises(CaseError) as gone:
        store.add_message(case.id, USER, "hello?", "ar")
    assert gone.value.code == "closed"
    again, created = store.open_case("web-c", "web", "ar", "request_human")
    assert created and again.id != case.id  # a new case after the old one closed
    actions = [e.action for e in store.audit_log(case.id)]
    assert {"opened", "claimed", "released", "replied", "closed"} <= set(actions)


def test_notice_at_most_once_in_a_while(store: CaseStore) -> None:
    case, _ = store.open_case("web-n", "web", "en", "request_human")
    assert store.should_notice(case.id, timedelta(minutes=10))
    assert not store.should_notice(case.id, timedelta(minutes=10))
    assert store.should_notice(case.id, timedelta(seconds=0))


def test_new_cases_are_announced_once(store: CaseStore) -> None:
    case, _ = store.open_case("web-x", "web", "en", "request_human")
    assert [c.id for c in store.take_unannounced()] == [case.id]
    assert store.take_unannounced() == []
    store.unannounce(case.id)
    assert [c.id for c in store.take_unannounced()] == [case.id]


def test_notes_and_version_change(store: CaseStore) -> None:
    case, _ = store.open_case("web-v", "web", "en", "request_human")
    before = store.version()
    store.add_note(case.id, "ana", "Needs an Arabic interpreter.")
    assert store.version() != before
    assert [n.text for n in store.notes(case.id)] == ["Needs an Arabic interpreter."]


def test_forget_and_purge(store: CaseStore, database: Database) -> None:
    case, _ = store.open_case(
        "web-f", "web", "en", "request_human", history=[HistoryItem(USER, "hi", "en")]
    )
    store.add_note(case.id, "ana", "note")
    other, _ = store.open_case("web-g", "web", "en", "request_human")
    assert "cases" in personal_data_stores(database)
    erased = forget(database, "web-f")
    assert erased["cases"] == 3  # the case, its message and its note
    assert store.get(case.id) is None and store.messages(case.id) == []
    assert store.get(other.id) is not None
    assert store.audit_log(case.id)  # staff names and case numbers only: kept

    store.close(other.id, "ana", "answered")
    assert store.purge_before(utcnow() - timedelta(days=1)) == 0
    assert store.purge_before(utcnow() + timedelta(seconds=1)) == 1
    assert store.get(other.id) is None


def test_a_message_keeps_its_gist_and_forgetting_erases_it(
    store: CaseStore, database: Database
) -> None:
    case, _ = store.open_case(
        "web-gist", "web", "fa", "request_human", history=[HistoryItem(USER, "سلام", "fa")]
    )
    message = store.add_message(case.id, USER, "اجازه کار دارم؟", "fa")
    assert message.gist is None
    before = store.version()
    gist = Gist("fa", 0.95, "work_rights", 0.8, True, status="refugee")
    store.set_gist(message.id, gist.to_json())
    assert store.version() != before  # the consoles show it without a reload
    stored = {m.id: m.gist for m in store.messages(case.id)}
    assert Gist.from_json(stored[message.id]) == gist
    assert [g for g in stored.values() if g is None]  # the history message has none yet
    store.set_gist(10**9, gist.to_json())  # a message erased meanwhile: nothing happens
    forget(database, "web-gist")
    assert store.messages(case.id) == []
