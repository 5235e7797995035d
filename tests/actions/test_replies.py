"""Replies people read on cheap phones: at most two messages, each in one language.

Every common question is answered in at most two messages.

Which actions answer a question comes from the rules (``data/rules/*.yml``): the
actions after the question's intent, and where one of them is a form, the
actions of the rule that ends that form (its last turn: the answer). Each action
runs on a tracker of that question (the helpers of the other action tests); a
response key (``utter_*``) is one message, a custom action as many as it sends.
The gateway's privacy notice on a first contact is counted too
(``bot/privacy.py``): any of these questions may be a person's first message,
except the end of a booking, which comes after the form's questions.

Every reply in a core language is wholly in it: no English day, month or language
name, wait or interpreter line, source title inside a Slovenian (Ukrainian, ...)
reply; and for a language without written replies, the Slovenian lines of the
English-and-Slovenian fallback are Slovenian too (``by_language``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel import Locale as BabelLocale
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions
import pes.db
from actions import handoff
from actions.appointments import shared
from actions.base import catalogue
from bot.conversation import Conversations, User
from bot.privacy import PrivacyHook
from bot.rasa_client import BotMessage
from language.languages import LANGUAGES as LANGUAGES_KNOWN
from pes.appointments import AppointmentStore
from pes.cases import CaseStore
from pes.db import Database
from pes.eligibility import default_rules
from pes.service_hours import service_hours
from tests.actions import snapshots
from tests.actions.test_appointments import DAY, NOW, USER, publish
from tests.actions.test_appointments import tracker as booking_tracker
from tests.standins.rasa_rest import FakeRasa

ROOT = Path(__file__).resolve().parents[2]
MAX_MESSAGES = 2


FREE = "<the free time>"  # the one time the test publishes, in slots and button entities


@dataclass(frozen=True)
class Question:
    """A common question: how it is asked, and the facts the conversation holds then.

    ``intent``: the answer is what the rules run for that intent. ``form``: the question
    was asked earlier and the form asked what it needed; the answer is the form's end."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    form: str | None = None
    snapshot: str | None = None  # a tracker of tests/actions/trackers, else a built one

    @property
    def first_contact(self) -> bool:
        """Whether this may be a person's first message (a form's end never is)."""
        return self.form is None


QUESTIONS = {
    "eligibility answer": Question(
        "affirm",
        slots={
            "protection_status": "refugee",
            "registered_unemployed": "no",
            "age": "17",
            "eligibility_topic": "all",
        },
        form="eligibility_form",
    ),
    "eligibility answer, a counsellor decides": Question(
        "inform",
        slots={"protection_status": "other", "eligibility_topic": "all"},
        form="eligibility_form",
        snapshot="eligibility_asylum_fa",
    ),
    "work rights, all facts in the first message": Question(
        "work_rights", slots={"protection_status": "refugee", "eligibility_topic": "work"}
    ),
    "work rights, after the date": Question(
        "inform",
        slots={"application_date": "2026-03-01"},
        form="eligibility_form",
        snapshot="eligibility_asylum_fa",
    ),
    "office info": Question("office_info", snapshot="office_info_maribor_fa"),
    "office info, which city": Question("office_info"),
    "programmes": Question("list_programmes"),
    "one programme": Question("programme_details", entities={"programme": "job_club"}),
    "registration": Question("register_unemployed"),
    "documents": Question("required_documents"),
    "urgent help": Question("urgent_help"),
    "booking confirmation": Question(
        "affirm",
        slots={
            "city": "maribor",
            "slot_id": FREE,
            "interpreter": "ps",
            "appointment_confirmed": "yes",
        },
        form="appointment_form",
    ),
    "booking confirmation, by its button": Question(
        "book_appointment", entities={"slot_id": FREE, "interpreter": "ps", "confirm": "yes"}
    ),
}
LANGUAGES = ("en", "sl", "fa", "ps")


# --- what the rules say answers a question ---------------------------------------------------

Step = tuple[str, Any]  # ("action", name), or ("slots", {name: value}) the rule expects set


