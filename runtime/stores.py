"""Tracker and lock stores configured from the settings (``DATABASE_URL``, ``REDIS_URL``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache, TTLCache
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from runtime.locks import ReplicaLockStore
from runtime.replica import replica

CACHE_SECONDS = 1800.0  # a conversation quiet this long leaves the replica's memory


@dataclass
class _Stored:
    """What this replica knows is in the database for one conversation."""

    tracker_id: int  # id() of the tracker object this is about
    events: int  # how many of its events are stored
    newest: int | None  # the conversation's newest event id in the database


class DatabaseTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on ``DATABASE_URL``, with a per-replica tracker cache.

    Rasa reads a conversation's whole session from the database at the start of
    every turn, rebuilds the tracker event by event, and at the end counts the
    stored events again to know which ones are new: a fifth of a replica's time
    under load (docs/performance.md). The gateway keeps a conversation on one
    replica, so this replica usually saved the previous turn itself. After a
    save it keeps the tracker (``TRACKER_CACHE_SIZE`` conversations, least
    recently used out, none quiet for longer than ``CACHE_SECONDS``; 0 turns
    it off) with the newest event id it wrote, and
    the next ``retrieve`` asks the database only for that id: when it is still
    the newest, nobody else (another replica, an erasure) changed the
    conversation, and the kept tracker is exactly what the database holds.
    Otherwise it reads the database as Rasa does.

    The cached object is handed out, not copied: ``retrieve`` removes it from
    the cache, so a turn that fails before saving leaves nothing stale behind.
    Anything unusual (a tracker this store did not hand out, a new session
    started in the turn, an event broker) takes Rasa's own path.
    """

    def __init__(self, domain: Any = None, host: Any = None, event_broker: Any = None, **_: Any):
        config = replica()
        url = make_url(config.database_url)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "rasa.db",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
        )
        self.cache_size = config.rasa.tracker_cache_size  # 0: no cache
        # Saved conversations; least recently saved out, none older than CACHE_SECONDS
        # (conversations, personal data, stay in memory no longer than they are in use).
        self._cache: TTLCache[str, tuple[DialogueStateTracker, _Stored]] = TTLCache(
            maxsize=self.cache_size, ttl=CACHE_SECONDS, timer=time.monotonic
        )
        # Retrieved and not saved yet; least recently handed out forgotten.
        self._handed_out: LRUCache[str, _Stored] = LRUCache(maxsize=self.cache_size)

    def _caching(self) -> bool:
        return self.cache_size > 0 and self.event_broker is None

    def _newest_event_id(self, session: Any, sender_id: str) -> int | None:
        query = sa.select(sa.func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == sender_id)
        newest = session.execute(query).scalar()
        return int(newest) if newest is not None else None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self._caching():
            return await super().retrieve(sender_id)
        cached = self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            if cached is not None:
                tracker, stored = cached
                if self._newest_event_id(session, sender_id) == stored.newest:
                    self._handed_out[sender_id] = stored
                    return tracker
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows or not self.domain:
            return None
        events = [json.loads(row.data) for row in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self._handed_out[sender_id] = _Stored(id(tracker), len(rows), int(rows[-1].id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        stored = self._handed_out.pop(sender_id, None)
        self._cache.pop(sender_id, None)
        if not self._caching() or stored is None or stored.tracker_id != id(tracker):
            await super().save(tracker)  # Rasa's way: count what is stored
            return
        events = list(tracker.events)
        new = events[stored.events :]
        rows = [self._row(sender_id, event.as_dict(), event.type_name) for event in new]
        with self.session_scope() as session:
            session.add_all(rows)
            session.flush()  # assigns the ids
            newest = rows[-1].id if rows else stored.newest
            session.commit()
        if not _as_the_database_shows_it(events):
            return  # e.g. a new session began: the database shows only that one now
        self._cache[sender_id] = (tracker, _Stored(id(tracker), len(events), newest))

    def _row(self, sender_id: str, data: dict[str, Any], type_name: str) -> Any:
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


def _as_the_database_shows_it(events: list[Any]) -> bool:
    """Whether Rasa's read (events since the newest ``SessionStarted`` by time) gives all of these."""
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    if not starts:
        return True
    newest = max(starts)
    return all(event.timestamp >= newest for event in events)


class EnvironmentLockStore(LockStore):
    """A Redis lock store when ``REDIS_URL`` is set, an in-memory one otherwise."""

    def __new__(cls, endpoint_config: Any = None) -> Any:
        config = replica().rasa
        redis_url = config.redis_url
        if not redis_url:
            return InMemoryLockStore()
        url = make_url(redis_url)
        return ReplicaLockStore(  # Rasa's RedisLockStore, safe for several replicas
            host=url.host or "localhost",
            port=url.port or 6379,
            db=int(url.database or 0),
            password=url.password,
            use_ssl=url.drivername == "rediss",
            key_prefix=config.redis_key_prefix,
        )
