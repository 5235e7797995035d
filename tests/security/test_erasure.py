"""Erasure ("delete my data") leaves no row about the person, proven with SQL counts.

The conversation runs through the gateway (``create_app``) against Rasa's own
SQL tracker store (``tests/standins/rasa_turns.py``), with every store of
``pes.erasure.personal_data_stores`` filled for the person and for someone else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text

import actions.privacy
from bot.app import create_app
from common.clock import utcnow
from language.catalogue import Catalogue
from pes.appointments import AppointmentStore
from pes.cases import CaseStore
from pes.db import Database
from pes.outbox import Contacts, Outbox
from pes.privacy import pseudonym
from pes.settings import from_env
from pes.tracker_events import TrackerEvents
from tests.standins.rasa_turns import RasaTurns

KEY = from_env({}).gateway.pseudonym_key


@dataclass(frozen=True)
class People:
    """Two web visitors of one test (unique, so a shared PostgreSQL test database works too)."""

    session: str
    other_session: str

    @property
    def me(self) -> str:
        return pseudonym(KEY, "web", self.session)

    @property
    def other(self) -> str:
        return pseudonym(KEY, "web", self.other_session)


@pytest.fixture
def people() -> People:
    tag = uuid.uuid4().hex[:12]
    return People(f"erase-me-{tag}", f"keep-me-{tag}")


@pytest.fixture
def turns(database: Database, monkeypatch: pytest.MonkeyPatch) -> RasaTurns:
    monkeypatch.setattr(actions.privacy, "default_database", lambda: database)
    return RasaTurns()


@pytest.fixture
async def client(aiohttp_client: Any, turns: RasaTurns, database: Database) -> TestClient:
    return await aiohttp_client(
        create_app(from_env({}).gateway, rasa=turns.client(), database=database)
    )


async def say(client: TestClient, session: str, message: str, lang: str = "en") -> list[Any]:
    response = await client.post(
        "/api/chat", json={"session": session, "message": message, "lang": lang}
    )
    assert response.status == 200, await response.text()
    return list((await response.json())["messages"])


def fill(database: Database, user_id: str) -> list[int]:
    """Data about ``user_id`` in every store; returns the ids of their cases."""
    Outbox(database).put(user_id, "web", {"text": "Your appointment is tomorrow."}, kind="reminder")
    Contacts(database).remember(user_id, "telegram", "7770001", "en")
    cases = CaseStore(database)
    case, _ = cases.open_case(user_id, "web", "en", "request_human")
    cases.add_message(case.id, "user", "my employer kept my passport", "en")
    cases.add_note(case.id, "ana", "asked about passport")
    appointments = AppointmentStore(database)
    start = (utcnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    counsellor = f"Ana {uuid.uuid4().hex[:8]}"
    [slot] = appointments.publish_slots("maribor", counsellor, [start], 30, ["en"], False)
    appointments.book(user_id, slot, "web", "en", None)
    return [case.id]


def counts(database: Database, user_id: str, case_ids: list[int]) -> dict[str, int]:
    """Rows about ``user_id`` in every table that holds personal data."""
    queries = {
        "events": "SELECT COUNT(*) FROM events WHERE sender_id = :u",
        "appointments": "SELECT COUNT(*) FROM appointments WHERE user_id = :u",
        "cases": "SELECT COUNT(*) FROM cases WHERE user_id = :u",
        "outbox": "SELECT COUNT(*) FROM outbox WHERE user_id = :u",
        "contacts": "SELECT COUNT(*) FROM contacts WHERE user_id = :u",
    }
    ids = ",".join(str(int(i)) for i in case_ids) or "NULL"
    queries["case_messages"] = f"SELECT COUNT(*) FROM case_messages WHERE case_id IN ({ids})"  # noqa: S608
    queries["case_notes"] = f"SELECT COUNT(*) FROM case_notes WHERE case_id IN ({ids})"  # noqa: S608
    with database.engine.connect() as connection:
        return {
            name: int(connection.execute(text(sql), {"u": user_id}).scalar_one())
            for name, sql in queries.items()
        }


async def test_delete_my_data_leaves_no_row(
    people: People, client: TestClient, database: Database
) -> None:
    await say(client, people.session, "hello")
    await say(client, people.other_session, "hello")
    mine, others = fill(database, people.me), fill(database, people.other)
    assert all(counts(database, people.me, mine).values())

    asked = await say(client, people.session, "/delete_my_data")
    assert [b["payload"] for b in asked[0]["buttons"]] == ["/affirm", "/deny"]
    assert all(counts(database, people.me, mine).values())  # nothing before the person says yes

    done = await say(client, people.session, "/affirm")
    assert counts(database, people.me, mine) == dict.fromkeys(counts(database, people.me, mine), 0)
    assert all(counts(database, people.other, others).values())  # nobody else's data
    assert len(done) == 1 and "custom" not in done[0]  # the marker never reaches a channel
    told = done[0]["text"]
    for kind in ("conversation", "appointments", "cases", "outbox", "contacts"):
        assert english(f"privacy.store.{kind}") in told


def english(key: str) -> str:
    return Catalogue.load().text(key, "en")


async def test_no_means_nothing_is_deleted(
    people: People, client: TestClient, database: Database
) -> None:
    await say(client, people.session, "hello")
    mine = fill(database, people.me)
    before = counts(database, people.me, mine)
    await say(client, people.session, "/delete_my_data")
    reply = await say(client, people.session, "/deny")
    assert reply[0]["text"] == english("utter_delete_cancelled")
    after = counts(database, people.me, mine)
    assert after["events"] > before["events"] and {**after, "events": 0} == {
        **before,
        "events": 0,
    }


async def test_yes_without_the_question_deletes_nothing(
    people: People, client: TestClient, database: Database
) -> None:
    await say(client, people.session, "hello")
    mine = fill(database, people.me)
    await say(client, people.session, "/affirm")
    assert all(counts(database, people.me, mine).values())


async def test_rows_deleted_during_the_turn_come_back(
    people: People, turns: RasaTurns, database: Database
) -> None:
    """Why the gateway erases after the turn: Rasa's save writes the in-memory events back."""
    await turns.turn(people.me, "hello", {})
    turns.before_save = TrackerEvents(database).forget
    await turns.turn(people.me, "/delete_my_data", {})
    assert TrackerEvents(database).count(people.me) > 0


async def test_first_contact_gets_the_notice_once(
    people: People, client: TestClient, database: Database
) -> None:
    first = await say(client, people.session, "привіт", lang="uk")
    notice = Catalogue.load().render("privacy.notice", "uk", days=90)
    assert first[-1]["text"] == notice["text"] and first[-1]["buttons"] == notice["buttons"]
    again = await say(client, people.session, "привіт", lang="uk")
    assert all("/privacy_info" not in [b["payload"] for b in m["buttons"]] for m in again)
    await say(client, people.session, "/delete_my_data", lang="uk")
    await say(client, people.session, "/affirm", lang="uk")
    assert TrackerEvents(database).count(people.me) == 0
    fresh = await say(client, people.session, "привіт", lang="uk")  # a new beginning: told again
    assert fresh[-1]["buttons"][0]["payload"] == "/privacy_info"
