"""Typed answers to the assistant's own questions, in every core language and dialect.

At a form's question people do not press the button; they write "لا ما بدي مترجم",
"still waiting for the decision", "я ж казав, що зареєстрований" or "anything on
Wednesday afternoon?". The intent classifier reads such a message as a request for a
person, a new booking or nothing at all. :class:`Answers` reads it as what it is: an
answer to the question asked.

The words are product content in ``data/answers/<lang>.yml`` (one file per core
language, each written as its speakers write, dialects and typos included), checked on
load with file and line. A message is compared word by word after
:func:`common.text.normalise` (no case, no diacritics, one form of each Arabic-script
letter, ZWNJ as a space), so ``nisem prijavljena`` matches ``nisem prijavljena`` and
``نمی‌خواهم`` matches ``نمی خواهم``. A phrase written without its spaces
(``نمیخواهم``) matches too, and an attached Arabic ``و``/``ف`` ("and") is ignored.

Every file is read for every conversation: people mix languages, and a Ukrainian
writing surzhyk uses Russian words. The longest phrase found wins over a shorter one
inside it ("not registered" over "registered", "no interpreter" over "no").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from common.datafile import ContentError, Node, load
from common.text import normalise

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "data" / "answers"
LANGS = ("en", "sl", "uk", "ru", "ar", "fa")

FLAT = (
    "yes",
    "no",
    "no_interpreter",
    "dont_know",
    "already_said",
    "person",
    "registered",
    "not_registered",
    "next_week",
    "appointment",
)
STATUSES = ("refugee", "subsidiary_protection", "temporary_protection", "asylum_seeker")
PARTS = ("morning", "afternoon")
DAYS = ("today", "tomorrow", "day_after_tomorrow")
WEEKDAYS = 5  # Monday to Friday: offices are closed at the weekend
CATEGORIES = (
    *FLAT,
    *(f"status.{s}" for s in STATUSES),
    *(f"part.{p}" for p in PARTS),
    *(f"day.{d}" for d in DAYS),
    *(f"weekday.{i}" for i in range(WEEKDAYS)),
)
_WORD = re.compile(r"[\w']+", re.UNICODE)
_PREFIXES = ("و", "ف")

Phrase = tuple[str, ...]


def words(text: str) -> list[str]:
    """The message's words, normalised as the data files are."""
    return _WORD.findall(normalise(text)[0])


@dataclass(frozen=True)
class Found:
    """Where a phrase of a category stands in a message: first word and length in words."""

    category: str
    start: int
    length: int


@dataclass(frozen=True)
class When:
    """A day or part of a day asked for while booking ("Wednesday afternoon")."""

    weekday: int | None = None  # 0 = Monday
    days_ahead: int | None = None  # 0 today, 1 tomorrow, 2 the day after
    part: str | None = None  # "morning" or "afternoon"
    next_week: bool = False

    def encode(self) -> str:
        """As the ``appointment_when`` slot keeps it: ``weekday=2;part=afternoon``."""
        fields = {
            "weekday": self.weekday,
            "days_ahead": self.days_ahead,
            "part": self.part,
            "next_week": "yes" if self.next_week else None,
        }
        return ";".join(f"{k}={v}" for k, v in fields.items() if v is not None)

    @classmethod
    def decode(cls, value: object) -> When | None:
        if not isinstance(value, str) or "=" not in value:
            return None
        fields = dict(part.split("=", 1) for part in value.split(";") if "=" in part)
        try:
            return cls(
                weekday=int(fields["weekday"]) if "weekday" in fields else None,
                days_ahead=int(fields["days_ahead"]) if "days_ahead" in fields else None,
                part=fields.get("part") if fields.get("part") in PARTS else None,
                next_week=fields.get("next_week") == "yes",
            )
        except ValueError:
            return None


