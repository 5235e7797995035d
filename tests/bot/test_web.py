"""The widget's WebSocket on the gateway: origins, limits, bad frames, replies, outbox delivery."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from datetime import timedelta
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.test_utils import TestClient

from bot.app import DELIVERER, OUTBOX, create_app
from bot.ratelimit import RateLimiter
from bot.web import WEB
from bot.web.frames import WIDGET_STRINGS
from common.clock import utcnow
from language.languages import CORE
from pes.db import Database
from pes.outbox import DELIVERED, PENDING
from pes.privacy import pseudonym
from pes.settings import SettingsError, from_env
from tests.conftest import ROOT
from tests.standins.rasa_rest import FakeRasa

SESSION = "w1dget5e55ion0001"
EVIL = "https://evil.example"
PARTNER = "https://www.partner.example"


def user_id(session: str = SESSION) -> str:
    return pseudonym(from_env({}).gateway.pseudonym_key, "web", session)


@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def env() -> dict[str, str]:
    return {
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "MAX_MESSAGE_CHARS": "100",
        "WIDGET_ALLOWED_ORIGINS": f"{PARTNER}/, http://localhost:9",
    }


@pytest.fixture
async def client(
    aiohttp_client: Any, fake: FakeRasa, env: dict[str, str], database: Database
) -> TestClient:
    app = create_app(
        from_env(env).gateway,
        rasa=fake.client(),
        http=httpx.AsyncClient(transport=fake.transport),
        database=database,
    )
    return await aiohttp_client(app)


def own_origin(client: TestClient) -> str:
    return str(client.make_url("/").origin())


async def connect(
    client: TestClient, *, session: str = SESSION, lang: str = "fa", origin: str | None = None
) -> aiohttp.ClientWebSocketResponse:
    ws = await client.ws_connect("/api/ws", headers={"Origin": origin or own_origin(client)})
    await ws.send_json({"type": "hello", "session": session, "lang": lang})
    assert (await receive(ws))["type"] == "ready"
    return ws


async def receive(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5.0) -> dict[str, Any]:
    frame = await ws.receive_json(timeout=timeout)
    assert isinstance(frame, dict)
    return frame


async def turn(ws: aiohttp.ClientWebSocketResponse, message_id: str) -> list[dict[str, Any]]:
    """Frames up to and including the ``done`` (or an error) for ``message_id``."""
    frames = []
    while True:
        frame = await receive(ws)
        frames.append(frame)
        if frame["type"] in ("done", "error") and frame.get("reply_to") == message_id:
            return frames


async def test_a_message_is_answered_with_ids_and_directions(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client)
    await ws.send_json({"type": "message", "id": "m1", "text": "سلام", "lang": "fa-IR"})
    frames = await turn(ws, "m1")
    assert [f["type"] for f in frames] == ["typing", "message", "message", "done"]
    first, second = frames[1], frames[2]
    assert [first[k] for k in ("id", "reply_to", "kind", "dir")] == ["m1.0", "m1", "reply", "rtl"]
    assert first["buttons"] == [{"title": "A", "payload": "/help"}]
    assert (second["id"], second["dir"]) == ("m1.1", "ltr")
    sent = fake.requests[0]
    assert sent["sender"] == user_id() and SESSION not in json.dumps(sent)
    assert sent["metadata"] == {"channel": "web", "language": "fa"}
    await ws.close()


async def test_each_reply_says_the_language_it_is_written_in(
    client: TestClient, fake: FakeRasa
) -> None:
    """The NLG's ``language`` of each reply reaches the widget as ``lang`` (its own words
    follow it); the gateway's own messages, which do not say, have ``null``."""
    fake.replies = [
        {"text": "\u200fسلام", "language": "fa"},
        {"text": "Merhaba", "language": "tr"},
        {"text": "Hello"},
        {"text": "?", "language": "xx-unknown"},
    ]
    ws = await connect(client, lang="en")
    await ws.send_json({"type": "message", "id": "l1", "text": "سلام، برنامه‌ها چیست؟"})
    frames = [f for f in await turn(ws, "l1") if f["type"] == "message"]
    assert [f["lang"] for f in frames] == ["fa", "tr", None, None]
    await ws.close()
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": "salam", "lang": "en"}
    )
    assert [m["lang"] for m in (await response.json())["messages"]] == ["fa", "tr", None, None]


