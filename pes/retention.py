"""Retention: what is older than ``RETENTION_DAYS`` (90 by default) is erased.

``purge`` erases Rasa's conversation events written before the cutoff
(``pes.tracker_events``) and calls ``purge_before(cutoff)`` on every store in
``pes.erasure.personal_data_stores`` (each store decides what "old" means for
it: closed cases closed before the cutoff, delivered messages, ...).

The gateway runs it every few hours (``bot/privacy.py``); operators can run it
by hand or from cron::

    python -m pes.retention [--days N]

It prints one JSON object: the cutoff and the rows erased per store.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta

from common.clock import utcnow
from pes.db import Database
from pes.erasure import personal_data_stores
from pes.settings import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, settings
from pes.tracker_events import TrackerEvents


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def purge(database: Database, days: int, now: datetime | None = None) -> dict[str, int]:
    """Erase everything older than ``days``; rows erased per store (``conversations`` first)."""
    cutoff = cutoff_for(days, now)
    erased = {"conversations": TrackerEvents(database).purge_before(cutoff)}
    for name, store in personal_data_stores(database).items():
        erased[name] = store.purge_before(cutoff)
    return erased


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pes.retention",
        description="Erase conversations and records older than the retention period.",
    )
    parser.add_argument(
        "--days",
        type=int,
        help=f"retention in days (default: RETENTION_DAYS or {DEFAULT_RETENTION_DAYS})",
    )
    args = parser.parse_args(argv)
    try:
        days = args.days if args.days is not None else settings().retention_days
    except ValueError as exc:
        print(f"retention: {exc}", file=sys.stderr)
        return 2
    if not 1 <= days <= MAX_RETENTION_DAYS:
        print(f"retention: --days must be between 1 and {MAX_RETENTION_DAYS}", file=sys.stderr)
        return 2
    database = Database.from_env()
    try:
        database.upgrade()
        now = utcnow()
        cutoff = cutoff_for(days, now)
        erased = purge(database, days, now)
    finally:
        database.dispose()
    print(json.dumps({"cutoff": cutoff.isoformat(timespec="seconds"), "erased": erased}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
