"""The reply catalogue: every text the assistant sends, one YAML file per language.

``data/locales/<lang>.yml`` maps a key (``utter_greet``, ``programmes.card``) to a
text or to ``{text, buttons: [{title, payload}]}``. The catalogue checks on load
that every core language has every key of the fallback language, with the same
``{placeholders}`` and the same button payloads, and names file and line when
something is wrong.

A reply is one message. Besides its placeholders, ``render`` takes three
values an action may send with the key (the localising NLG passes them on):

- ``parts``: more keys folded into the same message, each text a paragraph
  after the first and each button after the first's (an answer and its next
  step are one message, not two);
- ``drop_buttons``: payloads of buttons to leave out (facts never asked);
- ``by_language``: ``{lang: {placeholder: value}}``, values written for one
  language that replace the others when the reply is rendered in it (the
  English-and-Slovenian fallback shows a reply in two languages, and each line
  must be wholly in its own).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import datafile
from common.datafile import ContentError
from language.languages import CORE, FALLBACK, is_rtl

OFFLINE = "offline."  # keys shown only in languages not understood offline (language/honest.py)
CONSOLE = "console."  # the counsellor console's own words: staff read them in STAFF_LANGUAGES
STAFF_LANGUAGES = ("sl", "en")
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "data" / "locales"
PARTS = "parts"
DROP_BUTTONS = "drop_buttons"
BY_LANGUAGE = "by_language"
RLM = "\u200f"  # right-to-left mark: starts each line of a right-to-left reply


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Entry:
    key: str
    text: str
    buttons: tuple[Button, ...]
    line: int
    placeholders: frozenset[str] = field(default=frozenset())


def placeholders_of(text: str) -> frozenset[str]:
    """The ``{names}`` a text expects; an error for positional or broken braces."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} must be a name such as {{city}}")
        names.add(name)
    return frozenset(names)


def _parse_entry(key: str, node: datafile.Node) -> Entry:
    if isinstance(node.value, str):
        text, buttons = node.text(f"'{key}'"), tuple[Button, ...]()
    else:
        fields = node.mapping(f"'{key}'")
        unknown = set(fields) - {"text", "buttons"}
        if unknown:
            raise node.error(f"'{key}' has unknown field(s) {sorted(unknown)}; use text, buttons")
        if "text" not in fields:
            raise node.error(f"'{key}' needs a text")
        text = fields["text"].text(f"'{key}' text")
        parsed = []
        for item in fields["buttons"].items(f"'{key}' buttons") if "buttons" in fields else ():
            parts = item.mapping("a button")
            if set(parts) != {"title", "payload"}:
                raise item.error(f"each button of '{key}' needs exactly a title and a payload")
            parsed.append(
                Button(parts["title"].text("button title"), parts["payload"].text("payload"))
            )
        buttons = tuple(parsed)
    try:
        names = placeholders_of(text)
    except ValueError as exc:
        raise node.error(f"'{key}': {exc}") from None
    return Entry(key, text, buttons, node.line, names)


def load_locale(path: Path) -> dict[str, Entry]:
    """Read one language file."""
    root = datafile.load(path)
    return {key: _parse_entry(key, node) for key, node in root.mapping("a locale file").items()}


class MissingReply(KeyError):
    """A key that no language has."""