async def test_a_resent_message_is_answered_again_but_not_asked_twice(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client)
    await ws.send_json({"type": "message", "id": "again", "text": "hello"})
    first = await turn(ws, "again")
    await ws.close()
    ws = await connect(client)  # a reconnect resends the queue
    await ws.send_json({"type": "message", "id": "again", "text": "hello"})
    second = await turn(ws, "again")
    assert [f.get("id") for f in second] == [f.get("id") for f in first]
    assert len(fake.requests) == 1
    await ws.close()


async def test_a_duplicate_sent_at_once_is_asked_once_and_answered_twice(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client)
    for _ in range(2):
        await ws.send_json({"type": "message", "id": "twin", "text": "hello"})
    first, second = await turn(ws, "twin"), await turn(ws, "twin")
    assert [f["type"] for f in first] == [f["type"] for f in second]
    assert first[-1]["type"] == "done" and len(fake.requests) == 1
    await ws.close()


class SlowRasa(FakeRasa):
    async def slow(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)
        return self.handler(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.slow)


@pytest.mark.parametrize("fake", [SlowRasa()])
async def test_the_socket_keeps_reading_while_rasa_thinks(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client)
    await ws.send_json({"type": "message", "id": "slow1", "text": "first"})
    await ws.send_json({"type": "message", "id": "slow2", "text": "second"})
    await ws.send_str("garbage")
    frames = [await receive(ws) for _ in range(9)]
    kinds = [(f["type"], f.get("reply_to")) for f in frames]
    assert kinds.index(("error", None)) < kinds.index(("done", "slow1"))  # not kept waiting
    assert kinds.index(("done", "slow1")) < kinds.index(("typing", "slow2"))  # in order
    assert kinds[-1] == ("done", "slow2")
    assert [r["message"] for r in fake.requests] == ["first", "second"]
    await ws.close()


@pytest.mark.parametrize(
    "bad", ["www.ess.gov.si", "https://ess.gov.si/path", "ftp://x.example", "https://a b"]
)
def test_allowed_origins_are_checked(bad: str) -> None:
    with pytest.raises(SettingsError, match="WIDGET_ALLOWED_ORIGINS"):
        _ = from_env({"WIDGET_ALLOWED_ORIGINS": f"https://ok.example,{bad}"}).gateway


def test_allowed_origins_are_normalised() -> None:
    settings = from_env(
        {"WIDGET_ALLOWED_ORIGINS": " https://WWW.ESS.gov.si/ ,http://localhost:8080"}
    ).gateway
    assert settings.widget_allowed_origins == ("https://www.ess.gov.si", "http://localhost:8080")
    assert from_env({}).gateway.widget_allowed_origins == ()


@pytest.mark.parametrize("origin", [EVIL, "null", None, "http://127.0.0.1:1"])
async def test_other_origins_are_refused(client: TestClient, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/api/ws", headers=headers)
    assert refused.value.status == 403


async def test_listed_origins_may_connect(client: TestClient) -> None:
    ws = await connect(client, origin=PARTNER)
    await ws.close()
    ws = await connect(client, origin="http://LOCALHOST:9")
    await ws.close()


async def test_rate_limit_is_polite_in_the_users_language(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client, lang="fa")
    answered = limited = None
    for n in range(12):
        await ws.send_json({"type": "message", "id": f"r{n}", "text": f"سوال {n}"})
        last = (await turn(ws, f"r{n}"))[-1]
        if last["type"] == "done":
            answered = n
        else:
            limited = last
            break
    assert answered == 5 and limited is not None  # a burst of six, then the rate applies
    assert limited["code"] == "rate_limited" and limited["retry_after"] > 0
    assert limited["messages"][0]["dir"] == "rtl"  # Persian, the user's language
    assert len(fake.requests) == 6
    # the socket stays usable: a resend of an answered message still gets its answer
    await ws.send_json({"type": "message", "id": "r0", "text": "سوال 0"})
    assert (await turn(ws, "r0"))[-1]["type"] == "done"
    await ws.close()


def test_rate_limiter_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=30, burst=2, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(2.0)
    assert limiter.take("b") == 0  # each user has their own bucket
    now[0] = 2.0
    assert limiter.take("a") == 0


async def test_too_long_message_gets_a_polite_answer_and_the_socket_stays(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client, lang="uk")
    await ws.send_json({"type": "message", "id": "long", "text": "я" * 101})
    error = await receive(ws)
    assert error["type"] == "error" and error["code"] == "too_long" and error["reply_to"] == "long"
    assert any("\u0400" <= ch <= "\u04ff" for ch in error["messages"][0]["text"])
    assert fake.requests == []
    await ws.send_json({"type": "message", "id": "short", "text": "я" * 100})
    assert (await turn(ws, "short"))[-1]["type"] == "done"
    await ws.close()


async def test_an_oversized_frame_closes_the_socket(client: TestClient) -> None:
    ws = await connect(client)
    await ws.send_str(json.dumps({"type": "message", "id": "huge", "text": "x" * 20_000}))
    msg = await ws.receive(timeout=5)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1, 2]",
        json.dumps({"type": "shout", "text": "hi"}),
        json.dumps({"type": "message", "text": "no id"}),
        json.dumps({"type": "message", "id": "has spaces", "text": "bad id"}),
        json.dumps({"type": "message", "id": "n1", "text": 42}),
        json.dumps({"type": "message", "id": "n2", "text": "  \u0000 "}),
        b"\x00binary",
    ],
)
async def test_malformed_frames_get_a_polite_error_and_the_socket_stays(
    client: TestClient, fake: FakeRasa, bad: str | bytes
) -> None:
    ws = await connect(client, lang="sl")
    if isinstance(bad, bytes):
        await ws.send_bytes(bad)
    else:
        await ws.send_str(bad)
    error = await receive(ws)
    assert error["type"] == "error" and error["code"] in ("bad_request", "empty")
    assert error["messages"] and all(m["text"] for m in error["messages"])
    assert "Traceback" not in json.dumps(error)
    await ws.send_json({"type": "message", "id": "ok1", "text": "živjo"})
    assert (await turn(ws, "ok1"))[-1]["type"] == "done"
    assert len(fake.requests) == 1
    await ws.close()


