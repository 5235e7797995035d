"""Spreading conversations over Rasa replicas, and retrying only when it is safe."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot import metrics
from bot.rasa_client import PARSE, WEBHOOK, BotMessage, RasaClient, RasaUnavailable, rank

A, B, C = "http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005"


class Replicas:
    """Stand-in replicas on one MockTransport; each can be made to fail in one way."""

    def __init__(self, *urls: str) -> None:
        self.failures: dict[str, Callable[[httpx.Request], httpx.Response]] = {}
        self.bodies: dict[str, list[dict[str, Any]]] = {u: [] for u in urls}

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if url in self.failures:
            return self.failures[url](request)
        if request.url.path == "/":
            return httpx.Response(200, text="Hello from Rasa: 3.6.21")
        body = json.loads(request.content)
        self.bodies[url].append(body)
        reply = {"recipient_id": body["sender"], "text": f"from {url}"}
        return httpx.Response(200, json=[{**reply, "response": "utter_greet", "language": "uk"}])

    def client(self, *urls: str, **kwargs: Any) -> RasaClient:
        return RasaClient(list(urls), transport=httpx.MockTransport(self.handler), **kwargs)

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        return [(u, b) for u, bodies in self.bodies.items() for b in bodies]


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("server disconnected", request=request)


def slow(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def sender_on(first: str, replicas: tuple[str, ...] = (A, B)) -> str:
    return next(s for s in (f"user{i}" for i in range(1000)) if rank(replicas, s)[0] == first)


def test_conversations_spread_evenly_and_stick() -> None:
    senders = [f"sender-{i}" for i in range(2000)]
    first = Counter(rank((A, B), s)[0] for s in senders)
    assert 0.45 < first[A] / len(senders) < 0.55
    assert all(rank((A, B), s) == rank((B, A), s) for s in senders[:50])  # order-independent


def test_losing_a_replica_moves_only_its_own_conversations() -> None:
    senders = [f"sender-{i}" for i in range(600)]
    before = {s: rank((A, B, C), s)[0] for s in senders}
    after = {s: rank((A, B), s)[0] for s in senders}
    moved = [s for s in senders if before[s] != after[s]]
    assert moved and all(before[s] == C for s in moved)


async def test_a_busy_replica_hands_new_turns_to_an_idle_one() -> None:
    """Bounded load: a replica with more than its share of turns in flight is passed over."""
    replicas = Replicas(A, B)
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "rasa-a" and request.url.path == WEBHOOK:
            await gate.wait()  # A is slow: its turns stay in flight
        return replicas.handler(request)

    client = RasaClient([A, B], transport=httpx.MockTransport(handler), load_factor=1.25)
    on_a = [s for s in (f"user{i}" for i in range(1000)) if rank((A, B), s)[0] == A][:4]
    assert client.order(on_a[0]) == [A, B]  # idle: the conversation's own replica
    turns = []
    for sender in on_a[:3]:
        turns.append(asyncio.create_task(client.send(sender, "hello", {"channel": "web"})))
        await asyncio.sleep(0.01)
    # two in flight on A, none on B: the bound is ceil(1.25 * 3 / 2) = 2
    assert [b["sender"] for b in replicas.bodies[B]] == [on_a[2]]
    assert metrics.sample("pes_rasa_in_flight", {"replica": A}) == 2
    gate.set()
    answered = await asyncio.gather(*turns)
    assert [r[0].text for r in answered] == [f"from {A}", f"from {A}", f"from {B}"]
    assert client.order(on_a[3]) == [A, B]  # back to its own replica once A is free
    assert metrics.sample("pes_rasa_in_flight", {"replica": A}) == 0
    await client.close()


async def test_a_turn_goes_to_its_replica_once_with_a_message_id() -> None:
    replicas = Replicas(A, B)
    client = replicas.client(A, B)
    sender = sender_on(B)
    replies = await client.send(sender, "привіт", {"channel": "web", "language": "uk"})
    assert [r.text for r in replies] == [f"from {B}"]
    assert replies[0].response == "utter_greet" and replies[0].language == "uk"
    [(url, body)] = replicas.sent()
    assert url == B and len(body["message_id"]) == 32 and "retry" not in body
    await client.send(sender, "ще раз", {"channel": "web"})
    first, second = (b["message_id"] for _, b in replicas.sent())
    assert first != second  # one id per turn


async def test_unreachable_replica_is_skipped_and_avoided() -> None:
    replicas = Replicas(A, B)
    replicas.failures[A] = refused
    client = replicas.client(A, B)
    before = metrics.sample("pes_rasa_retries_total", {"reason": "unreachable"})
    replies = await client.send(sender_on(A), "hello", {"channel": "web"})
    assert replies[0].text == f"from {B}"
    assert metrics.sample("pes_rasa_retries_total", {"reason": "unreachable"}) == before + 1
    assert client.order(sender_on(A)) == [B, A]  # avoided for a while, still a last resort
    assert metrics.sample("pes_rasa_replica_up", {"replica": A}) == 0


async def test_dropped_connection_is_retried_with_the_same_id_for_deduplication() -> None:
    replicas = Replicas(A, B)
    seen: list[dict[str, Any]] = []

    def record_and_drop(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return dropped(request)

    replicas.failures[A] = record_and_drop
    client = replicas.client(A, B)
    await client.send(sender_on(A), "hello", {"channel": "web"})
    [(url, retried)] = replicas.sent()
    assert url == B and retried["retry"] is True
    assert retried["message_id"] == seen[0]["message_id"]


async def test_timeout_is_not_retried() -> None:
    replicas = Replicas(A, B)
    replicas.failures[A] = slow
    client = replicas.client(A, B)
    with pytest.raises(RasaUnavailable):
        await client.send(sender_on(A), "hello", {"channel": "web"})
    assert replicas.sent() == []


@pytest.mark.parametrize(("status", "retried"), [(503, True), (500, False), (400, False)])
async def test_only_not_ready_is_retried_among_errors(status: int, retried: bool) -> None:
    replicas = Replicas(A, B)
    replicas.failures[A] = lambda request: httpx.Response(status, json={"error": "x"})
    client = replicas.client(A, B)
    if retried:
        assert (await client.send(sender_on(A), "hi", {}))[0].text == f"from {B}"
    else:
        with pytest.raises(RasaUnavailable):
            await client.send(sender_on(A), "hi", {})
        assert replicas.sent() == []


async def test_all_replicas_down_is_unavailable_and_counted() -> None:
    replicas = Replicas(A, B)
    replicas.failures[A] = replicas.failures[B] = refused
    client = replicas.client(A, B)
    before = metrics.sample("pes_turn_failures_total", {"channel": "web", "reason": "unreachable"})
    with pytest.raises(RasaUnavailable):
        await client.send("someone", "hi", {"channel": "web"})
    after = metrics.sample("pes_turn_failures_total", {"channel": "web", "reason": "unreachable"})
    assert after == before + 1
    assert not await client.healthy()


async def test_a_health_check_brings_a_replica_back() -> None:
    replicas = Replicas(A, B)
    replicas.failures[A] = refused
    client = replicas.client(A, B, cooldown=600)
    await client.send(sender_on(A), "hi", {})
    assert client.order(sender_on(A))[0] == B
    del replicas.failures[A]
    assert await client.replica_health() == {A: True, B: True}
    assert client.order(sender_on(A))[0] == A


async def test_turn_metrics_count_language_fallback_and_handoff() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json=[
                {"text": "Sorry?", "response": "utter_default", "language": "fa"},
                {"text": "A person", "response": "utter_human_contact", "language": "fa"},
            ],
        )

    client = RasaClient(A, transport=httpx.MockTransport(handler))
    labels = {"channel": "telegram", "language": "fa"}
    messages = metrics.sample("pes_messages_total", labels)
    fallbacks = metrics.sample("pes_fallbacks_total", labels)
    asked = metrics.sample("pes_handoffs_total", {"reason": "asked"})
    latency = metrics.sample("pes_turn_seconds_count", {"channel": "telegram"})
    await client.send("x", "??", {"channel": "telegram", "language": "en"})
    assert metrics.sample("pes_messages_total", labels) == messages + 1
    assert metrics.sample("pes_fallbacks_total", labels) == fallbacks + 1
    assert metrics.sample("pes_handoffs_total", {"reason": "asked"}) == asked + 1
    assert metrics.sample("pes_turn_seconds_count", {"channel": "telegram"}) == latency + 1


def test_bot_message_ignores_malformed_tags() -> None:
    message = BotMessage.from_rasa({"text": "hi", "response": 3, "language": ["x"]})
    assert message.response is None and message.language is None


# --- parse: what the model understood, for the console's gist -------------------------

PARSED = {
    "intent": {"name": "work_rights", "confidence": 0.9},
    "entities": [],
    "language_detection": {"language": "fa", "confidence": 0.97},
}


def parse_replicas(answers: dict[str, Callable[[httpx.Request], httpx.Response]]) -> Replicas:
    """Replicas whose parse route answers as ``answers`` says, counting the calls."""
    replicas = Replicas(*answers)
    for url, answer in answers.items():
        replicas.failures[url] = answer
    return replicas


def parsed_ok(request: httpx.Request) -> httpx.Response:
    assert request.url.path == PARSE
    return httpx.Response(200, json={**PARSED, "hint": json.loads(request.content).get("hint")})


async def test_parse_asks_the_senders_replica() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url.host))
        return parsed_ok(request)

    client = parse_replicas({A: answer, B: answer}).client(A, B)
    result = await client.parse("کار", sender_on(B), hint="fa")
    assert result is not None and result["intent"]["name"] == "work_rights"
    assert result["hint"] == "fa"
    assert calls == ["rasa-b"]
    await client.close()


async def test_parse_moves_on_from_an_unreachable_or_unready_replica() -> None:
    not_ready = parse_replicas({A: refused, B: lambda r: httpx.Response(503), C: parsed_ok})
    client = not_ready.client(A, B, C)
    sender = next(s for s in (f"user{i}" for i in range(1000)) if rank((A, B, C), s) == [A, B, C])
    assert await client.parse("x", sender) is not None
    await client.close()


@pytest.mark.parametrize(
    "answer",
    [
        slow,
        dropped,
        lambda r: httpx.Response(500),
        lambda r: httpx.Response(200, text="not json"),
        lambda r: httpx.Response(200, json=[1, 2]),
    ],
)
async def test_parse_gives_none_at_once_on_timeout_error_or_nonsense(
    answer: Callable[[httpx.Request], httpx.Response],
) -> None:
    calls: list[str] = []

    def counted(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url.host))
        return answer(request)

    client = parse_replicas({A: counted, B: counted}).client(A, B)
    assert await client.parse("x", "someone") is None
    assert len(calls) == 1  # no retry storm
    await client.close()


async def test_parse_with_every_replica_down_is_none() -> None:
    client = parse_replicas({A: refused, B: refused}).client(A, B)
    assert await client.parse("x", "someone") is None
    await client.close()
