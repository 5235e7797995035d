"""The gateway while a counsellor has a case: the person's messages go to the case and each
gets a reply, the counsellor's replies reach the person (web and Telegram) through the
outbox, and nothing is lost when the gateway restarts."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import timedelta
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot.app import DELIVERER, create_app
from bot.console import CASE_WATCH, HANDOFF
from bot.handoff import ACK_EVERY, Handoff
from common.clock import utcnow
from language.catalogue import Catalogue
from language.translation import TranslationConfig, Translator
from pes.cases import USER, CaseStore
from pes.cases.tables import CaseRow
from pes.db import Database
from pes.outbox import DELIVERED, PENDING, SENDING, Outbox, OutboxRow
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.bot_api import BotApi, message
from tests.standins.rasa_rest import FakeRasa

SESSION = "handoffsession0001"
KEY = from_env({}).gateway.pseudonym_key
WEB_USER = pseudonym(KEY, "web", SESSION)
CHAT = 555001
TG_USER = pseudonym(KEY, "telegram", str(CHAT))
GROUP = "-100777"


def machine(text: str, source: str, target: str) -> str:
    """A stand-in provider: marks what it translated."""
    return f"[{source}>{target}] {text}"


def translator() -> Translator:
    return Translator(TranslationConfig(provider="libre"), backend=machine)


@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa(replies=[{"text": "Rasa here"}])


def make_app(fake: FakeRasa, database: Database, **env: str) -> Any:
    settings = from_env({"DATABASE_URL": os.environ["DATABASE_URL"], **env}).gateway
    app = create_app(
        settings,
        rasa=fake.client(),
        http=httpx.AsyncClient(transport=fake.transport),
        database=database,
    )
    app[HANDOFF].translator = translator()
    app[CASE_WATCH].interval = 0.1
    return app


@pytest.fixture
async def client(aiohttp_client: Any, fake: FakeRasa, database: Database) -> TestClient:
    return await aiohttp_client(make_app(fake, database))


async def chat(client: TestClient, text: str) -> list[dict[str, Any]]:
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": text, "lang": "ar"}
    )
    assert response.status == 200
    return list((await response.json())["messages"])


async def connect(client: TestClient) -> aiohttp.ClientWebSocketResponse:
    origin = str(client.make_url("/").origin())
    ws = await client.ws_connect("/api/ws", headers={"Origin": origin})
    await ws.send_json({"type": "hello", "session": SESSION, "lang": "ar"})
    assert (await ws.receive_json(timeout=5))["type"] == "ready"
    return ws


async def frame_of_kind(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frame = await ws.receive_json(timeout=10)
        if frame.get("kind") == kind:
            return dict(frame)
    raise AssertionError(f"no {kind} frame")


async def sent(api: BotApi, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    """Bot API sendMessage calls, once there are ``count`` (the event loop keeps running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = api.sent("sendMessage")
        if len(calls) >= count:
            return calls
        await asyncio.sleep(0.05)
    raise AssertionError(f"sendMessage called {len(api.sent('sendMessage'))} times, not {count}")


def handoff_of(client: TestClient) -> Handoff:
    return client.app[HANDOFF]


def acknowledgement(lang: str, status: str, danger: str, **values: Any) -> str:
    """The full acknowledgement as the catalogue writes it in ``lang``: forwarded, the
    ``status`` line (queue place, next, counsellor on it), the ``danger`` line."""
    catalogue = Catalogue.load()
    keys = (("handoff.forwarded", {}), (status, values), (danger, {}))
    return "\n".join(catalogue.render(key, lang, **v)["text"] for key, v in keys)


def received(lang: str) -> str:
    return str(Catalogue.load().render("handoff.received", lang)["text"])


def a_minute_passes(database: Database, case_id: int) -> None:
    """Pretend the last full acknowledgement is older than ``ACK_EVERY`` (the store keeps
    its time in the case row, so moving that row's time moves the store's clock)."""
    with database.session() as session:
        session.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(noticed_at=utcnow() - ACK_EVERY - timedelta(seconds=1))
        )


