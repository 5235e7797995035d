"""Tracker and lock stores configured from the environment (``DATABASE_URL``, ``REDIS_URL``)."""

from __future__ import annotations

import os
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from pes.db import database_url
from runtime.locks import ReplicaLockStore


class DatabaseTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database named by ``DATABASE_URL``."""

    def __init__(self, domain: Any = None, host: Any = None, event_broker: Any = None, **_: Any):
        url = make_url(database_url())
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


class EnvironmentLockStore(LockStore):
    """A Redis lock store when ``REDIS_URL`` is set, an in-memory one otherwise."""

    def __new__(cls, endpoint_config: Any = None) -> Any:
        redis_url = os.environ.get("REDIS_URL", "").strip()
        if not redis_url:
            return InMemoryLockStore()
        url = make_url(redis_url)
        return ReplicaLockStore(  # Rasa's RedisLockStore, safe for several replicas
            host=url.host or "localhost",
            port=url.port or 6379,
            db=int(url.database or 0),
            password=url.password,
            use_ssl=url.drivername == "rediss",
            key_prefix=os.environ.get("REDIS_KEY_PREFIX") or None,
        )
