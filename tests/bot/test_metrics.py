"""The gateway's /metrics, /livez and /readyz."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from bot import metrics
from bot.app import create_app
from language.translation import TranslationConfig, TranslationUnavailable, Translator
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa
from tests.standins.translation_api import translation_api

SESSION = "m1e2t3r4i5c6s7x8"


async def gateway(aiohttp_client: Any, fake: FakeRasa, **env: str) -> TestClient:
    app = create_app(
        from_env(env).gateway, rasa=fake.client(), http=httpx.AsyncClient(transport=fake.transport)
    )
    return await aiohttp_client(app)


async def test_metrics_after_a_chat(aiohttp_client: Any) -> None:
    fake = FakeRasa(replies=[{"text": "Привіт", "response": "utter_greet", "language": "uk"}])
    client = await gateway(aiohttp_client, fake)
    response = await client.post("/api/chat", json={"session": SESSION, "message": "hi there"})
    assert response.status == 200
    scrape = await client.get("/metrics")
    assert scrape.status == 200
    assert scrape.headers["Content-Type"].startswith("text/plain")
    text = await scrape.text()
    assert 'pes_messages_total{channel="web",language="uk"}' in text
    assert 'pes_http_request_seconds_count{method="POST",route="/api/chat",status="200"}' in text
    assert "pes_turn_seconds_bucket" in text and "process_resident_memory_bytes" in text
    assert "hi there" not in text and SESSION not in text


async def test_route_label_is_the_pattern_not_the_path(aiohttp_client: Any) -> None:
    client = await gateway(aiohttp_client, FakeRasa())
    await client.get("/static/does-not-exist-123.js")
    await client.get("/no/such/page")
    text = await (await client.get("/metrics")).text()
    assert "does-not-exist-123" not in text and "/no/such/page" not in text
    assert 'route="unmatched"' in text


async def test_metrics_behind_a_token(aiohttp_client: Any) -> None:
    client = await gateway(aiohttp_client, FakeRasa(), METRICS_TOKEN="s3cret-token-for-prometheus")
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    right = await client.get(
        "/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"}
    )
    assert right.status == 200


async def test_metrics_off_in_production_without_a_token(aiohttp_client: Any) -> None:
    env = {
        "APP_ENV": "production",
        "PSEUDONYM_KEY": "Kx7-q2Vb9_LmN4pR8sT1wY6zA3cE5gH0jU",
        "RASA_AUTH_TOKEN": "r4S-aU9h_T7ke-9xQ2mV7bN1",
    }
    client = await gateway(aiohttp_client, FakeRasa(), **env)
    assert (await client.get("/metrics")).status == 404


async def test_live_and_ready(aiohttp_client: Any) -> None:
    fake = FakeRasa()
    client = await gateway(aiohttp_client, fake)
    assert (await client.get("/livez")).status == 200
    assert (await client.get("/readyz")).status == 200
    fake.up = False
    assert (await client.get("/livez")).status == 200  # alive, only not ready
    ready = await client.get("/readyz")
    assert ready.status == 503 and (await ready.json())["status"] == "not ready"


async def test_healthz_counts_replicas(aiohttp_client: Any) -> None:
    client = await gateway(aiohttp_client, FakeRasa())
    body = await (await client.get("/healthz")).json()
    assert body["rasa_replicas"] == {"up": 1, "total": 1}


@pytest.mark.parametrize(
    ("channel", "language", "labels"),
    [
        ("web", "fa-IR", {"channel": "web", "language": "fa"}),
        ("Web Chat!", "xx-unknown", {"channel": "other", "language": "other"}),
        ("telegram", None, {"channel": "telegram", "language": "other"}),
    ],
)
def test_label_values_are_bounded(
    channel: str, language: str | None, labels: dict[str, str]
) -> None:
    before = metrics.sample("pes_messages_total", labels)
    metrics.record_message(channel, language)
    assert metrics.sample("pes_messages_total", labels) == before + 1


def test_queue_wait_and_handoffs() -> None:
    count = metrics.sample("pes_queue_wait_seconds_count")
    handoffs = metrics.sample("pes_handoffs_total", {"reason": "request_human"})
    metrics.observe_queue_wait(42.0)
    metrics.record_handoff("request_human")
    assert metrics.sample("pes_queue_wait_seconds_count") == count + 1
    assert metrics.sample("pes_handoffs_total", {"reason": "request_human"}) == handoffs + 1


async def test_translation_failures_are_counted_by_provider_and_reason(
    aiohttp_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="language.translation.coverage")
    with translation_api() as api:
        translator = Translator(TranslationConfig("libre", api_url=api.url, timeout=2))
        fake = FakeRasa()
        app = create_app(
            from_env({}).gateway,
            rasa=fake.client(),
            http=httpx.AsyncClient(transport=fake.transport),
            translator=translator,
        )
        client = await aiohttp_client(app)
        # the gateway said at start what the provider covers
        assert any(m.startswith("translation: libre covers core en sl") for m in caplog.messages)
        labels = {"provider": "libre", "reason": "unsupported"}
        before = metrics.sample("pes_translation_failures_total", labels)
        with pytest.raises(TranslationUnavailable):
            translator.translate("Salam, kar ghwaram", "ps", "sl", cache=False)
        api.fail = True
        with pytest.raises(TranslationUnavailable):
            translator.translate("Iščem delo", "sl", "uk", cache=False)
        text = await (await client.get("/metrics")).text()
    assert metrics.sample("pes_translation_failures_total", labels) == before + 1
    assert 'pes_translation_failures_total{provider="libre",reason="unsupported"}' in text
    assert 'pes_translation_failures_total{provider="libre",reason="http_error"}' in text
    assert "Salam" not in text and "Iščem" not in text
