"""The migrations build exactly the tables the models describe, on a fresh database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pes import models  # noqa: F401
from pes.db import Base, Database
from pes.settings import from_env


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = [
            change
            for change in compare_metadata(context, Base.metadata)
            if not (change[0] == "remove_table" and change[1].name not in Base.metadata.tables)
        ]
    assert diff == []


def test_upgrade_twice_is_harmless_and_keeps_foreign_tables(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY)")
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"events", "outbox", "contacts", "pes_schema_version"} <= tables
    db.dispose()


def test_database_url_defaults_to_sqlite_under_var() -> None:
    assert from_env({}).database_url.startswith("sqlite:///")
    assert from_env({"DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql://u@h/db"