async def test_a_message_before_hello_is_refused_politely(client: TestClient) -> None:
    ws = await client.ws_connect("/api/ws", headers={"Origin": own_origin(client)})
    await ws.send_json({"type": "message", "id": "early", "text": "hi"})
    error = await receive(ws)
    assert error["code"] == "bad_request" and len(error["messages"]) == 2  # en + sl
    await ws.send_json({"type": "hello", "session": "short"})
    assert (await receive(ws))["code"] == "bad_request"
    await ws.send_json({"type": "hello", "session": SESSION})
    assert (await receive(ws))["type"] == "ready"
    await ws.close()


async def test_rasa_down_is_a_polite_error_and_a_retry_works(
    client: TestClient, fake: FakeRasa
) -> None:
    ws = await connect(client, lang="ar")
    fake.up = False
    await ws.send_json({"type": "message", "id": "down", "text": "مرحبا"})
    frames = await turn(ws, "down")
    assert frames[-1]["code"] == "unavailable" and frames[-1]["messages"][0]["dir"] == "rtl"
    fake.up = True
    await ws.send_json({"type": "message", "id": "down", "text": "مرحبا"})
    assert (await turn(ws, "down"))[-1]["type"] == "done"
    await ws.close()


async def test_outbox_item_reaches_every_open_socket_of_the_user(client: TestClient) -> None:
    app = client.server.app
    first, second = await connect(client), await connect(client)
    other = await connect(client, session="someone-else-0001")
    message = {"text": "پاسخ مشاور", "buttons": [{"title": "OK", "payload": "/affirm"}]}
    item_id = app[OUTBOX].put(user_id(), "web", message, kind="counsellor_reply")
    await app[DELIVERER].deliver_due()
    for ws in (first, second):
        frame = await receive(ws)
        assert frame == {
            "type": "message",
            "id": f"o{item_id}",
            "kind": "counsellor_reply",
            "text": "پاسخ مشاور",
            "buttons": [{"title": "OK", "payload": "/affirm"}],
            "image": None,
            "dir": "rtl",
            "lang": None,  # the counsellor's reply does not say; the widget keeps its words
        }
    with pytest.raises(asyncio.TimeoutError):
        await other.receive_json(timeout=0.3)
    assert app[OUTBOX].pending(user_id()) == []
    assert app[OUTBOX].count(DELIVERED) == 1
    for ws in (first, second, other):
        await ws.close()


async def test_outbox_item_waits_for_a_reconnecting_user(client: TestClient) -> None:
    app = client.server.app
    item_id = app[OUTBOX].put(user_id(), "web", {"text": "Your appointment"}, kind="reminder")
    assert item_id is not None
    await app[DELIVERER].deliver_due()  # nobody connected: it waits
    assert [i.id for i in app[OUTBOX].pending(user_id())] == [item_id]
    assert app[OUTBOX].count(PENDING) == 1
    ws = await connect(client)
    frame = await receive(ws)
    assert [frame["id"], frame["kind"]] == [f"o{item_id}", "reminder"]
    assert frame["text"] == "Your appointment"
    await asyncio.sleep(0.1)
    assert app[OUTBOX].pending(user_id()) == []
    await ws.close()


