"""The counsellors' phrasebook: replies written by people in every core language.

Counsellors often cannot write the person's language. ``data/phrasebook/<lang>.yml``
holds about forty replies they really send, written natively in en, sl, uk, ru, ar
and fa under fixed ids. A counsellor finds one in Slovenian or English (``search``),
fills in its typed values (``placeholders``) and sends it in the person's language
(``render``). docs/phrasebook.md is the guide.

The schema is ``PLACEHOLDER_TYPES``: a placeholder's name is its type.

- ``date``: a ``datetime.date`` or ISO text ``2026-03-02``, written per language
- ``time``: a ``datetime.time`` or text ``9:30`` / ``9.30`` (Ljubljana time)
- ``office``: an office id of data/content/offices.yml (``ljubljana``)
- ``address``: never given; the address of the text's ``office``
- ``programme``: a programme id of data/content/programmes.yml (``job_club``)
- ``language``: a language code of language/languages.py (``ar``)
- ``documents``: a list of texts (or one text, an item per line)

Loading refuses, naming file and line: a missing core file, a phrase missing from
a language or not in English, placeholders that differ from the English text's,
an unknown placeholder, ``{address}`` without ``{office}``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

from babel.dates import format_date, format_time

from common import datafile
from common.datafile import ContentError
from common.text import fold_letters
from language.catalogue import Catalogue, mark_direction, placeholders_of
from language.languages import CORE, FALLBACK, LANGUAGES, WORKING, normalise_code
from pes import content as pes_content
from pes.appointments.wording import babel_locale, language_name, native_digits

PHRASEBOOK_DIR = Path(__file__).resolve().parent.parent / "data" / "phrasebook"

PlaceholderType = Literal["date", "time", "office", "address", "programme", "language", "documents"]
PLACEHOLDER_TYPES: dict[str, PlaceholderType] = {
    "date": "date",
    "time": "time",
    "office": "office",
    "address": "address",
    "programme": "programme",
    "language": "language",
    "documents": "documents",
}
DERIVED = {"address": "office"}  # filled from another placeholder's value, never given
MAX_TEXT = 500  # characters: a phrase is read on a phone

_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_WORD = re.compile(r"\w+")

# Dates as each language writes them inside a sentence ("on {date}", "roku {date}").
_DATE = {
    "en": "EEEE d MMMM y",  # Wednesday 2 December 2026
    "sl": "d. M. y (EEEE)",  # 2. 12. 2026 (sreda)
    "uk": "d MMMM y 'р.' (EEEE)",  # 2 грудня 2026 р. (середа)
    "ru": "d MMMM y 'г.' (EEEE)",  # 2 декабря 2026 г. (среда)
    "ar": "EEEE d MMMM y",  # الأربعاء 2 ديسمبر 2026
    "fa": "EEEE d MMMM y",  # چهارشنبه ۲ دسامبر ۲۰۲۶
}
_TIME = {"sl": "H.mm"}  # others: H:mm
_BULLET = "• "
_Bad = Callable[[str], "RenderError"]  # makes the error for a value of the wrong type


class PhraseNotFound(KeyError):
    """No phrase has that id."""


class RenderError(ValueError):
    """A value for a phrase is missing, extra or of the wrong type."""


@dataclass(frozen=True)
class Phrase:
    id: str
    titles: dict[str, str]  # language -> title
    texts: dict[str, str]  # language -> text with {placeholders}
    placeholders: tuple[str, ...]  # in the order of the English text


@dataclass(frozen=True)
class Hit:
    """A search result: the phrase, its title and text in the counsellor's language."""

    id: str
    title: str
    text: str
    score: int