async def test_an_open_case_takes_the_messages_and_rasa_is_not_asked(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    assert await chat(client, "مرحبا") == [
        {"text": "Rasa here", "buttons": [], "image": None, "dir": "ltr", "lang": None}
    ]
    case, _ = store.open_case(WEB_USER, "web", "ar", "request_human")
    first = await chat(client, "أحتاج مساعدة في إيجاد عمل")
    assert [m["text"] for m in first] == [
        acknowledgement("ar", "handoff.queue_next", "handoff.danger_line")
    ]
    assert first[0]["dir"] == "rtl"
    again = await chat(client, "هل أنت هناك؟")  # within the minute: the short line
    assert [m["text"] for m in again] == [received("ar")] and again[0]["dir"] == "rtl"
    assert len(fake.requests) == 1  # only the message before the case
    await handoff_of(client).drain()
    messages = [m for m in store.messages(case.id) if m.author == USER]
    assert [m.text for m in messages] == ["أحتاج مساعدة في إيجاد عمل", "هل أنت هناك؟"]
    assert messages[0].translation == "[ar>sl] أحتاج مساعدة في إيجاد عمل"
    assert messages[0].machine_translated and messages[0].translation_language == "sl"

    await handoff_of(client).close(store.get(case.id), "ana", "answered")  # type: ignore[arg-type]
    assert await chat(client, "شكرا") == [
        {"text": "Rasa here", "buttons": [], "image": None, "dir": "ltr", "lang": None}
    ]
    assert len(fake.requests) == 2  # closing handed the conversation back


async def test_back_to_the_assistant_and_delete_my_data(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    case, _ = store.open_case(WEB_USER, "web", "ar", "request_human")
    resumed = await chat(client, "/handoff_cancel")
    assert [m["text"] for m in resumed] == [
        Catalogue.load().render("handoff.resumed", "ar")["text"]
    ]
    closed = store.get(case.id)
    assert closed is not None and closed.outcome == "withdrawn" and closed.closed_by == "person"
    assert fake.requests == []
    assert await chat(client, "/handoff_cancel")  # an old button: still a kind answer
    assert fake.requests == []

    again, _ = store.open_case(WEB_USER, "web", "ar", "request_human")
    await chat(client, "/delete_my_data")
    assert [r["message"] for r in fake.requests] == ["/delete_my_data"]  # erasure never waits
    assert store.get(again.id).outcome == "withdrawn"  # type: ignore[union-attr]


async def test_every_message_of_a_burst_gets_a_reply_and_the_first_the_queue_place(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    store.open_case("web-earlier", "web", "en", "request_human")  # one person before
    case, _ = store.open_case(WEB_USER, "web", "uk", "request_human")
    burst = ["коли ви відповісте??", "алло?", "тут хтось є?", "будь ласка", "допоможіть"]
    replies = [await chat(client, text) for text in burst]
    assert all(reply and reply[0]["text"] for reply in replies)  # nobody is left unanswered
    full = acknowledgement("uk", "handoff.queue_place", "handoff.danger_line", ahead=1)
    assert [[m["text"] for m in reply] for reply in replies] == [
        [full],
        *[[received("uk")]] * 4,
    ]
    place = Catalogue.load().text("handoff.queue_place", "uk", ahead=1)
    assert sum(place in reply[0]["text"] for reply in replies) == 1  # the place: once a minute
    assert fake.requests == []

    a_minute_passes(database, case.id)
    later = await chat(client, "ви тут?")
    assert [m["text"] for m in later] == [full]
    assert [m.text for m in store.messages(case.id) if m.author == USER] == [*burst, "ви тут?"]


async def test_an_urgent_case_repeats_the_emergency_numbers(
    client: TestClient, database: Database
) -> None:
    case, _ = CaseStore(database).open_case(WEB_USER, "web", "ar", "urgent_help")
    first = await chat(client, "متى ستردون؟؟")
    assert [m["text"] for m in first] == [
        acknowledgement("ar", "handoff.queue_next", "handoff.emergency_line")
    ]
    emergency = Catalogue.load().text("handoff.emergency_line", "ar")
    assert "112" in emergency and "113" in emergency and "112" in first[0]["text"]
    assert "112" not in received("ar")  # the short line stays short
    a_minute_passes(database, case.id)
    assert "113" in (await chat(client, "مرحبا؟ هل من أحد هنا؟"))[0]["text"]  # every time


async def test_after_the_counsellor_replied_the_acknowledgement_says_they_are_on_it(
    client: TestClient, database: Database
) -> None:
    store = CaseStore(database)
    store.open_case("web-earlier", "web", "en", "request_human")
    case, _ = store.open_case(WEB_USER, "web", "uk", "request_human")
    first = await chat(client, "Доброго дня")
    assert first[0]["text"] == acknowledgement(
        "uk", "handoff.queue_place", "handoff.danger_line", ahead=1
    )
    await handoff_of(client).reply(case, "ana", "Dober dan, kako vam lahko pomagam?", "sl")
    assert [m["text"] for m in await chat(client, "Дякую!")] == [received("uk")]
    a_minute_passes(database, case.id)
    after = await chat(client, "Мені потрібна робота")
    assert [m["text"] for m in after] == [
        acknowledgement("uk", "handoff.counsellor_on_it", "handoff.danger_line")
    ]


async def test_a_language_without_written_replies_gets_them_machine_translated(
    client: TestClient, database: Database
) -> None:
    CaseStore(database).open_case(WEB_USER, "web", "tr", "urgent_help")
    catalogue = Catalogue.load()
    first = await chat(client, "Ne zaman cevap vereceksiniz?")
    assert first[0]["text"] == "\n".join(
        f"[en>tr] {catalogue.text(key, 'en')}"
        for key in ("handoff.forwarded", "handoff.queue_next", "handoff.emergency_line")
    )
    assert [m["text"] for m in await chat(client, "Merhaba?")] == [
        f"[en>tr] {catalogue.text('handoff.received', 'en')}"
    ]


async def test_a_counsellor_reply_reaches_the_web_page_in_the_persons_language(
    client: TestClient, database: Database
) -> None:
    store = CaseStore(database)
    case, _ = store.open_case(WEB_USER, "web", "ar", "request_human")
    ws = await connect(client)
    sent = await handoff_of(client).reply(case, "ana", "Pridite v sredo ob 9.00.", "sl")
    frame = await frame_of_kind(ws, "counsellor_reply")
    note = Catalogue.load().render("handoff.reply_translated", "ar")["text"]
    assert frame["text"] == f"\u200f[sl>ar] Pridite v sredo ob 9.00.\n\n{note}"
    assert frame["dir"] == "rtl"
    assert sent.translation == "[sl>ar] Pridite v sredo ob 9.00." and sent.machine_translated
    assert sent.sent_text == frame["text"]
    await asyncio.sleep(0.1)
    assert store.outbox_states([sent.outbox_id or 0]) == {sent.outbox_id: DELIVERED}
    after = store.get(case.id)
    assert after is not None and after.state == "answered" and after.counsellor == "ana"
    await ws.close()


async def test_without_a_provider_the_reply_goes_as_written_with_an_interpreter_offer(
    client: TestClient, database: Database
) -> None:
    handoff = handoff_of(client)
    handoff.translator = Translator(TranslationConfig(provider="none"))
    case, _ = CaseStore(database).open_case(WEB_USER, "web", "fa", "request_human")
    sent = await handoff.reply(case, "ana", "Pridite v sredo.", "sl")
    note = Catalogue.load().render("handoff.reply_untranslated", "fa")["text"]
    assert sent.sent_text == f"Pridite v sredo.\n\n{note}"
    assert sent.translation is None and not sent.machine_translated
    same = await handoff.reply(case, "ana", "سلام", "fa")  # written in the person's language
    assert same.sent_text == "سلام" and same.translation is None


async def test_telegram_person_group_announcement_and_reply_through_the_same_sender(
    aiohttp_client: Any, fake: FakeRasa, database: Database, api: BotApi
) -> None:
    app = make_app(
        fake,
        database,
        TELEGRAM_TOKEN=api.token,
        TELEGRAM_API_URL=api.url,
        COUNSELLOR_TELEGRAM_CHAT_ID=GROUP,
    )
    await aiohttp_client(app)
    api.push({"message": message(CHAT, "Здравствуйте", language_code="ru")})
    await sent(api, 1)
    store = CaseStore(database)
    case, _ = store.open_case(TG_USER, "telegram", "ru", "urgent_help")  # as the action server does

    group = [c for c in await sent(api, 2) if str(c["chat_id"]) == GROUP]
    assert group and group[0]["text"] == (
        f"Nov primer / New case #{case.id}\nPrednost / Priority: VISOKA / HIGH\n"
        "Jezik / Language: ru\nKanal / Channel: telegram"
    )

    api.push({"message": message(CHAT, "Мне негде спать сегодня", language_code="ru")})
    calls = await sent(api, 3)
    assert calls[-1]["text"] == acknowledgement(
        "ru", "handoff.queue_next", "handoff.emergency_line"
    )
    assert len(fake.requests) == 1

    await app[HANDOFF].reply(case, "ana", "Pokličite nas na 080 1722.", "sl")
    reply = (await sent(api, 4))[-1]
    assert str(reply["chat_id"]) == str(CHAT)
    label = Catalogue.load().text("handoff.reply_label", "ru")
    assert reply["text"].startswith(f"{label}:\n[sl>ru] Pokličite nas na 080 1722.")
    assert "Мне негде спать" not in json.dumps(
        [c for c in api.calls if str(c.get("chat_id")) == GROUP]
    )


async def test_cases_and_undelivered_replies_survive_a_restart(
    aiohttp_client: Any, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    case, _ = store.open_case(WEB_USER, "web", "ar", "request_human")
    first = await aiohttp_client(make_app(fake, database))
    await chat(first, "مرحبا؟")
    sent = await first.app[HANDOFF].reply(case, "ana", "Dober dan.", "sl")  # nobody is connected
    await first.close()

    restarted = await aiohttp_client(make_app(fake, database))
    still = await chat(restarted, "ما زلت هنا")  # still with the counsellor
    # the minute of the first acknowledgement is in the case, not in the old process
    assert [m["text"] for m in still] == [received("ar")]
    assert fake.requests == []
    assert [i.id for i in Outbox(database).pending(WEB_USER)] == [sent.outbox_id]  # not lost
    ws = await connect(restarted)  # the person comes back
    # A reply that found nobody waits out the outbox's back-off (30 s; 2 min if the old
    # process stopped in the middle of a try) before the next one: pretend that time has
    # passed rather than sleep through it.
    with database.session() as session:
        state = session.get(OutboxRow, sent.outbox_id).state
        assert state in (PENDING, SENDING)
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == sent.outbox_id)
            .values(state=PENDING, not_before=utcnow() - timedelta(seconds=1))
        )
    restarted.app[DELIVERER].wake()
    frame = await frame_of_kind(ws, "counsellor_reply")
    assert frame["text"].startswith("\u200f[sl>ar] Dober dan.")
    await asyncio.sleep(0.1)
    with database.session() as session:
        assert session.get(OutboxRow, sent.outbox_id).state == DELIVERED
    assert [m.text for m in store.messages(case.id) if m.author == USER] == [
        "مرحبا؟",
        "ما زلت هنا",
    ]
    await ws.close()
    assert Outbox(database).pending(WEB_USER) == []
