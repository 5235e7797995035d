"""The delivery worker: sends what waits in the outbox through each channel.

A sender returns ``True`` when the message reached the user, ``False`` when the
user cannot be reached right now (a web visitor who is not connected: the
message waits and is sent when they come back), and raises on a fault (the
attempt counts and the message is retried with back-off).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.periodic import Periodic
from pes.outbox import Outbox, OutboxItem

logger = logging.getLogger(__name__)

Sender = Callable[[OutboxItem], Awaitable[bool]]


class Deliverer:
    """Polls the outbox (and wakes at once when told), one sender per channel."""

    def __init__(self, outbox: Outbox, *, interval: float = 5.0) -> None:
        self.outbox = outbox
        self.senders: dict[str, Sender] = {}
        self.rounds = Periodic("delivery", self.deliver_due, interval=interval)

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[channel] = sender

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next tick."""
        self.rounds.wake()

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

    def start(self) -> None:
        self.rounds.start()

    async def stop(self) -> None:
        await self.rounds.stop()
