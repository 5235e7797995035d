"""Rasa's Redis lock store, made safe for several replicas and for a replica that dies.

Rasa serialises the turns of one conversation with a ticket lock kept in Redis:
each request takes a numbered ticket, waits until its ticket is first in line,
and removes it when done; a ticket expires ``TICKET_LOCK_LIFETIME`` seconds
after it was issued, so the locks of a replica that died free themselves.
Two things in Rasa 3.6's ``RedisLockStore`` go wrong with several replicas:

1. Tickets are issued and removed by read-modify-write (GET, change, SET), so
   two replicas touching one conversation's lock at the same instant can
   overwrite each other: a ticket disappears, or two requests get the same
   number and run at once. Here every change is one optimistic transaction
   (WATCH, GET, MULTI, SET, EXEC, again on conflict).
2. A *waiting* ticket expires too. When a replica dies holding a conversation's
   lock, a request waiting behind it on another replica has a ticket issued a
   moment later; both expire within that moment, and once its own ticket is
   gone the waiter never sees itself first in line and waits forever (the
   scale test caught this). Here a waiter refreshes its ticket every time it
   polls, so only the tickets of dead replicas expire; the ticket being served
   expires ``lifetime`` after it was first served, as in Rasa.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

Change = Callable[[TicketLock | None], TicketLock | None]


class ReplicaLockStore(RedisLockStore):
    """Atomic ticket changes, and waiting tickets that live as long as their waiter."""

    def _update(self, conversation_id: str, change: Change) -> TicketLock | None:
        """Apply ``change`` to the stored lock atomically; an empty lock is deleted."""
        key = self.key_prefix + conversation_id
        pipe: Any
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new = change(lock)
                    pipe.multi()
                    if new is None or not new.tickets:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new.dumps())
                    pipe.execute()
                    return new
                except redis.WatchError:
                    continue
                except redis.RedisError as exc:
                    raise LockError(f"lock store unavailable: {type(exc).__name__}") from exc

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued: list[int] = []

        def change(lock: TicketLock | None) -> TicketLock:
            lock = lock or TicketLock(conversation_id)
            issued.append(lock.issue_ticket(lock_lifetime))
            return lock

        self._update(conversation_id, change)
        return issued[-1]

    def _refresh(
        self, conversation_id: str, number: int, lifetime: float
    ) -> tuple[TicketLock, int]:
        """Drop expired tickets, extend ours; if ours is gone (this process stalled
        longer than ``lifetime``), join the end of the line again with a new number."""
        mine: list[int] = []

        def change(lock: TicketLock | None) -> TicketLock:
            lock = lock or TicketLock(conversation_id)
            lock.remove_expired_tickets()
            ticket = next((t for t in lock.tickets if t.number == number), None)
            if ticket is None:
                mine.append(lock.issue_ticket(lifetime))
            else:
                ticket.expires = time.time() + lifetime
                mine.append(number)
            return lock

        lock = self._update(conversation_id, change)
        assert lock is not None  # change always returns a lock with our ticket
        return lock, mine[-1]

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._update(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.finish_serving(conversation_id, ticket_number)  # an empty lock is deleted there

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 0.25,  # Rasa polls every second
    ) -> AsyncGenerator[TicketLock, None]:
        number = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock, number = self._refresh(conversation_id, number, lock_lifetime)
                if lock.now_serving == number:
                    break
                await asyncio.sleep(wait_time_in_seconds)
            yield lock
        finally:
            self.cleanup(conversation_id, number)
