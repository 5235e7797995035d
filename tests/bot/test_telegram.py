"""The real python-telegram-bot Application against a local stand-in Bot API server."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.conversation import Conversations
from bot.delivery import Deliverer
from bot.telegram import (
    CallbackStore,
    TelegramChannel,
    TelegramSettings,
    deep_link_payload,
    split_text,
)
from language.catalogue import Catalogue
from pes.db import Database
from pes.outbox import Contacts, Outbox
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.bot_api import BotApi, message
from tests.standins.rasa_rest import FakeRasa

CHAT = 777001
KEY = from_env({}).gateway.pseudonym_key


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa(
        replies=[
            {"text": "Вітаю!", "buttons": [{"title": "Програми", "payload": "/list_programmes"}]}
        ]
    )


@pytest.fixture
async def channel(
    api: BotApi, rasa: FakeRasa, catalogue: Catalogue, database: Database
) -> AsyncIterator[TelegramChannel]:
    tg = TelegramChannel(
        TelegramSettings(token=api.token, api_url=api.url),
        Conversations(rasa.client(), Contacts(database)),
        catalogue,
        KEY,
    )
    await tg.start()
    try:
        yield tg
    finally:
        await tg.stop()


async def settle(check: Any, timeout: float = 20.0) -> None:
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_ukrainian_start(channel: TelegramChannel, api: BotApi, rasa: FakeRasa) -> None:
    api.push({"message": message(CHAT, "/start", language_code="uk")})
    await settle(lambda: api.sent("sendMessage"))
    sent = rasa.requests[0]
    assert sent["message"] == "/greet"
    assert sent["sender"] == pseudonym(KEY, "telegram", str(CHAT))
    assert str(CHAT) not in sent["sender"]
    assert sent["metadata"] == {"channel": "telegram", "language": "uk"}
    assert api.sent("sendChatAction")[0]["action"] == "typing"
    reply = api.sent("sendMessage")[0]
    assert reply["text"] == "Вітаю!"
    keyboard = json.loads(reply["reply_markup"])["inline_keyboard"]
    assert keyboard == [[{"callback_data": "/list_programmes", "text": "Програми"}]]


async def test_deep_link_and_a_button(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa
) -> None:
    api.push({"message": message(CHAT, "/start office_info--city--maribor")})
    await settle(lambda: len(rasa.requests) == 1)
    assert rasa.requests[0]["message"] == '/office_info{"city": "maribor"}'
    api.push(
        {
            "callback_query": {
                "id": "cb-1",
                "from": {"id": CHAT, "is_bot": False, "first_name": "T", "language_code": "en"},
                "chat_instance": "x",
                "data": "/list_programmes",
                "message": {
                    **message(CHAT, "Вітаю!"),
                    "from": {"id": 4242, "is_bot": True, "first_name": "B"},
                },
            }
        }
    )
    await settle(lambda: api.sent("answerCallbackQuery") and len(rasa.requests) == 2)
    assert api.sent("answerCallbackQuery")[0]["callback_query_id"] == "cb-1"
    assert rasa.requests[1]["message"] == "/list_programmes"


async def test_long_payloads_go_through_the_server_side_map(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa
) -> None:
    long_payload = (
        '/programme_details{"programme": "qualification_recognition", "city": "novo_mesto"}'
    )
    rasa.replies = [{"text": "Izberite", "buttons": [{"title": "X", "payload": long_payload}]}]
    api.push({"message": message(CHAT, "programi", language_code="sl")})
    await settle(lambda: api.sent("sendMessage"))
    markup = json.loads(api.sent("sendMessage")[0]["reply_markup"])
    key = markup["inline_keyboard"][0][0]["callback_data"]
    assert key.startswith("#") and len(key.encode()) <= 64
    assert channel.callbacks.decode(key) == long_payload


async def test_voice_note_gets_a_kind_answer_in_the_users_language(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa, catalogue: Catalogue
) -> None:
    voice = {"file_id": "v1", "file_unique_id": "u1", "duration": 3}
    api.push({"message": message(CHAT, "", language_code="ar", voice=voice)})
    await settle(lambda: api.sent("sendMessage"))
    assert (
        api.sent("sendMessage")[0]["text"] == catalogue.render("telegram.unsupported", "ar")["text"]
    )
    assert rasa.requests == []


async def test_rasa_down_says_try_again(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa, catalogue: Catalogue
) -> None:
    rasa.up = False
    api.push({"message": message(CHAT, "привіт", language_code="uk")})
    await settle(lambda: api.sent("sendMessage"))
    assert (
        api.sent("sendMessage")[0]["text"] == catalogue.render("gateway.unavailable", "uk")["text"]
    )


async def test_long_replies_are_split_and_retry_after_is_honoured(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa
) -> None:
    rasa.replies = [{"text": ("line of text\n" * 700).strip()}]
    api.retry_after_once.add("sendMessage")
    api.push({"message": message(CHAT, "hello")})
    await settle(lambda: len([c for c in api.sent("sendMessage")]) >= 4, timeout=30)
    texts = [c["text"] for c in api.sent("sendMessage")][1:]  # the first try was refused (429)
    assert all(len(t) <= 4096 for t in texts)
    assert sum(len(t) for t in texts) >= 700 * 12 - 700


async def test_group_chats_are_declined(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa
) -> None:
    group = message(-100, "hello all")
    group["chat"] = {"id": -100, "type": "group", "title": "g"}
    api.push({"message": group})
    await settle(lambda: api.sent("sendMessage"))
    assert rasa.requests == []


@pytest.fixture
async def webhook_client(aiohttp_client: Any, api: BotApi, rasa: FakeRasa) -> TestClient:
    settings = from_env(
        {
            "TELEGRAM_TOKEN": api.token,
            "TELEGRAM_API_URL": api.url,
            "TELEGRAM_WEBHOOK_URL": "https://pes.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-token-for-tests",
        }
    ).gateway
    app = create_app(settings, rasa=rasa.client(), http=httpx.AsyncClient(transport=rasa.transport))
    return await aiohttp_client(app)


async def test_webhook_checks_the_secret(
    webhook_client: TestClient, api: BotApi, rasa: FakeRasa
) -> None:
    assert api.sent("setWebhook")[0]["secret_token"] == "s3cret-token-for-tests"
    update = {"update_id": 1, "message": message(CHAT, "hello")}
    wrong = await webhook_client.post(
        "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
    )
    assert wrong.status == 403
    missing = await webhook_client.post("/telegram/webhook", json=update)
    assert missing.status == 403
    right = await webhook_client.post(
        "/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-for-tests"},
    )
    assert right.status == 200
    await settle(lambda: rasa.requests)
    assert rasa.requests[0]["message"] == "hello"


def test_deep_link_payloads() -> None:
    assert deep_link_payload(None) == "/greet"
    assert deep_link_payload("programme_details--programme--on_the_job_training") == (
        '/programme_details{"programme": "on_the_job_training"}'
    )
    assert (
        deep_link_payload("choose_language--language--fa") == '/choose_language{"language": "fa"}'
    )
    assert deep_link_payload("check_eligibility") == "/check_eligibility"
    for bad in (
        "delete_my_data",
        "office_info--sender--x",
        "office_info--city",
        "<script>",
        "a" * 300,
    ):
        assert deep_link_payload(bad) == "/greet"


def test_split_text_and_callback_store() -> None:
    pieces = split_text("word " * 2000, limit=100)
    assert all(len(p) <= 100 for p in pieces) and "".join(pieces).replace(" ", "") == "word" * 2000
    store = CallbackStore(size=2)
    keys = [store.encode("/x" + "y" * 80 + str(i)) for i in range(3)]
    assert store.decode(keys[0]) is None and store.decode(keys[2]) is not None
    assert store.encode("/help") == "/help"


async def test_queued_messages_reach_the_chat_through_the_same_sender(
    channel: TelegramChannel, api: BotApi, rasa: FakeRasa, database: Database
) -> None:
    """A counsellor's reply or a reminder waits in the outbox and is sent to the chat the
    user wrote from; a user the channel never saw waits; a Bot API fault is retried."""
    api.push({"message": message(CHAT, "zdravo", language_code="sl")})
    await settle(lambda: api.sent("sendMessage"))
    user_id = pseudonym(KEY, "telegram", str(CHAT))
    outbox = Outbox(database)
    deliverer = Deliverer(outbox)
    deliverer.register("telegram", channel.deliver)
    reply = {
        "text": "Svetovalka: pridite v sredo.",
        "buttons": [{"title": "OK", "payload": "/affirm"}],
    }
    queued = outbox.put(user_id, "telegram", reply, kind="counsellor_reply")
    stranger = outbox.put("telegram-unknown", "telegram", {"text": "x"}, kind="reminder")
    assert await deliverer.deliver_due() == 1
    sent = api.sent("sendMessage")[-1]
    assert sent["chat_id"] in (CHAT, str(CHAT)) and sent["text"] == reply["text"]
    assert json.loads(sent["reply_markup"])["inline_keyboard"][0][0]["callback_data"] == "/affirm"
    assert [i.id for i in outbox.pending(user_id)] == []
    assert queued is not None and stranger is not None
    assert [i.id for i in outbox.pending("telegram-unknown")] == [stranger]