def _rules() -> list[dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        found.extend(yaml.safe_load(path.read_text("utf-8")).get("rules") or [])
    return found


def _forms() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    return set(domain.get("forms") or {})


def _steps(steps: list[dict[str, Any]]) -> list[Step]:
    """A rule's steps after its intent, up to listening: actions and expected slots."""
    found: list[Step] = []
    for step in steps:
        if step.get("action") == "action_listen":
            break
        if "action" in step:
            name = str(step["action"])
            found.extend(form_end(name) if name in _forms() else [("action", name)])
        elif "slot_was_set" in step:
            expected: dict[str, Any] = {}
            for item in step["slot_was_set"]:
                expected.update(item if isinstance(item, dict) else {})
            found.append(("slots", expected))
    return found


def form_end(form: str) -> list[Step]:
    """What runs when ``form`` has everything: the rule that ends it, after the form."""
    for rule in _rules():
        steps = rule.get("steps") or []
        if {"active_loop": form} in (rule.get("condition") or []) and steps[:2] == [
            {"action": form},
            {"active_loop": None},
        ]:
            return _steps(steps[2:])
    raise AssertionError(f"no rule ends {form}")


def answers(question: Question) -> list[list[Step]]:
    """Each way the rules may answer the question: the steps of each matching rule."""
    if question.form:
        return [form_end(question.form)]
    found = [
        _steps(rule["steps"][1:])
        for rule in _rules()
        if not rule.get("condition")
        and (rule.get("steps") or [{}])[0] == {"intent": question.intent}
    ]
    assert found, f"no rule answers {question.intent}"
    return found


@functools.cache
def _registry() -> dict[str, type[Action]]:
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: dict[str, type[Action]] = {}
    todo = list(Action.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not getattr(cls, "__abstractmethods__", None) and cls.__module__.startswith("actions."):
            found[cls().name()] = cls
    return found


# --- running the answer ----------------------------------------------------------------------


@pytest.fixture
def free_time(
    appointment_store: AppointmentStore, database: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], str]]:
    """The action server's stores on the test's database; each call publishes a free time."""
    monkeypatch.setattr(shared, "_STORE", appointment_store)
    monkeypatch.setattr(shared, "now", lambda: NOW)
    monkeypatch.setattr(pes.db, "_DEFAULT", database)
    times = iter(range(20))

    def publish_one() -> str:
        first = DAY + dt.timedelta(hours=next(times))
        (slot,) = publish(appointment_store, first=first, interpreter=True)
        return str(slot)

    yield publish_one
    monkeypatch.setattr(pes.db, "_DEFAULT", None)


def question_tracker(question: Question, lang: str, free: str) -> Tracker:
    def filled(values: dict[str, Any]) -> dict[str, Any]:
        return {k: free if v == FREE else v for k, v in values.items()}

    slots = {"language": lang, **filled(question.slots)}
    entities = filled(question.entities)
    if question.snapshot:
        latest = {
            "intent": {"name": question.intent, "confidence": 1.0},
            **(
                {"entities": [{"entity": k, "value": v} for k, v in entities.items()]}
                if entities
                else {}
            ),
        }
        return snapshots.tracker(question.snapshot, slots=slots, **latest)
    return booking_tracker(
        intent=question.intent, entities=entities, slots=slots, lang=lang, sender=f"{USER}-{lang}"
    )


Ran = dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]


async def replies(steps: list[Step], t: Tracker, ran: Ran) -> list[BotMessage] | None:
    """The messages the steps send, as the gateway receives them; None when an action set
    a slot that takes the conversation down another rule. Each action runs once per
    turn (``ran``), as in Rasa: the rules that start alike share their first action."""
    registry = _registry()
    sent: list[BotMessage] = []
    set_by_actions: dict[str, Any] = {}
    for kind, value in steps:
        if kind == "slots":
            if any(k in set_by_actions and set_by_actions[k] != v for k, v in value.items()):
                return None
            continue
        if value.startswith("utter_"):
            sent.append(BotMessage(text=value, response=value))
            continue
        if value not in ran:
            dispatcher = CollectingDispatcher()
            events = await registry[value]().run(dispatcher, t, {})
            ran[value] = (dispatcher.messages, events)
        messages, events = ran[value]
        set_by_actions.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        sent.extend(BotMessage(text=str(m["response"]), response=m["response"]) for m in messages)
    return sent


class FirstContact:
    """Rasa's conversation store as the privacy hook reads it: a person's first message."""

    def first_contact(self, user_id: str) -> tuple[bool, str | None]:
        return True, None


@pytest.mark.parametrize("name", list(QUESTIONS))
async def test_a_common_question_gets_at_most_two_messages(
    name: str, free_time: Callable[[], str]
) -> None:
    question = QUESTIONS[name]
    for lang in LANGUAGES:
        counted = 0
        t = question_tracker(question, lang, free_time())
        ran: Ran = {}
        for steps in answers(question):
            sent = await replies(steps, t, ran)
            if sent is None:
                continue
            if question.first_contact:
                store = FirstContact()
                hook = PrivacyHook(Conversations(FakeRasa().client()), store, catalogue(), 90)  # type: ignore[arg-type]
                sent = await hook(User("web", t.sender_id, None, lang), sent)
            assert 0 < len(sent) <= MAX_MESSAGES, (name, lang, [m.response for m in sent])
            counted += 1
        assert counted, f"no rule answered {name} ({lang})"


