"""The gateway's Prometheus metrics, and the small API the rest of the gateway calls.

Served at ``GET /metrics`` (text exposition format). With ``METRICS_TOKEN`` set,
a scrape must send ``Authorization: Bearer <token>``; in production without a
token the endpoint is off (404), so a public gateway never shows it by mistake.

Every user turn passes through :class:`bot.rasa_client.RasaClient`, which
calls :func:`observe_turn`; that one call counts the message by channel and
reply language, its latency, fallbacks and the handoffs the replies show.
Other parts call the rest:

- :func:`record_message` (channel, language): a user message handled outside
  Rasa (e.g. a counsellor's live chat);
- :func:`record_handoff` (reason): a conversation handed off towards a person;
  the gateway itself counts ``asked`` (request_human) and ``urgent``
  (urgent_help) from the replies; the case watch (``bot/handoff.py``) counts each
  new case by its first reason (``request_human``, ``repeated_fallback``, ...);
- :func:`observe_queue_wait` (seconds): how long a person waited for a counsellor;
- :func:`record_fallback` (channel, language): a message not understood;
- :func:`record_translation_failure` (provider, reason): a machine translation
  that failed (timeout, the provider's error, a pair it does not serve, the
  breaker open); ``create_app`` hands it to the translator as its ``on_failure``.

Label values are bounded: channels and reasons are short lower-case words,
languages are known codes, anything else is counted as ``other``.
No label ever holds message text or an identifier.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)

from language.languages import is_known, normalise_code

REGISTRY = CollectorRegistry(auto_describe=True)
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
QUEUE_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
FALLBACK_RESPONSES = frozenset({"utter_default"})
HANDOFF_RESPONSES = {"utter_human_contact": "asked", "utter_urgent_help": "urgent"}

MESSAGES = Counter(
    "pes_messages",
    "User messages answered, by channel and the language of the reply",
    ["channel", "language"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "pes_turn_seconds",
    "Seconds from a user message leaving the gateway for Rasa to its replies (retries included)",
    ["channel"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "pes_fallbacks",
    "User messages the assistant did not understand (it answered with its fallback)",
    ["channel", "language"],
    registry=REGISTRY,
)
HANDOFFS = Counter(
    "pes_handoffs",
    "Conversations handed towards a person, by reason",
    ["reason"],
    registry=REGISTRY,
)
QUEUE_WAIT = Histogram(
    "pes_queue_wait_seconds",
    "Seconds a person waited in the queue for a counsellor",
    buckets=QUEUE_BUCKETS,
    registry=REGISTRY,
)
TURN_FAILURES = Counter(
    "pes_turn_failures",
    "User messages answered with 'please try again' because Rasa could not answer",
    ["channel", "reason"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "pes_http_request_seconds",
    "Seconds the gateway took to answer an HTTP request, by route and status",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
RASA_REQUESTS = Counter(
    "pes_rasa_requests",
    "Requests from the gateway to each Rasa replica, by outcome",
    ["replica", "outcome"],
    registry=REGISTRY,
)
RASA_RETRIES = Counter(
    "pes_rasa_retries",
    "User turns sent to another Rasa replica, by what happened to the first",
    ["reason"],
    registry=REGISTRY,
)
REPLICA_UP = Gauge(
    "pes_rasa_replica_up",
    "1 while the gateway considers a Rasa replica reachable, 0 while it avoids it",
    ["replica"],
    registry=REGISTRY,
)

TRANSLATION_FAILURES = Counter(
    "pes_translation_failures",
    "Machine translations that failed and fell back, by provider and reason",
    ["provider", "reason"],
    registry=REGISTRY,
)

_WORD = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _word(value: object) -> str:
    return value if isinstance(value, str) and _WORD.match(value) else "other"


def _language(value: object) -> str:
    code = normalise_code(value) if isinstance(value, str) else None
    return code if code and is_known(code) else "other"


class Reply(Protocol):
    """What :func:`observe_turn` reads of a reply (``bot.rasa_client.BotMessage``)."""

    @property
    def response(self) -> str | None: ...

    @property
    def language(self) -> str | None: ...


def record_message(channel: str, language: str | None) -> None:
    MESSAGES.labels(_word(channel), _language(language)).inc()


def record_fallback(channel: str = "other", language: str | None = None) -> None:
    FALLBACKS.labels(_word(channel), _language(language)).inc()


def record_handoff(reason: str) -> None:
    HANDOFFS.labels(_word(reason)).inc()


def observe_queue_wait(seconds: float) -> None:
    QUEUE_WAIT.observe(max(0.0, seconds))


def record_translation_failure(provider: str, reason: str) -> None:
    TRANSLATION_FAILURES.labels(_word(provider), _word(reason)).inc()


def record_turn_failure(channel: str, reason: str) -> None:
    TURN_FAILURES.labels(_word(channel), _word(reason)).inc()


REPLICA_IN_FLIGHT = Gauge(
    "pes_rasa_in_flight",
    "Turns this gateway has sent to a Rasa replica and not yet had answered",
    ["replica"],
    registry=REGISTRY,
)


def record_rasa(replica: str, outcome: str) -> None:
    RASA_REQUESTS.labels(replica, _word(outcome)).inc()


def record_retry(reason: str) -> None:
    RASA_RETRIES.labels(_word(reason)).inc()


def set_replica_up(replica: str, up: bool) -> None:
    REPLICA_UP.labels(replica).set(1 if up else 0)


def set_in_flight(replica: str, turns: int) -> None:
    REPLICA_IN_FLIGHT.labels(replica).set(turns)


def observe_turn(
    channel: str, replies: Iterable[Reply], seconds: float, hint: str | None = None
) -> None:
    """One answered user turn: count it, its latency, and what its replies show."""
    replies = list(replies)
    language = next((r.language for r in replies if r.language), None) or hint
    record_message(channel, language)
    TURN_SECONDS.labels(_word(channel)).observe(seconds)
    keys = {r.response for r in replies if r.response}
    if keys & FALLBACK_RESPONSES:
        record_fallback(channel, language)
    for key in sorted(keys):
        if key in HANDOFF_RESPONSES:
            record_handoff(HANDOFF_RESPONSES[key])


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Times every request; the route's pattern is the label, never the concrete path."""
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        HTTP_SECONDS.labels(name, request.method, str(status)).observe(time.perf_counter() - start)


def handler(token: str | None, *, enabled: bool = True) -> Handler:
    """The ``/metrics`` handler: open, behind a bearer token, or off."""

    async def metrics(request: web.Request) -> web.StreamResponse:
        if not enabled:
            raise web.HTTPNotFound()
        if token is not None:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        body = generate_latest(REGISTRY)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return metrics


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of one sample (0 when absent), for tests and the scale test."""
    value: Any = REGISTRY.get_sample_value(name, labels or {})
    return float(value or 0.0)
