"""The appointment store: slots, bookings, limits, races, reminders, erasure, CLI.

Runs on the test's own SQLite file, or on PostgreSQL when TEST_DATABASE_URL is
set (tests/conftest.py); each test starts from empty appointment tables.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.clock import TIMEZONE, local, utcnow
from pes import appointments as ap
from pes.appointments import (
    AlreadyBooked,
    AlreadyCancelled,
    AppointmentInPast,
    AppointmentNotFound,
    AppointmentRow,
    AppointmentStore,
    InvalidSlot,
    SlotBooked,
    SlotConflict,
    SlotGone,
    SlotInPast,
    SlotTaken,
    TooManyAppointments,
)
from pes.appointments import cli as appointments_cli
from pes.db import Database
from pes.erasure import personal_data_stores
from pes.outbox import Outbox
from pes.settings import SettingsError, from_env

NOW = utcnow().replace(microsecond=0)
TOMORROW_9 = (NOW + timedelta(days=1)).astimezone(TIMEZONE).replace(hour=9, minute=0, second=0)


@pytest.fixture
def store(appointment_store: AppointmentStore) -> AppointmentStore:
    return appointment_store


def publish(
    store: AppointmentStore,
    count: int = 1,
    *,
    office: str = "maribor",
    first: datetime = TOMORROW_9,
    minutes: int = 30,
    languages: tuple[str, ...] = ("sl", "en"),
    interpreter: bool = False,
    counsellor: str = "Ana",
) -> list[int]:
    starts = [first + timedelta(minutes=minutes * i) for i in range(count)]
    return store.publish_slots(office, counsellor, starts, minutes, languages, interpreter)


# --- slots ---------------------------------------------------------------------------


def test_published_slots_are_listed_in_order_with_their_booking(store: AppointmentStore) -> None:
    ids = publish(store, 3)
    publish(store, 1, office="celje")
    slots = store.list_slots("maribor")
    assert [s.id for s in slots] == ids
    assert slots[0].starts_at == TOMORROW_9.astimezone(timezone.utc)
    assert slots[0].languages == ("sl", "en") and slots[0].minutes == 30
    booked = store.book("u1", ids[1], "web", "en", None, NOW)
    assert [s.appointment_id for s in store.list_slots("maribor")] == [None, booked.id, None]
    assert [s.id for s in store.list_slots("maribor", include_booked=False)] == [ids[0], ids[2]]
    assert len(store.list_slots()) == 4
    end = TOMORROW_9 + timedelta(minutes=30)
    assert [s.id for s in store.list_slots("maribor", start=TOMORROW_9, end=end)] == ids[:1]


def test_free_slots_skip_booked_soon_and_unsuitable(store: AppointmentStore) -> None:
    soon = publish(store, 1, first=NOW + timedelta(minutes=10), counsellor="Soon")
    plain = publish(store, 2)
    arabic = publish(store, 1, first=TOMORROW_9 + timedelta(hours=3), languages=("sl", "ar"))
    with_interpreter = publish(
        store, 1, first=TOMORROW_9 + timedelta(hours=4), interpreter=True, counsellor="Eva"
    )
    store.book("u1", plain[0], "web", "en", None, NOW)
    free = [s.id for s in store.free_slots("maribor", NOW, 10)]
    assert soon[0] not in free  # starts within MIN_NOTICE
    assert free == [plain[1], *arabic, *with_interpreter]
    assert [s.id for s in store.free_slots("maribor", NOW, 10, interpreter_language="ar")] == [
        *arabic,
        *with_interpreter,
    ]
    assert [s.id for s in store.free_slots("maribor", NOW, 10, interpreter_language="fa")] == (
        with_interpreter
    )
    assert len(store.free_slots("maribor", NOW, 1)) == 1
    assert store.free_slots("koper", NOW, 5) == []


def test_anything_free_at_all(store: AppointmentStore) -> None:
    assert not store.has_free_slots(NOW) and not store.has_future_slots(NOW)
    (slot,) = publish(store)
    assert store.has_free_slots(NOW) and store.has_future_slots(NOW)
    store.book("u1", slot, "web", "en", None, NOW)
    assert not store.has_free_slots(NOW) and store.has_future_slots(NOW)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"office": "Maribor!"}, InvalidSlot),
        ({"counsellor": " "}, InvalidSlot),
        ({"minutes": 2}, InvalidSlot),
        ({"languages": ["sl", "xx"]}, InvalidSlot),
        ({"starts": [datetime(2030, 1, 1, 9, 0)]}, InvalidSlot),  # no time zone
        ({"starts": []}, InvalidSlot),
        ({"starts": [TOMORROW_9, TOMORROW_9 + timedelta(minutes=15)]}, SlotConflict),
    ],
)
def test_bad_slots_are_refused(
    store: AppointmentStore, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {
        "office": "maribor",
        "counsellor": "Ana",
        "starts": [TOMORROW_9],
        "minutes": 30,
        "languages": ["sl"],
        "interpreter": False,
        **kwargs,
    }
    with pytest.raises(error):
        store.publish_slots(**args)  # type: ignore[arg-type]
    assert store.list_slots() == []


def test_a_counsellor_cannot_be_in_two_slots_at_once(store: AppointmentStore) -> None:
    publish(store, 2)
    with pytest.raises(SlotConflict):
        publish(store, 1, first=TOMORROW_9 + timedelta(minutes=45))
    publish(store, 1, first=TOMORROW_9 + timedelta(minutes=45), counsellor="Eva")  # another one
    with pytest.raises(InvalidSlot):
        store.publish_slots(
            "maribor", "Ana", [NOW - timedelta(hours=1)], 30, ["sl"], False, now=NOW
        )


# --- booking ---------------------------------------------------------------------------


def test_book_and_double_click(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    first = store.book("u1", slot, "telegram", "ar", "ar", NOW)
    assert (first.user_id, first.channel, first.language, first.interpreter_language) == (
        "u1",
        "telegram",
        "ar",
        "ar",
    )
    assert first.office == "maribor" and first.slot_id == slot and len(first.token) >= 32
    with pytest.raises(AlreadyBooked) as again:
        store.book("u1", slot, "telegram", "ar", "ar", NOW)
    assert again.value.appointment.id == first.id  # the existing booking, not a second one
    with pytest.raises(SlotTaken):
        store.book("u2", slot, "web", "en", None, NOW)
    assert [a.id for a in store.upcoming("u1", NOW)] == [first.id]
    assert store.upcoming("u2", NOW) == []


def test_no_interpreter_is_stored_as_none(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    assert store.book("u1", slot, "web", "sl", "none", NOW).interpreter_language is None


def test_past_and_deleted_slots(store: AppointmentStore) -> None:
    past, gone = publish(store, 2)
    with pytest.raises(SlotInPast):
        store.book("u1", past, "web", "en", None, TOMORROW_9 + timedelta(minutes=1))
    assert store.delete_slot(gone) is True
    assert store.delete_slot(gone) is False
    with pytest.raises(SlotGone):
        store.book("u1", gone, "web", "en", None, NOW)
    with pytest.raises(SlotGone):
        store.book("u1", 987654, "web", "en", None, NOW)


def test_a_person_holds_at_most_the_limit_of_future_appointments(
    store: AppointmentStore,
) -> None:
    a, b, c = publish(store, 3)
    store.book("u1", a, "web", "en", None, NOW)
    store.book("u1", b, "web", "en", None, NOW)
    with pytest.raises(TooManyAppointments) as too_many:
        store.book("u1", c, "web", "en", None, NOW)
    assert too_many.value.limit == 2
    store.book("u2", c, "web", "en", None, NOW)  # someone else is not limited by u1
    # once the first one is over, it does not count any more
    (later,) = publish(store, 1, first=TOMORROW_9 + timedelta(days=1))
    after_first = TOMORROW_9 + timedelta(minutes=31)
    store.book("u1", later, "web", "en", None, after_first)


def test_the_database_refuses_two_holders_of_one_slot(
    store: AppointmentStore, database: Database
) -> None:
    (slot,) = publish(store)
    holder = store.book("u1", slot, "web", "en", None, NOW)
    second = AppointmentRow(
        slot_id=slot,
        user_id="u2",
        channel="web",
        language="en",
        office="maribor",
        counsellor="Ana",
        counsellor_languages="sl",
        starts_at=holder.starts_at,
        minutes=30,
        status="booked",
        token="another-token-of-enough-length",
        created_at=NOW,
    )
    session = database._sessions()  # bypass the store's checks: only the constraint is left
    session.add(second)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    session.close()


# --- races -----------------------------------------------------------------------------


def _race(url: str, slot_id: int, users: list[str]) -> list[str]:
    """Book one slot from several threads at once; each thread's outcome."""
    database = Database(url)
    store = AppointmentStore(database, max_future=2)
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def attempt(user: str) -> None:
        barrier.wait()
        try:
            store.book(user, slot_id, "web", "en", None)
            outcomes.append("won")
        except ap.AppointmentError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.dispose()
    return outcomes