@dataclass
class Catalogue:
    """All replies in all languages that have a file."""

    locales: dict[str, dict[str, Entry]]
    directory: Path

    @classmethod
    def load(cls, directory: Path | str = DEFAULT_LOCALES_DIR) -> Catalogue:
        directory = Path(directory)
        locales = {p.stem: load_locale(p) for p in sorted(directory.glob("*.yml"))}
        catalogue = cls(locales, directory)
        catalogue.check()
        return catalogue

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.locales)

    def check(self) -> None:
        """Every core language present, with the fallback's keys, placeholders, payloads
        (but for ``offline.*``: lines only the languages not understood offline show; and
        ``console.*``: the console's words, in the staff languages only)."""
        if FALLBACK not in self.locales:
            raise ContentError(self.directory / f"{FALLBACK}.yml", None, "file not found")
        reference = self.locales[FALLBACK]
        for lang in CORE:
            path = self.directory / f"{lang}.yml"
            if lang not in self.locales:
                raise ContentError(path, None, "file not found: every core language needs one")
            entries = self.locales[lang]
            missing = [
                key
                for key in reference
                if key not in entries
                and not key.startswith(OFFLINE)
                and (lang in STAFF_LANGUAGES or not key.startswith(CONSOLE))
            ]
            if missing:
                raise ContentError(path, None, f"missing key(s): {', '.join(missing)}")
        for lang, entries in self.locales.items():
            path = self.directory / f"{lang}.yml"
            for key, entry in entries.items():
                ref = reference.get(key)
                if ref is None:
                    raise ContentError(path, entry.line, f"'{key}' is not in {FALLBACK}.yml")
                if entry.placeholders != ref.placeholders:
                    raise ContentError(
                        path,
                        entry.line,
                        f"'{key}' has placeholders {sorted(entry.placeholders)}, "
                        f"{FALLBACK}.yml has {sorted(ref.placeholders)}",
                    )
                payloads = [b.payload for b in entry.buttons]
                if payloads != [b.payload for b in ref.buttons]:
                    raise ContentError(
                        path,
                        entry.line,
                        f"'{key}' buttons must have the payloads of {FALLBACK}.yml",
                    )

    def has(self, key: str) -> bool:
        return key in self.locales[FALLBACK]

    def has_own(self, lang: str, key: str) -> bool:
        """Whether ``lang`` has its own text for ``key`` (not the English fallback)."""
        return key in self.locales.get(lang, {})

    def entry(self, key: str, lang: str) -> Entry:
        entries = self.locales.get(lang) or self.locales[FALLBACK]
        found = entries.get(key) or self.locales[FALLBACK].get(key)
        if found is None:
            raise MissingReply(key)
        return found

    def text(self, key: str, lang: str, **values: Any) -> str:
        """The text of ``key`` in ``lang`` with placeholders filled (no direction marks)."""
        return _fill(self.entry(key, lang), values)

    def render(self, key: str, lang: str, **values: Any) -> dict[str, Any]:
        """A Rasa bot message for ``key`` in ``lang``: text (and buttons), with the
        ``parts`` folded in, the ``drop_buttons`` left out and ``by_language[lang]``'s
        values taking the place of the others."""
        parts: Sequence[str] = values.pop(PARTS, None) or ()
        dropped = set(values.pop(DROP_BUTTONS, None) or ())
        own: Mapping[str, Mapping[str, Any]] = values.pop(BY_LANGUAGE, None) or {}
        values.update(own.get(lang, {}))
        entries = [self.entry(k, lang) for k in (key, *parts)]
        text = "\n\n".join(_fill(entry, values) for entry in entries)
        message: dict[str, Any] = {"text": mark_direction(text, lang)}
        buttons = [
            {"title": mark_direction(b.title, lang), "payload": b.payload}
            for entry in entries
            for b in entry.buttons
            if b.payload not in dropped
        ]
        if buttons:
            message["buttons"] = buttons
        return message

    def placeholders(self, key: str, **values: Any) -> frozenset[str]:
        """The placeholders of ``key`` and of the ``parts`` folded into it."""
        names: frozenset[str] = frozenset()
        for k in (key, *(values.get(PARTS) or ())):
            names |= self.entry(k, FALLBACK).placeholders
        return names


def _fill(entry: Entry, values: Mapping[str, Any]) -> str:
    missing = entry.placeholders - set(values)
    if missing:
        raise KeyError(f"reply '{entry.key}' needs {sorted(missing)}")
    return entry.text.format_map({name: values[name] for name in entry.placeholders})


def join(items: list[str], lang: str, *, strong: bool = False) -> str:
    """A list as the language writes it: ", " or "; " (Arabic script: "، " or "؛ ")."""
    arabic_script = lang in ("ar", "fa", "ur", "ps", "ckb")
    if strong:
        return ("؛ " if arabic_script else "; ").join(items)
    return ("، " if arabic_script else ", ").join(items)


def mark_direction(text: str, lang: str | None) -> str:
    """Start every line of a right-to-left text with an RLM so every client lays it out RTL."""
    if not is_rtl(lang):
        return text
    return "\n".join(
        RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n")
    )


def text_direction(text: str | None) -> str:
    """``rtl`` or ``ltr`` from the first strongly directional character of ``text``."""
    import unicodedata

    for ch in text or "":
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL") or ch == RLM:
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"