def fold(text: str) -> str:
    """Lower case without accents or letter variants: "Čakajte" -> "cakajte"."""
    decomposed = unicodedata.normalize("NFKD", fold_letters(text.casefold()))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def _ordered_placeholders(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in re.findall(r"\{([^{}]*)\}", text):
        seen.setdefault(name, None)
    return tuple(seen)


def _parse_text(node: datafile.Node, what: str) -> str:
    text = node.text(what)
    try:
        names = placeholders_of(text)
    except ValueError as exc:
        raise node.error(f"{what}: {exc}") from None
    unknown = sorted(names - set(PLACEHOLDER_TYPES))
    if unknown:
        raise node.error(
            f"{what} has unknown placeholder(s) {unknown}; use {sorted(PLACEHOLDER_TYPES)}"
        )
    for derived, source in DERIVED.items():
        if derived in names and source not in names:
            raise node.error(f"{what}: {{{derived}}} needs {{{source}}} in the same text")
    if len(text) > MAX_TEXT:
        raise node.error(f"{what} is {len(text)} characters long; keep it under {MAX_TEXT}")
    return text


@dataclass(frozen=True)
class _Entry:
    title: str
    text: str
    line: int  # where the phrase starts
    text_line: int


def load_file(path: Path) -> dict[str, _Entry]:
    """One language file: ``phrases: {id: {title, text}}``, checked entry by entry."""
    root = datafile.load(path).mapping("a phrasebook file")
    unknown = set(root) - {"phrases"}
    if unknown:
        first = min(unknown, key=lambda key: root[key].line)
        raise root[first].error(f"unknown top-level key '{first}'; a file has only 'phrases'")
    if "phrases" not in root:
        raise ContentError(path, 1, "needs a 'phrases' mapping")
    entries: dict[str, _Entry] = {}
    titles: dict[str, str] = {}
    phrases = root["phrases"].mapping("phrases")
    # A phrase's errors point at its id's line (the value starts on the next one).
    id_lines = {key.value: key.start_mark.line + 1 for key, _ in root["phrases"].node.value}
    for pid, node in phrases.items():
        line = id_lines[pid]
        if not _ID.match(pid):
            raise ContentError(path, line, f"phrase id '{pid}' must be snake_case, like bring_cv")
        fields = node.mapping(f"phrase '{pid}'")
        extra = sorted(set(fields) - {"title", "text"})
        if extra:
            raise fields[extra[0]].error(
                f"phrase '{pid}' has unknown field(s) {extra}; use title, text"
            )
        for required in ("title", "text"):
            if required not in fields:
                raise ContentError(path, line, f"phrase '{pid}' needs a {required}")
        title = fields["title"].text(f"'{pid}' title").strip()
        if fold(title) in titles:
            raise fields["title"].error(
                f"'{pid}' has the same title as '{titles[fold(title)]}'; titles must differ"
            )
        titles[fold(title)] = pid
        text = _parse_text(fields["text"], f"'{pid}' text")
        entries[pid] = _Entry(title, text, line, fields["text"].line)
    if not entries:
        raise root["phrases"].error("needs at least one phrase")
    return entries


def check(directory: Path, files: Mapping[str, dict[str, _Entry]]) -> None:
    """Every core language has every English phrase, no other, with its placeholders."""
    reference = files[FALLBACK]
    order = list(reference)
    for lang in CORE:
        path = directory / f"{lang}.yml"
        entries = files[lang]
        for pid, entry in entries.items():
            if pid not in reference:
                raise ContentError(path, entry.line, f"'{pid}' is not in {FALLBACK}.yml")
            want = placeholders_of(reference[pid].text)
            have = placeholders_of(entry.text)
            if have != want:
                diff = [
                    f"{verb} {', '.join(f'{{{n}}}' for n in sorted(names))}"
                    for verb, names in (("lacks", want - have), ("adds", have - want))
                    if names
                ]
                problem = f"'{pid}' text {'; '.join(diff)} (compare {FALLBACK}.yml)"
                raise ContentError(path, entry.text_line, problem)
        for index, pid in enumerate(order):
            if pid in entries:
                continue
            after = next((p for p in order[index + 1 :] if p in entries), None)
            line = entries[after].line if after else max(e.line for e in entries.values())
            where = f"before '{after}'" if after else "at the end"
            raise ContentError(path, line, f"phrase '{pid}' is missing (add it {where})")


class Phrasebook:
    """All phrases in all core languages, with the content that fills their values."""

    def __init__(
        self,
        phrases: dict[str, Phrase],
        content: pes_content.Content,
        catalogue: Catalogue,
    ) -> None:
        self.phrases = phrases
        self.content = content
        self.catalogue = catalogue

    @classmethod
    def load(
        cls,
        directory: Path | str = PHRASEBOOK_DIR,
        *,
        content: pes_content.Content | None = None,
        catalogue: Catalogue | None = None,
    ) -> Phrasebook:
        """Read and check ``<directory>/<lang>.yml`` for every core language."""
        directory = Path(directory)
        files = {lang: load_file(directory / f"{lang}.yml") for lang in CORE}
        check(directory, files)
        phrases = {
            pid: Phrase(
                id=pid,
                titles={lang: files[lang][pid].title for lang in CORE},
                texts={lang: files[lang][pid].text for lang in CORE},
                placeholders=_ordered_placeholders(entry.text),
            )
            for pid, entry in files[FALLBACK].items()
        }
        return cls(
            phrases,
            content if content is not None else pes_content.default(),
            catalogue if catalogue is not None else Catalogue.load(),
        )

    def phrase(self, phrase_id: str) -> Phrase:
        try:
            return self.phrases[phrase_id]
        except KeyError:
            raise PhraseNotFound(f"no phrase '{phrase_id}' in the phrasebook") from None

    def placeholders(self, phrase_id: str) -> dict[str, PlaceholderType]:
        """The phrase's placeholders and their types, in the order of the English text.

        ``address`` is listed (it appears in the text) but is filled from ``office``."""
        return {name: PLACEHOLDER_TYPES[name] for name in self.phrase(phrase_id).placeholders}

    def needs(self, phrase_id: str) -> dict[str, PlaceholderType]:
        """The values ``render`` asks for: the placeholders less the derived ones."""
        return {k: v for k, v in self.placeholders(phrase_id).items() if k not in DERIVED}

    def search(self, query: str, lang: str = WORKING, *, limit: int = 10) -> list[Hit]:
        """Phrases whose id, English or ``lang`` title or text has every word of ``query``.

        Accents and case do not matter ("cakajte" finds "počakajte"); a query word
        matches a part of a word ("termin" finds "termina"). Title hits rank first,
        and a word's start ranks above its middle."""
        if lang not in CORE:
            raise ValueError(f"search in a core language {CORE}, not '{lang}'")
        words = [fold(w) for w in _WORD.findall(query)]
        if not words:
            return []
        hits = []
        for phrase in self.phrases.values():
            titles = _words(
                phrase.id.replace("_", " "), phrase.titles[lang], phrase.titles[FALLBACK]
            )
            texts = _words(phrase.texts[lang], phrase.texts[FALLBACK])
            score = 0
            for word in words:
                points = _match(word, titles, 3) or _match(word, texts, 1)
                if not points:
                    break
                score += points
            else:
                hits.append(Hit(phrase.id, phrase.titles[lang], phrase.texts[lang], score))
        hits.sort(key=lambda hit: -hit.score)  # stable: file order among equals
        return hits[:limit]

    def render(self, phrase_id: str, lang: str, values: Mapping[str, object] | None = None) -> str:
        """The phrase in ``lang`` with every value written as ``lang`` writes it.

        Right-to-left texts get a direction mark on each line (``mark_direction``).
        Raises ``RenderError`` for a missing, extra or ill-typed value."""
        phrase = self.phrase(phrase_id)
        if lang not in CORE:
            raise RenderError(f"'{lang}' is not a core language; use one of {CORE}")
        values = dict(values or {})
        needs = self.needs(phrase_id)
        for name in DERIVED:
            if name in values:
                source = DERIVED[name]
                raise RenderError(f"{phrase_id}: do not give '{name}'; it comes from '{source}'")
        missing = [name for name in needs if name not in values]
        if missing:
            raise RenderError(f"{phrase_id}: missing value(s) for {', '.join(missing)}")
        extra = sorted(set(values) - set(needs))
        if extra:
            raise RenderError(f"{phrase_id} has no placeholder(s) {', '.join(extra)}")
        filled: dict[str, str] = {}
        for name, kind in self.placeholders(phrase_id).items():
            if name in DERIVED:
                continue
            filled.update(self._value(phrase_id, name, kind, values[name], lang))
        return mark_direction(phrase.texts[lang].format_map(filled), lang)

    def problems(self, phrase_id: str, values: Mapping[str, object]) -> dict[str, str]:
        """What is wrong with each value ``render`` would need, by placeholder: a missing
        or ill-typed one (``{}`` when ``render`` would accept them). The console shows
        these next to the inputs, so a counsellor learns which field to fix."""
        found: dict[str, str] = {}
        for name, kind in self.needs(phrase_id).items():
            raw = values.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                found[name] = f"{phrase_id}: missing value for {name}"
                continue
            try:
                self._value(phrase_id, name, kind, raw, FALLBACK)
            except RenderError as exc:
                found[name] = str(exc)
        return found

    # --- values, one type at a time ----------------------------------------------------------

    def _value(
        self, phrase_id: str, name: str, kind: PlaceholderType, raw: object, lang: str
    ) -> dict[str, str]:
        def bad(expected: str) -> RenderError:
            return RenderError(f"{phrase_id}: {{{name}}} must be {expected}, not {raw!r}")

        if kind == "date":
            return {
                name: native_digits(
                    format_date(_as_date(raw, bad), _DATE[lang], locale=babel_locale(lang)), lang
                )
            }
        if kind == "time":
            pattern = _TIME.get(lang, "H:mm")
            return {
                name: native_digits(
                    format_time(_as_time(raw, bad), pattern, locale=babel_locale(lang)), lang
                )
            }
        if kind == "office":
            office = self.content.offices.get(raw) if isinstance(raw, str) else None
            if office is None:
                raise bad(f"an office id ({', '.join(self.content.offices)})")
            city = office.city_name(lang)
            shown = office.name if fold(city) in fold(office.name) else f"{office.name} ({city})"
            return {name: shown, "address": office.address}
        if kind == "programme":
            if not isinstance(raw, str) or raw not in self.content.programmes:
                raise bad(f"a programme id ({', '.join(self.content.programmes)})")
            return {name: self.catalogue.text(f"programme.{raw}.name", lang)}
        if kind == "language":
            code = normalise_code(raw)
            if code is None:
                raise bad(f"a language code ({', '.join(LANGUAGES)})")
            return {name: language_name(code, lang)}
        if kind == "documents":
            return {name: "\n".join(_BULLET + item for item in _as_items(raw, bad))}
        raise AssertionError(kind)  # pragma: no cover - PLACEHOLDER_TYPES is closed


def _match(word: str, words: set[str], weight: int) -> int:
    """``weight`` * 2 if ``word`` starts a word, ``weight`` if it is inside one, else 0."""
    if any(w.startswith(word) for w in words):
        return 2 * weight
    return weight if any(word in w for w in words) else 0


def _words(*texts: str) -> set[str]:
    return {w for text in texts for w in _WORD.findall(fold(text))}


def _as_date(raw: object, bad: _Bad) -> date:
    if isinstance(raw, datetime):
        raise bad("a date without a time (the time goes in {time})")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise bad("a date such as 2026-03-02")


def _as_time(raw: object, bad: _Bad) -> time:
    if isinstance(raw, time):
        return raw
    match = _CLOCK.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise bad("a time such as 9:30")
    return time(int(match.group(1)), int(match.group(2)))


def _as_items(raw: object, bad: _Bad) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, Sequence) or not all(isinstance(item, str) for item in raw):
        raise bad("a list of texts")
    items = [item.strip().removeprefix(_BULLET.strip()).strip() for item in raw]
    items = [item for item in items if item]
    if not items:
        raise bad("a list with at least one document")
    return items