class Answers:
    """The answer words of every core language, and the readers built on them."""

    def __init__(self, phrases: dict[str, list[Phrase]]) -> None:
        self.phrases = {c: sorted(set(p), key=len, reverse=True) for c, p in phrases.items()}

    @classmethod
    def load(cls, folder: Path = FOLDER) -> Answers:
        """Every core language's file, together."""
        phrases: dict[str, list[Phrase]] = {c: [] for c in CATEGORIES}
        for lang in LANGS:
            for category, found in _read(folder / f"{lang}.yml").items():
                phrases[category].extend(found)
        return cls(phrases)

    @classmethod
    def load_one(cls, path: Path) -> Answers:
        """One language's file (checks and tests)."""
        return cls(_read(path))

    # --- finding phrases -----------------------------------------------------------

    def find(self, text: str, category: str) -> Found | None:
        """The longest phrase of ``category`` in ``text`` (the first of equals)."""
        return _find(words(text), category, self.phrases.get(category, []))

    def says(self, text: str, category: str) -> bool:
        return self.find(text, category) is not None

    def _best(self, text: str, categories: tuple[str, ...]) -> Found | None:
        tokens = words(text)
        found = [f for c in categories if (f := _find(tokens, c, self.phrases[c]))]
        if not found:
            return None
        longest = max(f.length for f in found)
        best = [f for f in found if f.length == longest]
        return best[0] if len({f.category for f in best}) == 1 else None

    # --- readers for the questions ------------------------------------------------

    def yes_no(self, text: str) -> str | None:
        """ "yes", "no" or None (neither, or both as long as each other)."""
        best = self._best(text, ("yes", "no"))
        return best.category if best else None

    def reply(self, text: str) -> str | None:
        """A yes or no answer to the assistant's question; a "no" that asks for a person
        ("no, I want to talk to a person") is not one: the person must reach a person."""
        answer = self.yes_no(text)
        return None if answer == "no" and self.says(text, "person") else answer

    def status(self, text: str) -> str | None:
        """A protection status said in words ("I applied for asylum": asylum_seeker)."""
        best = self._best(text, tuple(f"status.{s}" for s in STATUSES))
        return best.category.removeprefix("status.") if best else None

    def registration(self, text: str) -> str | None:
        """ "yes" (registered) or "no" when the message says so in words, else None."""
        best = self._best(text, ("registered", "not_registered"))
        return None if best is None else "yes" if best.category == "registered" else "no"

    def registered(self, text: str) -> str | None:
        """The answer to "are you registered?": in words, or a bare yes or no."""
        return self.registration(text) or self.yes_no(text)

    def interpreter(self, text: str) -> str | None:
        """ "none" for no interpreter, "yes", or None; a request for a person is not a no."""
        if self.says(text, "no_interpreter"):
            return "none"
        return {"no": "none", "yes": "yes"}.get(self.reply(text) or "")

    def when(self, text: str) -> When | None:
        """The day or part of a day asked for, or None."""
        tokens = words(text)

        def first(categories: tuple[str, ...]) -> str | None:
            found = [f for c in categories if (f := _find(tokens, c, self.phrases[c]))]
            return max(found, key=lambda f: f.length).category if found else None

        weekday = first(tuple(f"weekday.{i}" for i in range(WEEKDAYS)))
        day = first(tuple(f"day.{d}" for d in DAYS))
        part = first(tuple(f"part.{p}" for p in PARTS))
        later = _find(tokens, "next_week", self.phrases["next_week"]) is not None
        if not (weekday or day or part or later):
            return None
        return When(
            weekday=int(weekday.split(".")[1]) if weekday else None,
            days_ahead=DAYS.index(day.split(".")[1]) if day else None,
            part=part.split(".")[1] if part else None,
            next_week=later,
        )


def _find(tokens: list[str], category: str, phrases: list[Phrase]) -> Found | None:
    """The longest of ``phrases`` (sorted longest first) in ``tokens``."""
    bare = [t[1:] if len(t) > 3 and t.startswith(_PREFIXES) else t for t in tokens]
    for phrase in phrases:
        n = len(phrase)
        joined = "".join(phrase)
        for i in range(len(tokens)):
            if tuple(tokens[i : i + n]) == phrase or tuple(bare[i : i + n]) == phrase:
                return Found(category, i, n)
            if n > 1 and (tokens[i] == joined or bare[i] == joined):
                return Found(category, i, n)
    return None


def _phrases(node: Node, what: str) -> list[Phrase]:
    out = []
    for item in node.items(what):
        text = item.text(f"an entry of {what}") if not isinstance(item.value, bool) else ""
        if not text:
            raise item.error(f"an entry of {what} must be a text (quote yes/no words)")
        phrase = tuple(words(text))
        if not phrase:
            raise item.error(f"'{text}' in {what} has no letters")
        out.append(phrase)
    return out


def _read(path: Path) -> dict[str, list[Phrase]]:
    """One language's file; every error names the file and line."""
    root = load(path).mapping("an answers file")
    out: dict[str, list[Phrase]] = {}
    groups = {"status": STATUSES, "parts": PARTS, "days": DAYS}
    for key, node in root.items():
        if key in FLAT:
            out[key] = _phrases(node, key)
        elif key in groups:
            prefix = {"parts": "part", "days": "day"}.get(key, key)
            fields = node.mapping(key)
            for name, child in fields.items():
                if name not in groups[key]:
                    raise child.error(f"'{name}' is not one of {', '.join(groups[key])}")
                out[f"{prefix}.{name}"] = _phrases(child, f"{key}.{name}")
        elif key == "weekdays":
            days = list(node.items("weekdays"))
            if len(days) != WEEKDAYS:
                raise node.error("weekdays must list Monday to Friday: five lists")
            for i, day in enumerate(days):
                out[f"weekday.{i}"] = _phrases(day, f"weekdays ({i + 1})")
        else:
            raise ContentError(path, node.line, f"unknown heading '{key}'")
    missing = [c for c in CATEGORIES if c not in out]
    if missing:
        raise ContentError(path, 1, f"missing: {', '.join(missing)}")
    return out


@cache
def answers() -> Answers:
    """The answers of ``data/answers`` (read once per process)."""
    return Answers.load()