async def test_a_missed_message_survives_a_gateway_restart(
    aiohttp_client: Any, fake: FakeRasa, env: dict[str, str], database: Database
) -> None:
    def app() -> Any:
        return create_app(
            from_env(env).gateway,
            rasa=fake.client(),
            http=httpx.AsyncClient(transport=fake.transport),
            database=database,
        )

    first = await aiohttp_client(app())
    item_id = first.app[OUTBOX].put(
        user_id(), "web", {"text": "Dober dan."}, kind="counsellor_reply"
    )
    await first.app[DELIVERER].deliver_due()  # nobody connected: held back for 30 s
    await first.close()
    restarted = await aiohttp_client(app())
    ws = await connect(restarted)
    frame = await receive(ws)
    assert (frame["id"], frame["kind"]) == (f"o{item_id}", "counsellor_reply")
    await ws.close()


async def test_a_reminder_for_later_is_not_sent_early(client: TestClient) -> None:
    app = client.server.app
    later = utcnow() + timedelta(hours=20)
    app[OUTBOX].put(user_id(), "web", {"text": "Tomorrow"}, kind="reminder", not_before=later)
    ws = await connect(client)
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.5)
    assert len(app[OUTBOX].pending(user_id())) == 1
    await ws.close()


async def test_web_sender_says_not_reached_when_nobody_is_connected(client: TestClient) -> None:
    app = client.server.app
    item_id = app[OUTBOX].put(user_id("nobody-here-0001"), "web", {"text": "x"}, kind="reminder")
    items = app[OUTBOX].claim_due(["web"], user_id=user_id("nobody-here-0001"))
    assert [i.id for i in items] == [item_id]
    assert await app[WEB].send(items[0]) is False


async def test_strings_in_every_core_language(client: TestClient) -> None:
    for lang in CORE:
        response = await client.get("/api/widget/strings", params={"lang": lang})
        body = await response.json()
        assert body["lang"] == lang and set(body["strings"]) == set(WIDGET_STRINGS)
        assert all(body["strings"].values())
        assert body["dir"] == ("rtl" if lang in ("ar", "fa") else "ltr")
    body = await (await client.get("/api/widget/strings?lang=ps")).json()
    assert (body["lang"], body["dir"]) == ("en", "rtl")  # Pashto: English words, RTL layout
    names = {entry["code"]: entry["name"] for entry in body["languages"]}
    assert names["fa"] == "فارسی / دری" and names["ps"] == "پښتو" and len(names) >= 14
    assert body["max_chars"] == 100


async def test_strings_are_shared_with_listed_origins_only(client: TestClient) -> None:
    allowed = await client.get("/api/widget/strings", headers={"Origin": PARTNER})
    assert allowed.headers["Access-Control-Allow-Origin"] == PARTNER
    refused = await client.get("/api/widget/strings", headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in refused.headers


async def test_the_old_chat_api_still_works(client: TestClient) -> None:
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": "salam", "lang": "fa"}
    )
    assert response.status == 200
    assert [m["dir"] for m in (await response.json())["messages"]] == ["rtl", "ltr"]


def test_widget_script_is_small() -> None:
    """Everything the widget needs (script, styles, icons) in one file: at most 30 kB gzipped."""
    static = ROOT / "bot" / "static"
    script = (static / "widget.js").read_bytes()
    size = len(gzip.compress(script, compresslevel=9))
    assert size <= 30 * 1024, f"widget.js is {size} bytes gzipped"
    assert b"import " not in script and b"require(" not in script  # nothing else to load
    assert sorted(p.name for p in static.iterdir()) == ["index.html", "widget.js"]


async def test_after_erasure_the_browser_is_told_to_forget(
    client: TestClient, fake: FakeRasa
) -> None:
    """ "Delete my data" erases on the server; the widget must drop its own copy too."""
    ws = await connect(client)
    fake.replies = [
        {"text": "Izbrisano."},
        {"custom": {"erase_conversation": user_id()}},
    ]
    await ws.send_json({"type": "message", "id": "e1", "text": "/affirm", "lang": "sl"})
    frames = await turn(ws, "e1")
    assert [f["type"] for f in frames] == ["typing", "message", "erased", "done"]
    assert frames[2]["reply_to"] == "e1"
    fake.replies = [{"text": "Zdravo"}]
    await ws.send_json({"type": "message", "id": "e2", "text": "zdravo", "lang": "sl"})
    assert "erased" not in [f["type"] for f in await turn(ws, "e2")]  # told once
    await ws.close()
