"""The project database: one SQLAlchemy engine, one declarative base, Alembic migrations.

Conversations (Rasa's tracker store), appointments, counsellor cases and the
outbox of messages waiting for delivery all live in the database named by
``DATABASE_URL`` (an SQLite file under ``var/`` by default, PostgreSQL in
production). The schema of the project's own tables is owned by the Alembic
migrations in ``migrations/``; ``python -m pes.db upgrade`` (run by the stack
at start-up) brings a database to the newest schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool

from pes.settings import settings

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"

# Stable constraint names, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """An engine and a session factory for the project's tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            if not url.endswith(":memory:") and url != "sqlite://":
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)

    @classmethod
    def from_env(cls) -> Database:
        """The process's database: ``DATABASE_URL`` as the settings read it (``pes/settings/``)."""
        return cls(settings().database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run on every start)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = None
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")

    def dispose(self) -> None:
        self.engine.dispose()


_DEFAULT: Database | None = None


def default_database() -> Database:
    """The process's database (from ``DATABASE_URL``), migrated on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        database = Database.from_env()
        database.upgrade()
        _DEFAULT = database
    return _DEFAULT


def main(argv: list[str] | None = None) -> int:
    """``python -m pes.db upgrade``: migrate the database named by ``DATABASE_URL``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args != ["upgrade"]:
        print("usage: python -m pes.db upgrade", file=sys.stderr)
        return 2
    database = Database.from_env()
    database.upgrade()
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
