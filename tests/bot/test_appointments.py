"""Reminders and calendar files in the gateway."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot.app import CATALOGUE, DELIVERER, OUTBOX, create_app
from bot.appointments import STORE, queue_due
from common.clock import utcnow
from language.catalogue import Catalogue
from pes import appointments as ap
from pes.appointments import AppointmentRow, AppointmentStore
from pes.db import Database
from pes.outbox import Outbox, OutboxItem
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def store(appointment_store: AppointmentStore) -> AppointmentStore:
    return appointment_store


def book(
    store: AppointmentStore,
    user: str,
    in_hours: float,
    *,
    channel: str = "telegram",
    lang: str = "ar",
    interpreter: str | None = None,
    office: str = "maribor",
) -> ap.Appointment:
    start = NOW + timedelta(hours=in_hours)
    (slot,) = store.publish_slots(office, f"C-{user}", [start], 30, ["sl", "en"], True)
    return store.book(user, slot, channel, lang, interpreter, NOW - timedelta(days=3))


def test_a_reminder_is_queued_once_in_the_appointments_language(
    store: AppointmentStore, database: Database
) -> None:
    catalogue = Catalogue.load()
    soon = book(store, "tg-a", 20, interpreter="ar")
    later = book(store, "web-b", 30, channel="web", lang="sl")
    outbox = Outbox(database)
    assert queue_due(store, outbox, catalogue, NOW) == 1
    (item,) = outbox.pending("tg-a")
    assert item.kind == "reminder" and item.channel == "telegram"
    text = item.message["text"]
    assert text.startswith("\u200fتذكير") and "المترجم: العربية" in text
    assert ap.format_when(soon.starts_at, "ar") in text
    assert [b["payload"] for b in item.message["buttons"]] == [
        f'/reschedule_appointment{{"appointment_id": "{soon.id}"}}',
        f'/cancel_appointment{{"appointment_id": "{soon.id}"}}',
    ]
    assert queue_due(store, outbox, catalogue, NOW) == 0  # once
    assert outbox.pending("web-b") == []
    # 10 hours later the second one is due, in Slovenian
    assert queue_due(store, outbox, catalogue, NOW + timedelta(hours=10)) == 1
    assert outbox.pending("web-b")[0].message["text"].startswith("Opomnik")
    assert later.channel == "web"


def test_a_restart_between_queueing_and_marking_sends_nothing_twice(
    store: AppointmentStore, database: Database
) -> None:
    catalogue = Catalogue.load()
    booked = book(store, "tg-a", 5)
    assert queue_due(store, Outbox(database), catalogue, NOW) == 1
    # the process died before marking: the mark is lost
    with database.session() as session:
        session.execute(
            update(AppointmentRow)
            .where(AppointmentRow.id == booked.id)
            .values(reminder_queued_at=None)
        )
    fresh = AppointmentStore(Database(str(database.url)), max_future=2)
    assert queue_due(fresh, Outbox(fresh.db), catalogue, NOW) == 0  # the dedupe key holds
    assert len(Outbox(database).pending("tg-a")) == 1
    assert fresh.due_reminders(NOW) == []  # and it is marked now
    fresh.db.dispose()


def test_an_office_cancellation_is_announced(store: AppointmentStore, database: Database) -> None:
    booked = book(store, "tg-c", 72, lang="uk")
    assert booked.slot_id is not None
    store.delete_slot(booked.slot_id, cancel_booking=True)
    outbox = Outbox(database)
    assert queue_due(store, outbox, Catalogue.load(), NOW) == 1
    (item,) = outbox.pending("tg-c")
    assert item.kind == "appointment_cancelled"
    assert "відділення мусило скасувати" in item.message["text"]
    assert item.message["buttons"][0]["payload"] == '/book_appointment{"city": "maribor"}'
    assert queue_due(store, outbox, Catalogue.load(), NOW) == 0


def gateway(database: Database) -> web.Application:
    fake = FakeRasa()
    return create_app(
        from_env({}).gateway,
        rasa=fake.client(),
        http=httpx.AsyncClient(transport=fake.transport),
        database=database,
    )


@pytest.fixture
async def client(aiohttp_client: Any, database: Database) -> TestClient:
    started: TestClient = await aiohttp_client(gateway(database))
    return started


async def test_the_gateway_job_delivers_a_due_reminder_at_start(
    aiohttp_client: Any, database: Database, store: AppointmentStore
) -> None:
    book(store, "web-z", 3, channel="web", lang="en")
    app = gateway(database)
    sent: list[OutboxItem] = []

    async def sender(item: OutboxItem) -> bool:
        sent.append(item)
        return True

    app[DELIVERER].register("web", sender)
    await aiohttp_client(app)  # starts the job: its first round runs at once
    for _ in range(100):
        if sent:
            break
        await asyncio.sleep(0.05)
    assert [i.user_id for i in sent] == ["web-z"]
    assert sent[0].kind == "reminder" and sent[0].message["text"].startswith("Reminder")
    assert await asyncio.to_thread(queue_due, app[STORE], app[OUTBOX], app[CATALOGUE]) == 0


async def test_calendar_file_for_the_link_holder(
    client: TestClient, store: AppointmentStore
) -> None:
    booked = book(store, "web-d", 50, channel="web", lang="sl")
    response = await client.get(f"/appointments/{booked.token}.ics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.text()
    assert "SUMMARY:Termin na Zavodu RS za zaposlovanje" in body
    assert "LOCATION:Urad za delo Maribor\\, Gregorčičeva ulica 37\\, 2000 Maribor" in body
    assert "web-d" not in body
    assert (await client.get("/appointments/" + "x" * 32 + ".ics")).status == 404
    assert (await client.get("/appointments/short.ics")).status == 404
    store.cancel("web-d", booked.id)
    assert (await client.get(f"/appointments/{booked.token}.ics")).status == 404