def test_many_threads_race_for_one_slot_and_exactly_one_wins(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    outcomes = _race(os.environ["DATABASE_URL"], slot, [f"t{i}" for i in range(24)])
    assert Counter(outcomes) == {"won": 1, "SlotTaken": 23}
    assert len([s for s in store.list_slots() if s.booked]) == 1


def test_many_processes_race_for_one_slot_and_exactly_one_wins(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    url = os.environ["DATABASE_URL"]
    jobs = [(url, slot, [f"p{p}-t{t}" for t in range(5)]) for p in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        outcomes = [o for part in pool.starmap(_race, jobs) for o in part]
    assert Counter(outcomes) == {"won": 1, "SlotTaken": 19}
    holder = store.list_slots()[0].appointment_id
    assert holder is not None
    booked = store.get(holder)
    assert booked is not None and booked.user_id.startswith("p")


def test_one_person_racing_for_many_slots_gets_only_the_limit(store: AppointmentStore) -> None:
    slots = publish(store, 8)
    database = store.db
    barrier = threading.Barrier(len(slots))
    outcomes: list[str] = []

    def attempt(slot_id: int) -> None:
        barrier.wait()
        try:
            AppointmentStore(database, max_future=2).book("same", slot_id, "web", "en", None)
            outcomes.append("won")
        except ap.AppointmentError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt, args=(s,)) for s in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == {"won": 2, "TooManyAppointments": 6}
    assert len(store.upcoming("same")) == 2


# --- cancel and reschedule ------------------------------------------------------------------


def test_cancel_frees_the_slot_and_only_the_owner_can(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    booked = store.book("u1", slot, "web", "en", None, NOW)
    with pytest.raises(AppointmentNotFound):
        store.cancel("u2", booked.id, now=NOW)
    cancelled = store.cancel("u1", booked.id, now=NOW)
    assert cancelled.status == ap.CANCELLED and cancelled.slot_id is None
    with pytest.raises(AlreadyCancelled):
        store.cancel("u1", booked.id, now=NOW)  # a second click
    assert store.upcoming("u1", NOW) == []
    assert store.book("u2", slot, "web", "en", None, NOW).user_id == "u2"


def test_an_appointment_that_started_cannot_be_cancelled(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    booked = store.book("u1", slot, "web", "en", None, NOW)
    with pytest.raises(AppointmentInPast):
        store.cancel("u1", booked.id, now=TOMORROW_9 + timedelta(minutes=5))


def test_reschedule_is_atomic(store: AppointmentStore) -> None:
    a, b, c = publish(store, 3)
    mine = store.book("u1", a, "telegram", "uk", "uk", NOW)
    theirs = store.book("u2", c, "web", "en", None, NOW)
    with pytest.raises(SlotTaken):
        store.reschedule("u1", mine.id, c, now=NOW)
    assert [x.slot_id for x in store.upcoming("u1", NOW)] == [a]  # untouched
    with pytest.raises(AppointmentNotFound):
        store.reschedule("u2", mine.id, b, now=NOW)
    moved = store.reschedule("u1", mine.id, b, now=NOW)
    assert (moved.slot_id, moved.channel, moved.language, moved.interpreter_language) == (
        b,
        "telegram",
        "uk",
        "uk",
    )
    assert moved.id != mine.id
    old = store.get(mine.id)
    assert old is not None and old.status == ap.MOVED and old.slot_id is None
    with pytest.raises(AlreadyBooked) as again:  # the same button clicked twice
        store.reschedule("u1", mine.id, b, now=NOW)
    assert again.value.appointment.id == moved.id
    with pytest.raises(AlreadyBooked):
        store.reschedule("u1", moved.id, b, now=NOW)
    assert store.book("u3", a, "web", "en", None, NOW).slot_id == a  # the old slot is free
    with pytest.raises(SlotGone):
        store.reschedule("u1", moved.id, 987654, now=NOW)
    assert theirs.slot_id == c


# --- reminders and notices ----------------------------------------------------------------


def test_reminders_are_due_within_24_hours_once(
    store: AppointmentStore, database: Database
) -> None:
    soon, later, telegram, shell = publish(store, 4, first=NOW + timedelta(hours=20))
    store.publish_slots(
        "maribor", "Eva", [NOW + timedelta(hours=30)], 30, ["sl"], False
    )  # not within 24 h
    booked_at = NOW - timedelta(days=2)
    a = store.book("u1", soon, "web", "en", None, booked_at)
    store.book("u2", later, "web", "en", None, NOW - timedelta(minutes=30))  # quiet period
    c = store.book("u3", telegram, "telegram", "ar", None, booked_at)
    store.book("u4", shell, "cmdline", "en", None, booked_at)  # cannot be reached later
    assert [x.id for x in store.due_reminders(NOW)] == [a.id, c.id]
    store.mark_reminder_queued(a.id, NOW)
    assert [x.id for x in store.due_reminders(NOW)] == [c.id]
    # a queued reminder of a cancelled appointment is not sent
    Outbox(database).put(
        "u3", "telegram", {"text": "x"}, kind="reminder", dedupe_key=f"reminder:{c.id}"
    )
    store.cancel("u3", c.id, now=NOW)
    assert Outbox(database).pending("u3") == []
    assert store.due_reminders(NOW) == []


def test_deleting_a_booked_slot_needs_consent_and_tells_the_person(
    store: AppointmentStore,
) -> None:
    (slot,) = publish(store)
    booked = store.book("u1", slot, "telegram", "fa", None, NOW)
    with pytest.raises(SlotBooked) as refused:
        store.delete_slot(slot)
    assert refused.value.appointment_id == booked.id
    assert store.delete_slot(slot, cancel_booking=True) is True
    notices = store.due_notices(NOW)
    assert [n.id for n in notices] == [booked.id] and notices[0].status == ap.CANCELLED_BY_OFFICE
    store.mark_notice_queued(booked.id, NOW)
    assert store.due_notices(NOW) == []
    assert store.upcoming("u1", NOW) == []


# --- personal data -----------------------------------------------------------------------


def test_forget_and_retention(store: AppointmentStore, database: Database) -> None:
    a, b, c = publish(store, 3)
    store.book("u1", a, "web", "en", None, NOW)
    store.book("u1", b, "web", "en", None, NOW)
    other = store.book("u2", c, "web", "en", None, NOW)
    assert "appointments" in personal_data_stores(database)
    assert personal_data_stores(database)["appointments"].forget("u1") == 2
    assert store.upcoming("u1", NOW) == []
    assert len(store.free_slots("maribor", NOW, 10)) == 2  # their slots are free again
    assert store.purge_before(NOW) == 0
    assert store.purge_before(TOMORROW_9 + timedelta(days=1)) == 1
    assert store.get(other.id) is None
    with database.session() as session:
        assert session.execute(select(AppointmentRow)).first() is None


def test_cancelled_history_is_purged_by_when_it_was_cancelled(store: AppointmentStore) -> None:
    (slot,) = publish(store, 1, first=TOMORROW_9 + timedelta(days=30))
    booked = store.book("u1", slot, "web", "en", None, NOW)
    store.cancel("u1", booked.id, now=NOW)
    assert store.purge_before(NOW - timedelta(days=1)) == 0
    assert store.purge_before(NOW + timedelta(seconds=1)) == 1


# --- dates, calendar file, settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "long", "short"),
    [
        ("en", "Wednesday 2 December 2026 at 9:30", "Wed 2 Dec, 9:30"),
        ("sl", "sreda, 2. 12. 2026 ob 9.30", "sre., 2. 12., ob 9.30"),
        ("uk", "середа, 2 грудня 2026 р. о 9:30", "ср, 2 груд., 9:30"),
        ("ru", "среда, 2 декабря 2026 г. в 9:30", "ср, 2 дек., 9:30"),
        ("ar", "الأربعاء، 2 ديسمبر 2026، الساعة 9:30", "الأربعاء 2 ديسمبر، 9:30"),
        ("fa", "چهارشنبه ۲ دسامبر ۲۰۲۶، ساعت ۹:۳۰", "چهارشنبه ۲ دسامبر، ۹:۳۰"),
        ("ps", "Wednesday 2 December 2026 at 9:30", "Wed 2 Dec, 9:30"),
    ],
)
def test_dates_as_each_language_writes_them(lang: str, long: str, short: str) -> None:
    moment = datetime(2026, 12, 2, 8, 30, tzinfo=timezone.utc)  # 9:30 in Ljubljana (CET)
    assert ap.format_when(moment, lang) == long
    assert ap.format_when(moment, lang, short=True) == short


def test_summer_time_and_ukrainian_ob() -> None:
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)  # 11:00 CEST
    assert ap.format_when(summer, "en") == "Wednesday 1 July 2026 at 11:00"
    assert ap.format_when(summer, "uk").endswith("р. об 11:00")
    assert ap.language_name("ar", "sl") == "arabščina"
    assert ap.language_name("fa", "ru") == "персидский"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2026-03-29 02:30", "does not exist"),
        ("2026-10-25 02:30", "happens twice"),
        ("2.12.2026 9:30", "not a time like"),
    ],
)
def test_local_times_are_checked(raw: str, message: str) -> None:
    with pytest.raises(ap.CliError, match=message):
        ap.parse_local(raw)


