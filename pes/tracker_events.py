"""Rasa's conversation store (the ``events`` table of its SQL tracker store) as personal data.

Rasa creates and writes the table (``runtime/stores.py``, same ``DATABASE_URL``);
the project only reads it to tell a first contact, and deletes from it to erase
one person (``forget``) or old conversations (``purge_before``).

It is deliberately *not* in ``pes.erasure.personal_data_stores``: that list is
erased from inside an action, and Rasa's ``SQLTrackerStore.save`` writes back
every event of the in-memory tracker that it no longer finds in the table when
the turn ends (``_additional_events`` counts the stored rows), so rows deleted
during the turn come back. The gateway erases them after the turn has been
saved, when the action asks with the custom message ``{ERASE_MARKER: sender}``
(``bot/privacy.py``).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased

from pes.db import Database

ERASE_MARKER = "erase_conversation"
TABLE = "events"
URGENT_INTENT = "urgent_help"  # a call for help in danger: no privacy notice with its answer

# Rasa's own table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), on a metadata of
# its own so that Alembic and the project's models never claim it.
EVENTS = Table(
    TABLE,
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class TrackerEvents:
    """The conversations Rasa keeps, one row per event, by pseudonymous sender id."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def exists(self) -> bool:
        """Whether Rasa has created its table in this database (it does at its first start)."""
        return bool(sa_inspect(self.db.engine).has_table(TABLE))

    def forget(self, user_id: str) -> int:
        """Erase this person's whole conversation; returns the events erased."""
        if not self.exists():
            return 0
        with self.db.session() as session:
            result = session.execute(delete(EVENTS).where(EVENTS.c.sender_id == user_id))
            return int(result.rowcount or 0)

    def count(self, user_id: str) -> int:
        if not self.exists():
            return 0
        with self.db.session() as session:
            query = select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id == user_id)
            return int(session.execute(query).scalar_one())

    def purge_before(self, cutoff: datetime) -> int:
        """Erase the events written before ``cutoff``; returns how many.

        A conversation whose last event is older goes entirely. A conversation that
        is still going on loses its older sessions but never the beginning of its
        latest one (Rasa rebuilds the tracker from the latest ``session_started``).
        """
        if not self.exists():
            return 0
        limit = cutoff.timestamp()
        later = aliased(EVENTS)
        latest_session = (
            select(func.max(later.c.timestamp))
            .where(later.c.sender_id == EVENTS.c.sender_id)
            .where(later.c.type_name == "session_started")
            .scalar_subquery()
        )
        finished = (
            select(later.c.sender_id)
            .group_by(later.c.sender_id)
            .having(func.max(later.c.timestamp) < limit)
        )
        with self.db.session() as session:
            result = session.execute(
                delete(EVENTS)
                .where(EVENTS.c.timestamp < limit)
                .where(EVENTS.c.sender_id.in_(finished) | (EVENTS.c.timestamp < latest_session))
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount or 0)

    def first_contact(self, user_id: str) -> tuple[bool, str | None]:
        """(True, language slot) when the conversation holds exactly one user message
        besides calls for urgent help: the privacy notice waits until the first answer
        that is not about danger (``bot/privacy.py``)."""
        if not self.exists():
            return False, None
        with self.db.session() as session:
            users = session.execute(
                select(EVENTS.c.id)
                .where(EVENTS.c.sender_id == user_id, EVENTS.c.type_name == "user")
                .where(EVENTS.c.intent_name.is_(None) | (EVENTS.c.intent_name != URGENT_INTENT))
                .limit(2)
            ).all()
            if len(users) != 1:
                return False, None
            slots = session.execute(
                select(EVENTS.c.data)
                .where(EVENTS.c.sender_id == user_id, EVENTS.c.type_name == "slot")
                .order_by(EVENTS.c.id.desc())
            ).scalars()
            for raw in slots:
                try:
                    event = json.loads(raw or "{}")
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("name") == "language":
                    value = event.get("value")
                    return True, value if isinstance(value, str) else None
        return True, None
