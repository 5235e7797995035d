"""Alembic environment: runs on the connection ``pes.db.Database.upgrade`` passes in,
or on ``DATABASE_URL`` when called as ``alembic -c migrations/alembic.ini ...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pes import models  # noqa: F401  (registers every table on Base.metadata)
from pes.db import Base
from pes.settings import settings

config = context.config
target_metadata = Base.metadata
OWN_TABLES = set(target_metadata.tables)


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Rasa's tracker store owns its own tables (events, ...); leave them alone.
    return not (type_ == "table" and name not in OWN_TABLES)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(settings().database_url, future=True)
        with engine.begin() as own:
            _migrate(own)
        engine.dispose()
    else:
        _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table="pes_schema_version",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