def test_calendar_file_holds_time_and_place_only(store: AppointmentStore) -> None:
    (slot,) = publish(store)
    booked = store.book("person-secret-id", slot, "web", "ar", "ar", NOW)
    text = ap.calendar_file(
        booked, summary="موعد في مكتب التوظيف", location="Urad, Gregorčičeva ulica 37", note="x"
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:" + TOMORROW_9.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") in text
    assert "LOCATION:Urad\\, Gregorčičeva ulica 37" in text
    assert "person-secret-id" not in text and booked.token not in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


@pytest.mark.parametrize(("raw", "value"), [("", 2), ("3", 3), (" 1 ", 1)])
def test_max_future_setting(raw: str, value: int) -> None:
    assert from_env({"MAX_FUTURE_APPOINTMENTS": raw}).actions.max_future_appointments == value


@pytest.mark.parametrize("raw", ["0", "-1", "two", "50"])
def test_max_future_setting_refuses_nonsense(raw: str) -> None:
    with pytest.raises(SettingsError, match="MAX_FUTURE_APPOINTMENTS"):
        _ = from_env({"MAX_FUTURE_APPOINTMENTS": raw}).actions


def test_public_url_setting() -> None:
    assert from_env({}).actions.public_url == "http://127.0.0.1:8000"
    env = {"GATEWAY_HOST": "10.0.0.5", "GATEWAY_PORT": "8080"}
    assert from_env(env).actions.public_url == "http://10.0.0.5:8080"
    env = {"PUBLIC_URL": "https://assistant.ess.gov.si/"}
    assert from_env(env).actions.public_url == "https://assistant.ess.gov.si"
    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        _ = from_env({"PUBLIC_URL": "javascript:alert(1)"}).actions


