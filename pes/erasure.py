"""Everything the project keeps about a person, in one list: for erasure and retention.

Each store that keeps personal data has ``forget(user_id) -> int`` (erase one
person's rows, return how many) and ``purge_before(cutoff) -> int`` (erase what
is older than the retention period). A feature that adds such a store adds it
to ``personal_data_stores`` so that "delete my data" and the retention job
cannot miss it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pes.appointments import AppointmentStore
from pes.cases import CaseStore
from pes.db import Database
from pes.outbox import Contacts, Outbox


class PersonalDataStore(Protocol):
    def forget(self, user_id: str) -> int: ...

    def purge_before(self, cutoff: datetime) -> int: ...


def personal_data_stores(database: Database) -> dict[str, PersonalDataStore]:
    """Every store with personal data, by a name shown to the user ("what was deleted")."""
    return {
        "outbox": Outbox(database),
        "contacts": Contacts(database),
        "cases": CaseStore(database),
        "appointments": AppointmentStore(database),
    }


def forget(database: Database, user_id: str) -> dict[str, int]:
    """Erase one person from every store; returns rows erased per store."""
    return {name: store.forget(user_id) for name, store in personal_data_stores(database).items()}
