"""Rasa's HTTP API, behind one small typed class (tests swap the httpx transport).

One or several Rasa replicas (``RASA_URLS``) share the tracker store
(PostgreSQL) and the lock store (Redis), so any replica can answer any
conversation. The client still keeps each conversation on one replica:

Sticky routing with bounded load
    Replicas are ranked per sender by rendezvous hashing (highest hash of
    replica + sender first). Every gateway instance ranks them alike, a
    conversation stays on its replica (whose tracker cache then holds it), and
    when a replica is added or lost only its own conversations move. Hashing
    alone spreads *conversations* evenly, not *load*: at any moment one replica
    can hold most of the busy ones while the other idles. So a turn goes to
    the first replica in its ranking that has fewer turns in flight (from this
    gateway) than ``load_factor`` times the average, "consistent hashing with
    bounded loads" (Mirrokni, Thorup and Zadimoghaddam, 2018). A conversation
    that moves is still answered correctly: the replicas share the tracker
    store and the lock store, and a replica's tracker cache checks the
    conversation's newest event before it trusts its copy.

Retries, and why they never answer a turn twice
    Each user turn gets a random ``message_id``. The turn is sent to the next
    replica in the ranking only when the first one

    - could not be reached (connection refused, connect timeout, no free
      connection): nothing was sent, so nothing can be doubled;
    - answered 503 (no model loaded yet): it did not process the turn;
    - dropped the connection after the request was sent (the replica died or
      restarted): it may or may not have processed and saved the turn. The
      retry carries ``retry: true`` and the same ``message_id``; the receiving
      replica (``runtime/channels.py``) takes the conversation's lock, which
      the first replica held until its turn was saved or its ticket expired,
      and replays the saved replies if the turn is in the tracker, or
      processes it if not. The turn is answered exactly once either way.

    A timeout is **not** retried: the replica is probably alive and still
    working on the turn; the user gets "please try again" and whatever they
    send next is a new turn. Errors (HTTP 4xx/500) are not retried either:
    the same turn would fail the same way elsewhere.

A replica that failed is avoided for ``cooldown`` seconds (tried last, not
skipped), and health checks put it back as soon as it answers.

Parsing without a turn
    :meth:`RasaClient.parse` asks the sender's replica what the model
    understood of a text (``/webhooks/rest/parse``, ``runtime/channels.py``),
    for the console's automatic summary of a message while a counsellor has
    the conversation. A parse changes nothing, so an unreachable replica or a
    503 moves it to the next one; a timeout or an error gives ``None`` at once
    (the summary then shows the gateway's own language detection): a summary
    is never worth a storm of retries against a busy replica.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot import metrics

logger = logging.getLogger(__name__)

WEBHOOK = "/webhooks/rest/webhook"
PARSE = "/webhooks/rest/parse"
PARSE_TIMEOUT = 5.0  # seconds: a summary that comes later than this is not waited for


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


@dataclass(frozen=True)
class BotMessage:
    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None
    response: str | None = None  # the response key (utter_*) the reply was rendered from
    language: str | None = None  # the language the reply is written in

    @classmethod
    def from_rasa(cls, raw: dict[str, Any]) -> BotMessage:
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in raw.get("buttons") or []
            if isinstance(b, dict)
        ]
        custom = raw.get("custom")
        response, language = raw.get("response"), raw.get("language")
        return cls(
            text=raw.get("text"),
            buttons=buttons,
            image=raw.get("image"),
            custom=custom if isinstance(custom, dict) else None,
            response=response if isinstance(response, str) else None,
            language=language if isinstance(language, str) else None,
        )


def rank(replicas: Sequence[str], sender: str) -> list[str]:
    """``replicas`` in this sender's order of preference (rendezvous hashing)."""

    def score(replica: str) -> bytes:
        return hashlib.blake2b(f"{replica}\n{sender}".encode(), digest_size=8).digest()

    return sorted(replicas, key=score, reverse=True)