# --- command line ---------------------------------------------------------------------------


def test_cli_adds_lists_and_deletes(
    store: AppointmentStore, capsys: pytest.CaptureFixture[str]
) -> None:
    day = (NOW + timedelta(days=3)).astimezone(TIMEZONE).date().isoformat()
    assert (
        appointments_cli.main(
            [
                "add-slots",
                "--office",
                "koper",
                "--counsellor",
                "Ana Novak",
                "--start",
                f"{day} 09:00",
                "--minutes",
                "30",
                "--every",
                "45",
                "--languages",
                "sl,en,ar",
                "--interpreter",
                "--repeat",
                "3",
            ]
        )
        == 0
    )
    assert "added 3 slot(s)" in capsys.readouterr().out
    slots = store.list_slots("koper")
    assert [local(s.starts_at).strftime("%H:%M") for s in slots] == ["09:00", "09:45", "10:30"]
    assert all(s.interpreter and s.languages == ("sl", "en", "ar") for s in slots)
    assert appointments_cli.main(["list", "--office", "koper", "--from", day, "--to", day]) == 0
    assert capsys.readouterr().out.count("koper") == 3
    store.book("u1", slots[0].id, "web", "en", None, NOW)
    assert appointments_cli.main(["delete", str(slots[0].id)]) == 2
    assert "--cancel-booking" in capsys.readouterr().err
    assert appointments_cli.main(["delete", str(slots[1].id)]) == 0
    assert len(store.list_slots("koper")) == 2


