"""Appointments with counsellors: published slots, bookings, reminders (docs/appointments.md).

Office staff publish **slots** (office, counsellor, start, length, the languages
the counsellor speaks, whether an interpreter can come) from the console or with
``python -m pes.appointments``. A person **books** a slot in the conversation;
the booking is an ``appointments`` row that holds the slot.

Correctness under concurrency rests on the database:

- ``appointments.slot_id`` is UNIQUE: two bookings can never hold one slot. A
  cancelled or moved booking lets go of its slot (``slot_id`` becomes NULL) and
  stays as history until retention purges it.
- Every write that checks before it changes (the per-person limit, "is the slot
  still free?") runs in one transaction that is serialised where it matters: on
  SQLite with ``BEGIN IMMEDIATE`` (one writer at a time), on PostgreSQL with a
  transaction-scoped advisory lock per person and ``SELECT ... FOR UPDATE`` on
  the slot. The unique constraint stays the last line of defence.

Times are stored in UTC and shown in Europe/Ljubljana, written the way each core
language writes dates (``format_when``). Nothing here logs user ids.

The package, one job a module: ``model`` (values, statuses, the per-person limit),
``errors``, ``tables``, ``rows`` (row steps the transactions share), ``store``,
``wording`` (dates, cards and messages in each language), ``calendar`` (.ics) and
``cli``. The conversation's half is ``actions/appointments.py``; the gateway's
(reminders, calendar links) ``bot/appointments.py``; the console's
``bot/console/appointments.py``; the texts ``data/locales/<lang>.yml`` (``appointments.*``).
"""

from __future__ import annotations

from pes.appointments.calendar import calendar_file
from pes.appointments.cli import CliError, parse_local
from pes.appointments.errors import (
    AlreadyBooked,
    AlreadyCancelled,
    AppointmentError,
    AppointmentInPast,
    AppointmentNotFound,
    InvalidSlot,
    SlotBooked,
    SlotConflict,
    SlotGone,
    SlotInPast,
    SlotTaken,
    TooManyAppointments,
)
from pes.appointments.model import (
    BOOKED,
    CANCELLED,
    CANCELLED_BY_OFFICE,
    DEFAULT_MAX_FUTURE,
    MIN_NOTICE,
    MOVED,
    NO_INTERPRETER,
    REMINDER_BEFORE,
    REMINDER_CHANNELS,
    REMINDER_QUIET,
    Appointment,
    Slot,
    wants_interpreter,
)
from pes.appointments.rows import notice_key, reminder_key
from pes.appointments.store import AppointmentStore
from pes.appointments.tables import AppointmentRow, SlotRow
from pes.appointments.wording import (
    OfficeInfo,
    appointment_card,
    card,
    format_when,
    interpreter_text,
    language_name,
    manage_buttons,
    office_cancelled_message,
    reminder_message,
)

__all__ = [
    "BOOKED",
    "CANCELLED",
    "CANCELLED_BY_OFFICE",
    "DEFAULT_MAX_FUTURE",
    "MIN_NOTICE",
    "MOVED",
    "NO_INTERPRETER",
    "REMINDER_BEFORE",
    "REMINDER_CHANNELS",
    "REMINDER_QUIET",
    "AlreadyBooked",
    "AlreadyCancelled",
    "Appointment",
    "AppointmentError",
    "AppointmentInPast",
    "AppointmentNotFound",
    "AppointmentRow",
    "AppointmentStore",
    "CliError",
    "InvalidSlot",
    "OfficeInfo",
    "Slot",
    "SlotBooked",
    "SlotConflict",
    "SlotGone",
    "SlotInPast",
    "SlotRow",
    "SlotTaken",
    "TooManyAppointments",
    "appointment_card",
    "calendar_file",
    "card",
    "format_when",
    "interpreter_text",
    "language_name",
    "manage_buttons",
    "notice_key",
    "office_cancelled_message",
    "parse_local",
    "reminder_key",
    "reminder_message",
    "wants_interpreter",
]
