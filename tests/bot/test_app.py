from __future__ import annotations

from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

SESSION = "a1b2c3d4e5f6a7b8"


@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def client(aiohttp_client: Any, fake: FakeRasa) -> TestClient:
    settings = from_env({}).gateway
    app = create_app(settings, rasa=fake.client(), http=httpx.AsyncClient(transport=fake.transport))
    return await aiohttp_client(app)


async def test_chat_relays_with_a_pseudonymous_sender(client: TestClient, fake: FakeRasa) -> None:
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": "salam", "lang": "fa-IR"}
    )
    assert response.status == 200
    body = await response.json()
    assert [m["dir"] for m in body["messages"]] == ["rtl", "ltr"]
    assert body["messages"][0]["buttons"] == [{"title": "A", "payload": "/help"}]
    sent = fake.requests[0]
    assert sent["sender"] == pseudonym(from_env({}).gateway.pseudonym_key, "web", SESSION)
    assert SESSION not in sent["sender"]
    assert sent["metadata"] == {"channel": "web", "language": "fa"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"session": SESSION, "message": "   "}, 400),
        ({"session": SESSION, "message": "x" * 5000}, 413),
        ({"session": "short", "message": "hi"}, 400),
        ({"session": SESSION, "message": 42}, 400),
        (["not", "an", "object"], 400),
    ],
)
async def test_bad_input_gets_a_polite_answer(
    client: TestClient, fake: FakeRasa, body: Any, status: int
) -> None:
    response = await client.post("/api/chat", json=body)
    assert response.status == status
    data = await response.json()
    assert data["messages"] and all(m["text"] for m in data["messages"])
    assert fake.requests == []


async def test_malformed_json(client: TestClient) -> None:
    response = await client.post(
        "/api/chat", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert "Traceback" not in await response.text()


async def test_error_is_in_the_users_language(client: TestClient) -> None:
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": "", "lang": "uk"}
    )
    data = await response.json()
    assert len(data["messages"]) == 1
    assert any("\u0400" <= ch <= "\u04ff" for ch in data["messages"][0]["text"])


async def test_rasa_down_gives_try_again(client: TestClient, fake: FakeRasa) -> None:
    fake.up = False
    response = await client.post("/api/chat", json={"session": SESSION, "message": "hello"})
    assert response.status == 503
    data = await response.json()
    assert len(data["messages"]) == 2  # English and Slovenian when the language is unknown


async def test_healthz_reports_each_process(client: TestClient, fake: FakeRasa) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["components"] == {
        "gateway": "ok",
        "rasa": "ok",
        "action_server": "ok",
    }
    fake.up = False
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["components"]["rasa"] == "down"


async def test_demo_page_has_an_accessible_chat(client: TestClient) -> None:
    response = await client.get("/")
    html = await response.text()
    assert response.status == 200 and 'lang="sl"' in html
    # The chat is the widget, one script tag; its roles and labels are checked in a real
    # browser (tests/browser/test_widget.py).
    assert html.count("<script") == 1 and 'src="/static/widget.js"' in html
    assert 'data-lang="sl"' in html and "chat.js" not in html
    widget = await client.get("/static/widget.js")
    assert widget.status == 200 and 'role: "log"' in await widget.text()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
