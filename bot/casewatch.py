"""Changes to cases made by any process, told to the live consoles, and new cases announced.

:class:`CaseWatch` polls the database for changes (the action server, which opens
cases, is another process, and there may be several gateways), wakes the consoles'
live views, counts new cases in the metrics and announces each new case once to the
counsellors' Telegram group (``COUNSELLOR_TELEGRAM_CHAT_ID``): number, priority,
language and channel only, never what the person wrote (:func:`announcement`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.periodic import Periodic
from pes.cases import Case, CaseStore

try:  # the scale work's metrics module; the console works without it
    from bot import metrics
except ImportError:  # pragma: no cover
    metrics = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)


Announcer = Callable[[Case], Awaitable[None]]


class CaseWatch:
    """Notices changes to cases made by any process and tells the live consoles."""

    def __init__(
        self,
        store: CaseStore,
        *,
        announce: Announcer | None = None,
        interval: float = 2.0,
        retry_after: float = 60.0,
    ) -> None:
        self.store = store
        self.announce = announce
        self.retry_after = retry_after
        self.subscribers: set[asyncio.Queue[str]] = set()
        self.rounds = Periodic("case watch", self.check, interval=interval)
        self._version: tuple[str, int] | None = None
        self._announce_paused_until = 0.0

    @property
    def interval(self) -> float:
        return self.rounds.interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        self.rounds.interval = seconds

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=20)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self.subscribers.discard(queue)

    def publish(self, event: str) -> None:
        for queue in list(self.subscribers):
            if queue.full():  # a slow client: it only needs to know that something changed
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    def poke(self) -> None:
        """Something changed here: check now rather than at the next tick."""
        self.rounds.wake()

    async def check(self) -> None:
        """One round: publish a change, count and announce new cases."""
        version = await asyncio.to_thread(self.store.version)
        if version != self._version:
            if self._version is not None:
                self.publish("changed")
            self._version = version
        if time.monotonic() < self._announce_paused_until:
            return
        for case in await asyncio.to_thread(self.store.take_unannounced):
            if metrics is not None:
                for reason in case.reasons[:1]:
                    metrics.record_handoff(reason)
            self.publish("new_case")
            if self.announce is None:
                continue
            try:
                await self.announce(case)
            except Exception as exc:  # the group is not reachable now: try again later
                logger.warning("announcing a new case failed: %s", type(exc).__name__)
                await asyncio.to_thread(self.store.unannounce, case.id)
                self._announce_paused_until = time.monotonic() + self.retry_after
                break

    def start(self) -> None:
        self.rounds.start()

    async def stop(self) -> None:
        self.publish("bye")
        await self.rounds.stop()


def announcement(case: Case) -> str:
    """What the counsellors' group reads about a new case: no personal details."""
    priority = "VISOKA / HIGH" if case.urgent else "običajna / normal"
    return (
        f"Nov primer / New case #{case.id}\n"
        f"Prednost / Priority: {priority}\n"
        f"Jezik / Language: {case.language}\n"
        f"Kanal / Channel: {case.channel}"
    )
