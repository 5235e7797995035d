"""The gateway's background rounds (delivery, the case watch, retention, reminders), one way.

A round runs after ``first_delay`` seconds, then every ``interval`` seconds, or
at once when something ``wake``-s it. A round that fails (the database briefly
away, a channel down) is logged by the exception's type only, never its text,
and the next round comes as planned: a background job never ends by accident.

``stop`` ends it for good. It sets a flag as well as cancelling the task:
on Python 3.10 ``asyncio.wait_for`` can swallow a cancellation that arrives just
as the event it waits on is set, and the loop would run on (and ``stop`` wait
for ever).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Periodic:
    """One background round, repeated until stopped."""

    def __init__(
        self,
        name: str,
        round_: Callable[[], Awaitable[object]],
        *,
        interval: float,
        first_delay: float = 0.0,
        failure_level: int = logging.WARNING,
    ) -> None:
        self.name = name
        self.round = round_
        self.interval = interval  # read before each wait: tests and settings may change it
        self.first_delay = first_delay
        self.failure_level = failure_level
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Run the next round now rather than at the next tick."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        if self.first_delay > 0:
            await self._pause(self.first_delay)
        while not self._stopping:
            try:
                await self.round()
            except Exception as exc:  # keep going; the next round may find things back
                logger.log(self.failure_level, "%s round failed: %s", self.name, type(exc).__name__)
            await self._pause(self.interval)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()
