"""Counsellor cases: the durable queue of conversations handed off to a person.

A case is opened by the action server when someone asks for a person, needs
urgent help, or accepts the assistant's offer of a counsellor (after two
fallbacks in a row, the same question twice, or an eligibility answer that a
counsellor must decide). While a case is open the gateway hands the person's
messages to the case instead of to Rasa (``bot/handoff.py``); the counsellor
answers in the console (``bot/console/``) and closing the case hands the
conversation back to the assistant.

One person has at most one open case: a second handoff adds its reason and
raises the priority of the open one (``open_user`` is unique and set only
while the case is open, so two processes cannot open two cases at once).

- ``model.py``: states, reasons, outcomes, priorities and the values returned;
- ``tables.py``: ``cases``, ``case_messages`` (both directions, original and
  translation), ``case_notes`` (private to counsellors), ``case_audit`` (who did
  what to which case; staff names and case numbers only, no personal data of
  the person);
- ``reading.py``: :class:`CaseReader`, the queries;
- ``store.py``: :class:`CaseStore`, the queries and every change.

The console's own accounts and sessions are in ``pes/accounts.py``.
"""

from __future__ import annotations

from pes.cases.model import (
    ANSWERED,
    BOT,
    CLAIMED,
    CLOSED,
    COUNSELLOR,
    HIGH,
    HIGH_PRIORITY_REASONS,
    NORMAL,
    OPEN_STATES,
    OUTCOMES,
    REASONS,
    STATES,
    SYSTEM,
    USER,
    WAITING,
    AuditEntry,
    Case,
    CaseError,
    CaseMessage,
    HistoryItem,
    Note,
    priority_of,
)
from pes.cases.reading import CaseReader
from pes.cases.store import CaseStore

__all__ = [
    "ANSWERED",
    "BOT",
    "CLAIMED",
    "CLOSED",
    "COUNSELLOR",
    "HIGH",
    "HIGH_PRIORITY_REASONS",
    "NORMAL",
    "OPEN_STATES",
    "OUTCOMES",
    "REASONS",
    "STATES",
    "SYSTEM",
    "USER",
    "WAITING",
    "AuditEntry",
    "Case",
    "CaseError",
    "CaseMessage",
    "CaseReader",
    "CaseStore",
    "HistoryItem",
    "Note",
    "priority_of",
]
