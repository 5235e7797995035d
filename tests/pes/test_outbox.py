from __future__ import annotations

from datetime import timedelta

from common.clock import utcnow
from pes.db import Database
from pes.outbox import DELIVERED, FAILED, MAX_ATTEMPTS, Contacts, Outbox


def test_a_message_is_claimed_once_and_delivered(database: Database) -> None:
    outbox = Outbox(database)
    item_id = outbox.put("web-a", "web", {"text": "Zdravo"}, kind="counsellor_reply")
    assert item_id is not None
    first = outbox.claim_due(["web"])
    assert [i.id for i in first] == [item_id]
    assert first[0].message == {"text": "Zdravo"}
    assert outbox.claim_due(["web"]) == []  # claimed, not handed out twice
    outbox.delivered(item_id)
    assert outbox.count(DELIVERED) == 1
    assert outbox.pending("web-a") == []


def test_dedupe_key_makes_send_once_hold(database: Database) -> None:
    outbox = Outbox(database)
    assert outbox.put("tg-a", "telegram", {"text": "x"}, kind="reminder", dedupe_key="r:1")
    assert outbox.put("tg-a", "telegram", {"text": "x"}, kind="reminder", dedupe_key="r:1") is None
    assert len(outbox.pending("tg-a")) == 1


def test_failures_back_off_then_give_up(database: Database) -> None:
    outbox = Outbox(database)
    item_id = outbox.put("tg-a", "telegram", {"text": "x"}, kind="reminder")
    assert item_id is not None
    outbox.claim_due()
    outbox.failed(item_id, "NetworkError")
    assert outbox.claim_due() == []  # backing off
    assert outbox.pending("tg-a")[0].attempts == 1
    for _ in range(MAX_ATTEMPTS - 1):
        outbox.failed(item_id, "NetworkError")
    assert outbox.count(FAILED) == 1


def test_released_and_stale_claims_come_back(database: Database) -> None:
    outbox = Outbox(database)
    item_id = outbox.put("web-a", "web", {"text": "x"}, kind="reminder")
    assert item_id is not None
    outbox.claim_due()
    outbox.release(item_id)
    assert [i.id for i in outbox.pending("web-a")] == [item_id]
    assert [i.id for i in outbox.claim_due(user_id="web-a")] == []  # released: later
    # a claim left by a crashed process is taken again after the claim timeout
    later = Outbox(database)
    with database.session() as session:
        from pes.outbox import OutboxRow

        row = session.get(OutboxRow, item_id)
        row.state, row.not_before = "sending", utcnow() - timedelta(minutes=10)
    assert [i.id for i in later.claim_due()] == [item_id]


def test_not_before_holds_a_message_back(database: Database) -> None:
    outbox = Outbox(database)
    outbox.put(
        "web-a", "web", {"text": "x"}, kind="reminder", not_before=utcnow() + timedelta(hours=1)
    )
    assert outbox.claim_due() == []


def test_forget_and_retention(database: Database) -> None:
    outbox, contacts = Outbox(database), Contacts(database)
    contacts.remember("tg-a", "telegram", "12345", "ar")
    contacts.remember("tg-a", "telegram", "12345", None)
    assert contacts.get("tg-a") is not None and contacts.get("tg-a").language == "ar"  # type: ignore[union-attr]
    outbox.put("tg-a", "telegram", {"text": "x"}, kind="reminder")
    delivered = outbox.put("tg-b", "telegram", {"text": "y"}, kind="reminder")
    assert delivered is not None
    outbox.delivered(delivered)
    assert outbox.purge_before(utcnow() + timedelta(seconds=1)) == 1
    assert outbox.forget("tg-a") == 1 and contacts.forget("tg-a") == 1
    assert contacts.get("tg-a") is None and outbox.pending("tg-a") == []