def _add(office: str, start: str, languages: str) -> list[str]:
    return ["add-slots", "--office", office, "--counsellor", "A", "--start", start,
            "--languages", languages]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (_add("bled", "2030-01-07 09:00", "sl"), "unknown office 'bled'"),
        (_add("koper", "tomorrow", "sl"), "is not a time like"),
        (_add("koper", "2030-01-07 09:00", "sl,xx"), "unknown: xx"),
        (_add("koper", "2020-01-07 09:00", "sl"), "in the past"),
        (["delete", "424242"], "there is no slot 424242"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    store: AppointmentStore, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert appointments_cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_seed_demo_only_when_empty_and_never_in_production(
    store: AppointmentStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    assert appointments_cli.main(["seed-demo"]) == 2
    assert "production" in capsys.readouterr().err
    assert store.list_slots() == []
    monkeypatch.setenv("APP_ENV", "development")
    assert appointments_cli.main(["seed-demo", "--days", "3"]) == 0
    assert "DEMO" in capsys.readouterr().out
    seeded = store.list_slots()
    assert seeded and {s.office for s in seeded} == set(appointments_cli._offices())
    assert all(s.counsellor.startswith("Demo") for s in seeded)
    assert appointments_cli.main(["seed-demo"]) == 0
    assert "not added" in capsys.readouterr().out
    assert len(store.list_slots()) == len(seeded)
