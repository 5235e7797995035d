"""One token bucket per sender, for every limit on how fast people may write.

The widget's socket (``bot.web``) tells a sender how long to wait
(``RateLimiter.take``); the input guard of every channel (``bot.security``)
warns a flooding sender once and then drops their messages
(``RateLimiter.take_or_warn``). The buckets of the ``senders`` most recently
active senders are kept (least recently used out); a sender whose bucket was
let go starts again with a full one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cachetools import LRUCache

SENDERS = 100_000  # buckets kept


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    """A token bucket per sender: ``per_minute`` messages a minute, ``burst`` at once."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        senders: int = SENDERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self.clock = clock
        self.buckets: LRUCache[str, _Bucket] = LRUCache(maxsize=senders)

    def _refilled(self, key: str) -> _Bucket:
        now = self.clock()
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(key) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        self.buckets[key] = bucket  # the most recently used now
        return bucket

    @staticmethod
    def _spend(bucket: _Bucket) -> bool:
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def take(self, key: str) -> float:
        """0 when a message may go now; otherwise the seconds until it may."""
        bucket = self._refilled(key)
        if self._spend(bucket):
            return 0.0
        return (1.0 - bucket.tokens) / (self.per_minute / 60.0)

    def take_or_warn(self, key: str) -> Literal["ok", "warn", "drop"]:
        """``ok`` (go ahead), ``warn`` (first refusal: tell them) or ``drop`` (refused again)."""
        bucket = self._refilled(key)
        if self._spend(bucket):
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