class RasaClient:
    """Sends user messages to Rasa's REST channel on one of several replicas."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        cooldown: float = 5.0,
        max_attempts: int = 3,
        load_factor: float = 1.25,
    ) -> None:
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.replicas = tuple(dict.fromkeys(u.rstrip("/") for u in urls))
        if not self.replicas:
            raise ValueError("at least one Rasa URL is needed")
        self.cooldown = cooldown
        self.max_attempts = max(1, max_attempts)
        self.load_factor = max(1.0, load_factor)
        self._avoid_until: dict[str, float] = {}
        self._in_flight: dict[str, int] = dict.fromkeys(self.replicas, 0)
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        for url in self.replicas:
            metrics.set_replica_up(url, True)

    def order(self, sender: str) -> list[str]:
        """Where to send this sender's turn: its replicas by rank, avoided ones last.

        The first replica of the ranking that is not over its share of the
        turns in flight goes first (bounded load); the others keep their rank."""
        now = time.monotonic()
        ranked = rank(self.replicas, sender)
        usable = [u for u in ranked if self._avoid_until.get(u, 0.0) <= now]
        if len(usable) > 1:
            busy = sum(self._in_flight[u] for u in usable)
            bound = math.ceil(self.load_factor * (busy + 1) / len(usable))
            chosen = next((u for u in usable if self._in_flight[u] < bound), usable[0])
            usable.remove(chosen)
            usable.insert(0, chosen)
        return usable + [u for u in ranked if u not in usable]

    def _avoid(self, url: str, reason: str) -> None:
        logger.warning("rasa replica %s avoided for %.0f s: %s", url, self.cooldown, reason)
        self._avoid_until[url] = time.monotonic() + self.cooldown
        metrics.set_replica_up(url, False)

    def _restore(self, url: str) -> None:
        if self._avoid_until.pop(url, None) is not None:
            logger.info("rasa replica %s is back", url)
        metrics.set_replica_up(url, True)

    async def _post(
        self, url: str, body: dict[str, Any], path: str = WEBHOOK, timeout: float | None = None
    ) -> httpx.Response:
        self._in_flight[url] += 1
        metrics.set_in_flight(url, self._in_flight[url])
        try:
            if timeout is None:
                return await self._http.post(url + path, json=body)
            return await self._http.post(url + path, json=body, timeout=timeout)
        finally:
            self._in_flight[url] -= 1
            metrics.set_in_flight(url, self._in_flight[url])

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """One user turn, answered exactly once by one replica, or ``RasaUnavailable``."""
        metadata = metadata or {}
        channel = str(metadata.get("channel") or "other")
        body: dict[str, Any] = {
            "sender": sender,
            "message": text,
            "metadata": metadata,
            "message_id": uuid.uuid4().hex,
        }
        started = time.perf_counter()
        reason = "unreachable"
        for attempt, url in enumerate(self.order(sender)[: self.max_attempts]):
            if attempt:
                body["retry"] = True
                metrics.record_retry(reason)
            try:
                response = await self._post(url, body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                reason = "unreachable"  # nothing was sent
                metrics.record_rasa(url, reason)
                self._avoid(url, type(exc).__name__)
                continue
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                reason = "lost"  # sent; the next replica de-duplicates by message_id
                metrics.record_rasa(url, reason)
                self._avoid(url, type(exc).__name__)
                continue
            except httpx.HTTPError as exc:  # timeouts: the replica may still be on it
                reason = "timeout" if isinstance(exc, httpx.TimeoutException) else "error"
                metrics.record_rasa(url, reason)
                logger.warning("rasa request failed: %s", type(exc).__name__)
                break
            if response.status_code == 503:  # no model yet: the turn was not processed
                reason = "not_ready"
                metrics.record_rasa(url, reason)
                self._avoid(url, "503")
                continue
            if response.status_code != 200:
                reason = f"http_{response.status_code}"
                metrics.record_rasa(url, reason)
                logger.warning("rasa answered %d", response.status_code)
                break
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, list):
                reason = "bad_response"
                metrics.record_rasa(url, reason)
                break
            metrics.record_rasa(url, "ok")
            self._restore(url)
            replies = [BotMessage.from_rasa(item) for item in data if isinstance(item, dict)]
            hint = metadata.get("language")
            metrics.observe_turn(
                channel,
                replies,
                time.perf_counter() - started,
                hint if isinstance(hint, str) else None,
            )
            return replies
        metrics.record_turn_failure(channel, reason)
        raise RasaUnavailable(reason)

    async def parse(
        self, text: str, sender: str, *, hint: str | None = None, timeout: float = PARSE_TIMEOUT
    ) -> dict[str, Any] | None:
        """What the model understood of ``text`` (intent, entities, language detection),
        asked of ``sender``'s replica; ``None`` when no replica answers it in time."""
        body: dict[str, Any] = {"message": text}
        if hint:
            body["hint"] = hint
        for url in self.order(sender)[: self.max_attempts]:
            try:
                response = await self._post(url, body, PARSE, timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                self._avoid(url, type(exc).__name__)
                continue
            except httpx.HTTPError as exc:  # a timeout or a dropped reply: not worth more
                logger.warning("rasa parse failed: %s", type(exc).__name__)
                return None
            if response.status_code == 503:
                self._avoid(url, "503")
                continue
            if response.status_code != 200:
                logger.warning("rasa parse answered %d", response.status_code)
                return None
            try:
                data = response.json()
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
        return None

    async def replica_health(self) -> dict[str, bool]:
        """Each replica's root endpoint, checked at once; the answers update the routing."""

        async def one(url: str) -> bool:
            try:
                response = await self._http.get(url + "/", timeout=3.0)
            except httpx.HTTPError:
                return False
            return response.status_code == 200

        results = await asyncio.gather(*(one(url) for url in self.replicas))
        for url, ok in zip(self.replicas, results, strict=True):
            if ok:
                self._restore(url)
            elif self._avoid_until.get(url, 0.0) <= time.monotonic():
                self._avoid(url, "health check failed")
        return dict(zip(self.replicas, results, strict=True))

    async def healthy(self) -> bool:
        """True while at least one replica answers."""
        return any((await self.replica_health()).values())

    async def close(self) -> None:
        await self._http.aclose()
