"""Typed answers inside the forms: what both forms' checks share (language/answers.py reads).

- :func:`text` is the latest message as typed; a button's payload is not text.
- :func:`earlier_texts` are the person's earlier messages of this session, newest
  first: "I told you" means one of them holds the answer.
- :func:`missed` counts answers not understood in a row at one question and, at the
  second, offers a counsellor with the question (``handoff.offer_in_form``):
  the README promises a person after two misunderstandings, inside forms too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import session_events
from language.answers import Answers, answers

MISSES_SLOT = "answer_misses"
OFFER = "handoff.offer_in_form"
T = TypeVar("T")


def reader() -> Answers:
    return answers()


def text(tracker: Tracker) -> str:
    """The latest message as the person typed it ("" for a button's payload)."""
    raw = tracker.latest_message.get("text") or ""
    return "" if not isinstance(raw, str) or raw.startswith("/") else raw


def requested(tracker: Tracker) -> str | None:
    value = tracker.get_slot("requested_slot")
    return str(value) if value else None


def given_now(tracker: Tracker, slots: tuple[str, ...]) -> list[str]:
    """Those of ``slots`` that this message filled (read by a form's ``extract_`` method).

    A form's required slots are computed again after the extraction; a slot filled now
    must stay in them, or rasa-sdk validates and returns nothing for it."""
    filled = tracker.slots_to_validate()
    return [s for s in slots if filled.get(s) is not None]


def earlier_texts(tracker: Tracker) -> list[str]:
    """The person's typed messages of this session before the latest, newest first."""
    session = session_events(tracker)
    texts = [
        str(e.get("text"))
        for e in session
        if e.get("event") == "user" and isinstance(e.get("text"), str)
    ]
    return [t for t in reversed(texts[:-1]) if t and not t.startswith("/")]


def recall(tracker: Tracker, read: Callable[[str], T | None]) -> T | None:
    """What ``read`` finds in the person's earlier messages (the newest that has it)."""
    for earlier in earlier_texts(tracker):
        found = read(earlier)
        if found is not None:
            return found
    return None


def already_said(tracker: Tracker, read: Callable[[str], T | None]) -> T | None:
    """For "I told you" (or the answer itself in the message): the answer, or None."""
    typed = text(tracker)
    found = read(typed) if typed else None
    if found is not None:
        return found
    if typed and reader().says(typed, "already_said"):
        return recall(tracker, read)
    return None


def missed(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    response: str | None = None,
    **values: Any,
) -> dict[str, Any]:
    """One more answer at ``slot`` not understood: ``response`` (the question's "not
    understood") the first time, a counsellor offered instead from the second in a row."""
    count = _count(tracker, slot) + 1
    if count >= 2:
        dispatcher.utter_message(response=OFFER)
    elif response:
        dispatcher.utter_message(response=response, **values)
    return {MISSES_SLOT: f"{slot}:{count}"}


def understood() -> dict[str, Any]:
    return {MISSES_SLOT: None}


def _count(tracker: Tracker, slot: str) -> int:
    value = tracker.get_slot(MISSES_SLOT)
    if not isinstance(value, str) or ":" not in value:
        return 0
    name, _, count = value.rpartition(":")
    return int(count) if name == slot and count.isdigit() else 0