def test_the_count_follows_the_rules() -> None:
    """Read as Rasa runs them: urgent help is two actions; a booking by its button is
    answered at once or by the form; a form's end is its answer."""
    assert answers(QUESTIONS["urgent help"]) == [
        [("action", "utter_urgent_help"), ("action", "action_open_case")]
    ]
    by_button = answers(QUESTIONS["booking confirmation, by its button"])
    assert [("action", "action_appointment_start"), ("slots", {"booking_started": False})] in (
        by_button
    )
    assert ("action", "action_book_appointment") in answers(QUESTIONS["booking confirmation"])[0]
    assert ("action", "action_eligibility_answer") in answers(
        QUESTIONS["work rights, all facts in the first message"]
    )[0]


# --- one language per reply ------------------------------------------------------------------


@functools.cache
def english_words() -> frozenset[str]:
    """Words only an English reply has: its day, month and language names, and the words
    of the English texts the actions put into replies (waits, interpreters, sources)."""
    cat = catalogue()
    english = BabelLocale.parse("en_GB")
    words = {
        *english.days["format"]["wide"].values(),
        *english.months["format"]["wide"].values(),
        *(english.languages[code] for code in LANGUAGES_KNOWN if code in english.languages),
    }
    texts = [
        cat.text("handoff.wait_minutes", "en", ahead=1, minutes=5),
        cat.text("appointments.interpreter", "en", language=""),
        cat.text("eligibility.name.work", "en"),
        cat.text("eligibility.status.asylum_seeker", "en"),
        *default_rules()["work"].source["en"].split(),
    ]
    for text in texts:
        words.update(re.findall(r"[A-Za-z]{4,}", text))
    # The laws' abbreviations (ZMZ-1, ZTuj-2) are in every language's title.
    return frozenset(words) - set(re.findall(r"[A-Za-z]{4,}", default_rules()["work"].source["sl"]))


def leaks(text: str, words: frozenset[str]) -> list[str]:
    return sorted(w for w in words if re.search(rf"\b{re.escape(w)}\b", text))


@pytest.fixture
def counsellors_at_work(monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    """Counsellors at work (a Wednesday morning) and someone already waiting."""
    moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=service_hours().zone)
    monkeypatch.setattr(handoff, "now", lambda: moment)
    CaseStore(database).open_case("web-someone-else", "web", "ar", "request_human", history=[])


async def every_reply(lang: str, free: str) -> list[dict[str, Any]]:
    """The replies whose words the actions fill in: answers, waits, bookings, sources."""
    registry = _registry()
    runs = [
        ("action_open_case", Question("request_human")),
        (
            "action_ask_appointment_confirmed",
            Question("affirm", slots={"slot_id": FREE, "interpreter": "ps", "city": "maribor"}),
        ),
        ("action_book_appointment", QUESTIONS["booking confirmation"]),
        ("action_eligibility_answer", QUESTIONS["work rights, after the date"]),
        ("action_eligibility_sources", QUESTIONS["work rights, after the date"]),
        ("action_eligibility_sources", QUESTIONS["eligibility answer"]),
        ("action_programme_details", QUESTIONS["one programme"]),
        ("action_office_info", QUESTIONS["office info"]),
    ]
    sent: list[dict[str, Any]] = []
    for name, question in runs:
        dispatcher = CollectingDispatcher()
        await registry[name]().run(dispatcher, question_tracker(question, lang, free), {})
        assert dispatcher.messages, name
        sent.extend(dispatcher.messages)
    return sent


def shown(message: dict[str, Any], lang: str) -> str:
    """The text as the NLG renders the message in ``lang``."""
    skip = ("text", "buttons", "elements", "custom", "template", "response", "image", "attachment")
    values = {k: v for k, v in message.items() if k not in skip}
    return str(catalogue().render(message["response"], lang, **values)["text"])


@pytest.mark.parametrize("lang", ["sl", "uk", "ru", "ar", "fa"])
async def test_core_language_replies_hold_no_english(
    lang: str, free_time: Callable[[], str], counsellors_at_work: None
) -> None:
    words = english_words()
    for message in await every_reply(lang, free_time()):
        assert not leaks(shown(message, lang), words), (message["response"], lang)


async def test_the_slovenian_lines_of_the_fallback_hold_no_english(
    free_time: Callable[[], str], counsellors_at_work: None
) -> None:
    """Pashto without machine translation: English and Slovenian, each wholly itself."""
    words = english_words()
    seen = set()
    for message in await every_reply("ps", free_time()):
        english, slovene = shown(message, "en"), shown(message, "sl")
        seen.update(leaks(english, words))
        assert not leaks(slovene, words), (message["response"], slovene)
    # The English lines do have them: the check sees what it looks for.
    assert {"People", "Interpreter", "Pashto"} <= seen
