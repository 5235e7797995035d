"""The delivery worker: sends what waits in the outbox through each channel.

A sender returns ``True`` when the message reached the user, ``False`` when the
user cannot be reached right now (a web visitor who is not connected: the
message waits and is sent when they come back), and raises on a fault (the
attempt counts and the message is retried with back-off).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pes.outbox import Outbox, OutboxItem

logger = logging.getLogger(__name__)

Sender = Callable[[OutboxItem], Awaitable[bool]]


class Deliverer:
    """Polls the outbox (and wakes at once when told), one sender per channel."""

    def __init__(self, outbox: Outbox, *, interval: float = 5.0) -> None:
        self.outbox = outbox
        self.interval = interval
        self.senders: dict[str, Sender] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[channel] = sender

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next tick."""
        self._wake.set()

    async def deliver_due(self, *, user_id: str | None = None) -> int:
        """Send every due message once; returns how many reached their user."""
        if not self.senders:
            return 0
        items = await asyncio.to_thread(self.outbox.claim_due, list(self.senders), user_id=user_id)
        sent = 0
        for item in items:
            sent += await self._deliver(item)
        return sent

    async def _deliver(self, item: OutboxItem) -> int:
        sender = self.senders[item.channel]
        try:
            reached = await sender(item)
        except Exception as exc:  # every channel fault ends here, logged without content
            logger.warning("delivery of %s failed: %s", item.kind, type(exc).__name__)
            await asyncio.to_thread(self.outbox.failed, item.id, type(exc).__name__)
            return 0
        if reached:
            await asyncio.to_thread(self.outbox.delivered, item.id)
            return 1
        await asyncio.to_thread(self.outbox.release, item.id)
        return 0

    async def run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception as exc:  # the database may be briefly away; keep going
                logger.warning("delivery round failed: %s", type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
