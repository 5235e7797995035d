"""Shared test helpers."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


import pytest  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from pes.appointments import AppointmentRow, AppointmentStore, SlotRow  # noqa: E402
from pes.db import Database  # noqa: E402
from pes.outbox import OutboxRow  # noqa: E402
from pes.settings import settings  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The whole assistant as `make run` starts it (tests/standins/stack.py), started once
    for every test that only talks to it as people do (the widget's browser tests, the
    played conversations): each start loads the model for half a minute or more. Tests
    that need other settings, or stop it, start their own under the same name."""
    from tests.standins.stack import running_stack, stack_env

    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("needs a trained model: `make train` (make test trains before it runs pytest)")
    with running_stack(stack_env(tmp_path_factory.mktemp("shared-stack"))) as running:
        yield running


@pytest.fixture(autouse=True)
def _isolated_database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test writes to the developer's var/assistant.db: each gets its own SQLite file
    (the scale tests set TEST_DATABASE_URL to PostgreSQL instead). The settings a process
    reads once are read again in each test, from the environment it sets."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    monkeypatch.setenv("DATABASE_URL", url)
    _read_again()
    yield
    _read_again()


def _read_again() -> None:
    settings.cache_clear()
    replica = sys.modules.get("runtime.replica")  # imported by the tests that need Rasa
    if replica is not None:
        replica.replica.cache_clear()


@pytest.fixture
def database() -> Iterator[Database]:
    """A migrated project database (the test's own)."""
    db = Database(os.environ["DATABASE_URL"])
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def appointment_store(database: Database) -> AppointmentStore:
    """An appointment store on empty tables (PostgreSQL is shared between tests), with the
    default limit of two future appointments per person."""
    with database.session() as session:
        for table in (OutboxRow, AppointmentRow, SlotRow):
            session.execute(delete(table))
    return AppointmentStore(database, max_future=2)


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the file at ``path`` (a test's copy of a content
    file); the line it was on, for the error a loader must name."""
    text = path.read_text("utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), "utf-8")
    return line
