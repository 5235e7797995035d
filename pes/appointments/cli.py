"""``python -m pes.appointments``: publish, list and delete slots, and seed DEMO slots in development."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NoReturn

from common.clock import TIMEZONE, local, utcnow
from pes.appointments.errors import InvalidSlot, SlotBooked, SlotConflict
from pes.appointments.store import AppointmentStore
from pes.db import Database
from pes.settings import from_env

# --- command line ------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class CliError(Exception):
    """A one-line message for the command line's standard error (exit status 2)."""


def parse_local(raw: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` on the Ljubljana clock, as an aware datetime (DST checked)."""
    try:
        naive = datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise CliError(f"'{raw}' is not a time like 2026-12-02 09:30") from None
    first, second = naive.replace(tzinfo=TIMEZONE, fold=0), naive.replace(tzinfo=TIMEZONE, fold=1)
    if local(first.astimezone(timezone.utc)).replace(tzinfo=None) != naive:
        raise CliError(f"{raw} does not exist in Europe/Ljubljana (clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise CliError(f"{raw} happens twice in Europe/Ljubljana (clocks go back); pick another")
    return first


def _offices() -> dict[str, Any]:
    from pes import content  # the office list PES staff edit

    return dict(content.default().offices)


def _check_office(office: str) -> None:
    offices = _offices()
    if office not in offices:
        raise CliError(f"unknown office '{office}'; use one of: {', '.join(offices)}")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CliError(f"'{raw}' is not a date like 2026-12-02") from None


def _cmd_add(store: AppointmentStore, args: argparse.Namespace) -> str:
    _check_office(args.office)
    if not 1 <= args.repeat <= 200:
        raise CliError("--repeat must be from 1 to 200")
    every = args.every or args.minutes
    if every < args.minutes:
        raise CliError("--every must be at least --minutes (slots may not overlap)")
    first = parse_local(args.start)
    naive = first.replace(tzinfo=None)
    starts = [
        parse_local(f"{naive + timedelta(minutes=every * i):%Y-%m-%d %H:%M}")
        for i in range(args.repeat)
    ]
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    ids = store.publish_slots(
        args.office,
        args.counsellor,
        starts,
        args.minutes,
        languages,
        args.interpreter,
        now=utcnow(),
    )
    return f"added {len(ids)} slot(s): {', '.join(map(str, ids))}"


def _cmd_list(store: AppointmentStore, args: argparse.Namespace) -> str:
    if args.office:
        _check_office(args.office)
    start = datetime.combine(_day(args.start), time(), TIMEZONE) if args.start else None
    end = (
        datetime.combine(_day(args.end) + timedelta(days=1), time(), TIMEZONE) if args.end else None
    )
    slots = store.list_slots(args.office, start, end, include_booked=not args.free)
    lines = [
        f"{s.id:>6}  {s.office:<14} {local(s.starts_at):%Y-%m-%d %H:%M}  {s.minutes:>3} min  "
        f"{s.counsellor:<24} {','.join(s.languages):<14} "
        f"{'interpreter' if s.interpreter else '-':<11}  {'booked' if s.booked else 'free'}"
        for s in slots
    ]
    return "\n".join(lines) if lines else "no slots"


def _cmd_delete(store: AppointmentStore, args: argparse.Namespace) -> str:
    try:
        deleted = store.delete_slot(args.slot_id, cancel_booking=args.cancel_booking)
    except SlotBooked:
        raise CliError(
            f"slot {args.slot_id} is booked; add --cancel-booking to cancel the booking "
            "(the person is told) and delete it"
        ) from None
    if not deleted:
        raise CliError(f"there is no slot {args.slot_id}")
    return f"deleted slot {args.slot_id}"


DEMO_COUNSELLORS = (
    # name, languages, interpreter on (weekday numbers, Monday = 0)
    ("Demo: svetovalka Ana", ("sl", "en", "uk", "ru"), (1, 3)),
    ("Demo: svetovalec Amir", ("sl", "en", "ar", "fa"), ()),
)


def seed_demo(store: AppointmentStore, now: datetime, days: int = 14) -> int:
    """DEMO slots for every office for the next ``days`` days, in the morning opening
    hours: two made-up counsellors, 30 minutes each. Never used in production."""
    added = 0
    today = local(now).date()
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for city, office in _offices().items():
        for offset in range(1, days + 1):
            day = today + timedelta(days=offset)
            hours = office.hours.get(weekdays[day.weekday()], ())
            if not hours:
                continue
            opens, closes = (time.fromisoformat(part) for part in hours[0].split("-"))
            for index, (name, languages, interpreter_days) in enumerate(DEMO_COUNSELLORS):
                start = datetime.combine(day, opens, TIMEZONE) + timedelta(minutes=30 * index)
                end = datetime.combine(day, closes, TIMEZONE)
                starts = []
                while start + timedelta(minutes=30) <= end:
                    starts.append(start)
                    start += timedelta(minutes=60)
                if starts:
                    interpreter = day.weekday() in interpreter_days
                    added += len(
                        store.publish_slots(city, name, starts, 30, languages, interpreter, now=now)
                    )
    return added


def _cmd_seed(store: AppointmentStore, args: argparse.Namespace) -> str:
    if args.production:
        raise CliError("seed-demo adds made-up slots and is refused when APP_ENV=production")
    now = utcnow()
    if store.has_future_slots(now):
        return "demo slots: not added (there are future slots already)"
    return f"demo slots: added {seed_demo(store, now, args.days)} DEMO slot(s) for the next {args.days} days"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pes.appointments",
        description="Appointment slots. Times are on the Ljubljana clock (Europe/Ljubljana).",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add = commands.add_parser("add-slots", help="publish slots, back to back with --repeat")
    add.add_argument("--office", required=True, help="office id, e.g. maribor")
    add.add_argument("--counsellor", required=True)
    add.add_argument("--start", required=True, help="first start, e.g. '2026-12-02 09:00'")
    add.add_argument("--minutes", type=int, default=30)
    add.add_argument("--languages", required=True, help="comma list, e.g. sl,en,ar")
    add.add_argument("--interpreter", action="store_true", help="an interpreter can come")
    add.add_argument("--repeat", type=int, default=1, help="how many slots")
    add.add_argument("--every", type=int, default=0, help="minutes between starts")
    show = commands.add_parser("list", help="list slots")
    show.add_argument("--office")
    show.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    show.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    show.add_argument("--free", action="store_true", help="free slots only")
    remove = commands.add_parser("delete", help="delete a slot")
    remove.add_argument("slot_id", type=int)
    remove.add_argument("--cancel-booking", action="store_true")
    seed = commands.add_parser("seed-demo", help="DEMO slots when there are none (not production)")
    seed.add_argument("--days", type=int, default=14)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    commands = {
        "add-slots": _cmd_add,
        "list": _cmd_list,
        "delete": _cmd_delete,
        "seed-demo": _cmd_seed,
    }
    config = from_env()  # an entry point: the settings are read here, once
    args.production = config.production
    database = Database(config.database_url)
    try:
        database.upgrade()
        print(commands[args.command](AppointmentStore(database), args))
    except (CliError, InvalidSlot, SlotConflict) as exc:
        print(f"python -m pes.appointments {args.command}: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    return 0
