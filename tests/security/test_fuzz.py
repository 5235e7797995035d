"""Property-based fuzzing of every gateway entry point: no 5xx, no crash, no hostile text inside.

Each test keeps one gateway (real ``create_app``) for all its examples, as a
server would, with Rasa, the Bot API and the translation service replaced by
stand-ins: ``POST /api/chat``, the Telegram webhook, the widget's WebSocket.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from pes.settings import from_env
from tests.standins.bot_api import BotApi, bot_api, message
from tests.standins.rasa_rest import FakeRasa

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SECRET = "fuzz-webhook-secret-0001"
HOSTILE_CHARS = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
    "\ufeff", "\u00ad", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\U000e0041", "\u0301",
    "😀", "❤️", "👨\u200d👩\u200d👧", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "ب", "ی", "ж", "č", " ", "\n", "\t", "{", "}", '"', "\\", "/", "%s", "{name}", "'; DROP TABLE events; --",
]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(HOSTILE_CHARS), max_size=120).map("".join),
    st.sampled_from(["", " ", "x" * 2001, "😀" * 10_000, "/delete_my_data", "/restart", "/affirm"]),
)
SESSIONS = st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)
INVISIBLE = {c for c in "".join(HOSTILE_CHARS) if unicodedata.category(c) in ("Cc", "Cf", "Cs")}
INVISIBLE -= {"\n", "\u200c", "\u200d"}


def clean_for_rasa(fake: FakeRasa) -> None:
    """What reached Rasa: no control, format or bidi characters, no over-long text."""
    for sent in fake.requests:
        text = sent["message"]
        assert text and len(text) <= 2000
        assert not INVISIBLE & set(text), repr(text[:80])


def polite_json(body: Any) -> None:
    assert isinstance(body, dict) and isinstance(body.get("messages"), list)
    for item in body["messages"]:
        assert isinstance(item.get("text"), str) and item["text"]
        assert item.get("dir") in ("ltr", "rtl")


@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def api() -> Iterator[BotApi]:
    with bot_api() as stand_in:
        yield stand_in


@pytest.fixture
async def client(aiohttp_client: Any, fake: FakeRasa, api: BotApi) -> TestClient:
    settings_ = from_env(
        {
            "TELEGRAM_TOKEN": api.token,
            "TELEGRAM_API_URL": api.url,
            "TELEGRAM_WEBHOOK_URL": "https://pes.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
    ).gateway
    app = create_app(
        settings_, rasa=fake.client(), http=httpx.AsyncClient(transport=fake.transport)
    )
    return await aiohttp_client(app)


@FUZZ
@given(
    body=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"session": st.one_of(SESSIONS, JSON), "message": st.one_of(HOSTILE_TEXT, JSON)},
            optional={"lang": st.one_of(st.sampled_from(["fa", "ar-SY", "uk_UA", "xx", ""]), JSON)},
        ),
    )
)
async def test_chat_never_fails(client: TestClient, fake: FakeRasa, body: Any) -> None:
    response = await client.post(
        "/api/chat", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status in (200, 400, 413), response.status
    polite_json(await response.json())
    clean_for_rasa(fake)


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [
                b'{"session": "abcdefgh", "message": "\\ud800x"}',  # a lone surrogate
                b'{"session": "abcdefgh", "message": "\\udfff"}',
                b'{"session": "abcdefgh", "message": "ok", "lang": "\\u0000"}',
                b"\xff\xfe{\x00}",  # not UTF-8
                b"[" * 5000,  # nesting
                b'{"session": "abcdefgh", "message": ' + b'"a",' * 3000 + b'"b"}',
            ]
        ),
    ),
    kind=st.sampled_from(["application/json", "text/plain", "multipart/form-data", ""]),
)
async def test_chat_survives_malformed_bodies(
    client: TestClient, fake: FakeRasa, raw: bytes, kind: str
) -> None:
    response = await client.post("/api/chat", data=raw, headers={"Content-Type": kind})
    assert response.status < 500, response.status
    assert "Traceback" not in await response.text()
    clean_for_rasa(fake)


UPDATE_FIELDS = {
    "message": st.builds(
        lambda uid, text, lang: message(uid, text, lang),
        st.integers(min_value=-(2**40), max_value=2**40),
        HOSTILE_TEXT,
        st.sampled_from(["en", "fa", "", "zz-ZZ"]),
    ),
    "edited_message": st.builds(lambda t: message(1, t), HOSTILE_TEXT),
    "callback_query": st.fixed_dictionaries(
        {
            "id": st.text(max_size=10),
            "from": st.fixed_dictionaries(
                {"id": st.integers(1, 2**40), "is_bot": st.booleans(), "first_name": st.text()}
            ),
            "chat_instance": st.text(max_size=10),
        },
        optional={"data": st.one_of(HOSTILE_TEXT, st.text(max_size=64)), "message": JSON},
    ),
    "channel_post": JSON,
    "my_chat_member": JSON,
}


@FUZZ
@given(
    update=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"update_id": st.one_of(st.integers(), JSON)},
            optional={k: st.one_of(v, JSON) for k, v in UPDATE_FIELDS.items()},
        ),
    ),
    secret=st.sampled_from([SECRET, SECRET, "", "wrong", "fuzz-webhook-secret-000\u00e9"]),
)
async def test_telegram_webhook_never_fails(
    client: TestClient, api: BotApi, update: Any, secret: str
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    response = await client.post("/telegram/webhook", json=update, headers=headers)
    if secret != SECRET:
        assert response.status == 403
    else:
        assert response.status in (200, 400, 413), response.status  # 413: over 64 KiB


async def test_telegram_still_answers_after_garbage(
    client: TestClient, api: BotApi, fake: FakeRasa
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for garbage in ([], "x", {"update_id": "one"}, {"update_id": 1, "message": {"text": 5}}):
        response = await client.post("/telegram/webhook", json=garbage, headers=headers)
        assert response.status in (200, 400)
    good = {"update_id": 99, "message": message(424242, "\u202ehello\u200b")}
    assert (await client.post("/telegram/webhook", json=good, headers=headers)).status == 200
    for _ in range(200):
        if fake.requests:
            break
        await asyncio.sleep(0.05)
    assert fake.requests and fake.requests[-1]["message"] == "hello"
    assert api.wait_for("sendMessage")


def own_origin(client: TestClient) -> str:
    return f"http://{client.host}:{client.port}"


@FUZZ
@given(
    frames=st.lists(
        st.one_of(
            JSON.map(json.dumps),
            st.text(max_size=50),
            st.just('{"type": "message", "id": "a", "text": "\\ud800"}'),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["message", "hello", "x", ""]),
                    "id": st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True), JSON),
                    "text": st.one_of(HOSTILE_TEXT, JSON),
                },
                optional={"lang": JSON, "session": JSON},
            ).map(json.dumps),
        ),
        min_size=1,
        max_size=4,
    ),
    session=SESSIONS,
)
async def test_widget_socket_never_fails(
    client: TestClient, fake: FakeRasa, frames: list[str], session: str
) -> None:
    ws = await client.ws_connect("/api/ws", headers={"Origin": own_origin(client)})
    try:
        await ws.send_json({"type": "hello", "session": session, "lang": "fa"})
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "ready"
        for frame in frames:
            await ws.send_str(frame)
        await ws.send_json({"type": "message", "id": "last", "text": "hello"})
        while True:  # every answer is JSON, and the socket stays up to the last message
            msg = await ws.receive(timeout=10)
            if msg.type == aiohttp.WSMsgType.CLOSE:  # only for a frame over the size limit
                assert msg.data == 1009 and max(len(f.encode()) for f in frames) > 12_000
                break
            assert msg.type == aiohttp.WSMsgType.TEXT, (msg.type, msg.data)
            reply = json.loads(msg.data)
            assert reply["type"] in ("typing", "message", "done", "error", "ready")
            if reply.get("reply_to") == "last" and reply["type"] in ("done", "error"):
                break
    finally:
        await ws.close()
    clean_for_rasa(fake)


async def test_widget_socket_survives_deep_nesting(client: TestClient) -> None:
    ws = await client.ws_connect("/api/ws", headers={"Origin": own_origin(client)})
    try:
        await ws.send_json({"type": "hello", "session": "deep-nesting-01", "lang": "en"})
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "ready"
        await ws.send_str("[" * 5000)
        reply = await ws.receive(timeout=5)
        assert reply.type == aiohttp.WSMsgType.TEXT and json.loads(reply.data)["type"] == "error"
    finally:
        await ws.close()
