"""Persian, Arabic and Kurmanji in Latin letters (Finglish, Arabizi), told apart by marker words.

People without a Persian or Arabic keyboard write ``khaili mamnoon, khoda hafez``
or ``bdi maw3ed ma3 el muwazzaf``. A general detector reads these as some Latin
language; here a small lexicon that PES staff edit
(``data/language/latin_markers.yml``) names the words that only Finglish or
Arabizi use. A message is Persian or Arabic when its marker words reach a
threshold, make up a share of its words, and one language leads the other;
otherwise the general detector decides as before. Arabizi's digits for the
letters Latin lacks (``ma3``, ``sa7``, ``su2al``) count as strong Arabic markers.
Kurmanji Kurdish is written in Latin letters anyway, often without its ê î û ç ş on
a phone; no general detector here knows it, so its words are markers too.

Words are compared whole, folded: lower case, no diacritics, doubled letters
written once (``mamnoon`` = ``mamnon``), so one entry covers those variants.
The rules and the figures are in docs/nlu.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from common import datafile
from common.datafile import ContentError, Node

MARKERS_FILE = Path(__file__).resolve().parent.parent / "data" / "language" / "latin_markers.yml"
LANGUAGES = ("fa", "ar", "ku")
_KINDS = ("strong", "weak")
_SETTINGS = {
    "threshold": 3.0,
    "lead": 2.0,
    "min_share": 0.25,
    "strong": 2.0,
    "weak": 1.0,
}
# A word: letters and digits, an apostrophe inside it (sho3'l: 3' is the letter ghain).
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ENTRY = re.compile(r"[a-z0-9']+")
_LATIN_LETTER = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_REPEATS = re.compile(r"(.)\1+")


def fold(word: str) -> str:
    """Lower case, without diacritics, each run of one letter written once."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _REPEATS.sub(r"\1", plain)


@dataclass(frozen=True)
class Markers:
    """The lexicon: marker words per language and kind, and the scoring settings."""

    words: dict[str, dict[str, str]]  # language -> folded word -> "strong" | "weak"
    arabizi_digits: str = "237"
    not_arabizi: frozenset[str] = field(default_factory=frozenset)
    threshold: float = _SETTINGS["threshold"]
    lead: float = _SETTINGS["lead"]
    min_share: float = _SETTINGS["min_share"]
    strong: float = _SETTINGS["strong"]
    weak: float = _SETTINGS["weak"]

    def arabizi(self, word: str) -> bool:
        """A word with Arabizi digits: between letters (``ma3a``, ``sa7i7``), or
        before or after two letters or more with a vowel among them (``3ayez``,
        ``sa7``, ``awra2``; not ``2nd``, ``7pm``, ``mp3``), unless listed in
        ``not_arabizi`` (``3am``, ``co2``)."""
        if word in self.not_arabizi:
            return False
        digits = re.escape(self.arabizi_digits)
        if re.search(f"[a-z][{digits}]+[a-z]", word):
            return True
        edge = re.fullmatch(f"[{digits}]+([a-z]{{2,}})|([a-z]{{2,}})[{digits}]+", word)
        return (
            edge is not None and re.search("[aeiouy]", edge.group(1) or edge.group(2)) is not None
        )


@dataclass(frozen=True)
class Verdict:
    """What the markers say about a message."""

    language: str | None
    confidence: float
    scores: dict[str, float]
    words: int


def mostly_latin(text: str) -> bool:
    """Written in Latin letters: some, and no Arabic, Cyrillic, Greek or Hebrew ones."""
    return bool(_LATIN_LETTER.search(text)) and not _OTHER_LETTER.search(text)


def judge(text: str, markers: Markers) -> Verdict:
    """Persian, Arabic, Kurmanji or none (``None``) for a message in Latin letters."""
    tokens = [fold(t) for t in _TOKEN.findall(text)]
    tokens = [t for t in tokens if not t.isdigit()]
    scores = dict.fromkeys(LANGUAGES, 0.0)
    hits = dict.fromkeys(LANGUAGES, 0)
    if not tokens or not mostly_latin(text):
        return Verdict(None, 0.0, scores, len(tokens))
    points = {"strong": markers.strong, "weak": markers.weak}
    for token in tokens:
        for lang in LANGUAGES:
            kind = markers.words.get(lang, {}).get(token)
            if kind is None and lang == "ar" and markers.arabizi(token):
                kind = "strong"
            if kind is not None:
                scores[lang] += points[kind]
                hits[lang] += 1
    best, other = sorted(LANGUAGES, key=lambda lang: scores[lang], reverse=True)[:2]
    lead = scores[best] - scores[other]
    if (
        scores[best] < markers.threshold
        or lead < markers.lead
        or hits[best] / len(tokens) < markers.min_share
    ):
        return Verdict(None, 0.0, scores, len(tokens))
    # 0.7 at the smallest lead that counts (reliable from three words on), 0.9
    # at a lead of two strong markers (reliable from two words on).
    confidence = min(0.95, 0.5 + 0.1 * lead)
    return Verdict(best, confidence, scores, len(tokens))


# ---------------------------------------------------------------------------
# Loading and checking the lexicon (an editor's mistakes name file and line)


def _number(node: Node, name: str, low: float, high: float) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise node.error(f"'{name}' must be a number from {low:g} to {high:g}")
    return float(value)


def _key_lines(node: Node) -> dict[str, int]:
    """The line of each key of a mapping (its value may start on the next line)."""
    pairs = node.node.value if isinstance(node.node, yaml.MappingNode) else []
    return {str(key.value): key.start_mark.line + 1 for key, _ in pairs}


def _words(node: Node, what: str) -> Iterable[tuple[str, Node]]:
    for item in node.items(what):
        raw = item.text(f"each word in {what}")
        word = fold(raw.strip())
        if " " in raw.strip():
            raise item.error(
                f"'{raw}' in {what}: one word per entry (write 'khoda hafez' as 'khoda' and 'hafez')"
            )
        if not _ENTRY.fullmatch(word) or len(word) < 2:
            raise item.error(f"'{raw}' in {what}: a word of two or more Latin letters or digits")
        yield word, item


def _settings(node: Node) -> tuple[dict[str, float], str]:
    numbers: dict[str, float] = {}
    digits = "237"
    for name, value in node.mapping("settings").items():
        if name == "arabizi_digits":
            digits = str(value.value)
            if not re.fullmatch(r"[0-9]{1,10}", digits):
                raise value.error("'arabizi_digits' must be digits, such as \"237\"")
        elif name in _SETTINGS:
            numbers[name] = _number(value, name, 0.0, 1.0 if name == "min_share" else 20.0)
        else:
            known = ", ".join([*_SETTINGS, "arabizi_digits"])
            raise value.error(f"unknown setting '{name}' (known: {known})")
    return numbers, digits


def _language(path: Path | str, lang: str, node: Node, never: dict[str, Node]) -> dict[str, str]:
    words: dict[str, str] = {}
    seen: dict[str, Node] = {}
    for kind, listing in node.mapping(f"languages: {lang}").items():
        if kind not in _KINDS:
            message = f"'{kind}' in {lang}: the lists are 'strong' and 'weak'"
            raise ContentError(path, _key_lines(node)[kind], message)
        for word, item in _words(listing, f"{lang} {kind}"):
            if word in never:
                raise item.error(
                    f"'{word}' is also an everyday word in a language we must not "
                    f"mistake for {lang} (see 'never', line {never[word].line})"
                )
            if word in seen:
                raise item.error(
                    f"'{word}' is listed twice for {lang} (first on line {seen[word].line}; "
                    "doubled letters and accents do not count)"
                )
            seen[word] = item
            words[word] = kind
    return words


def load(path: Path | str = MARKERS_FILE) -> Markers:
    """The lexicon in ``path``, checked; a ``ContentError`` names the file and line."""
    top = datafile.load(path)
    root = top.mapping("the Latin-script markers file")
    for name in root:
        if name not in ("settings", "languages", "never", "not_arabizi"):
            message = f"unknown section '{name}' (known: settings, languages, never, not_arabizi)"
            raise ContentError(path, _key_lines(top)[name], message)
    for required in ("languages", "never"):
        if required not in root:
            raise ContentError(path, 1, f"needs '{required}'")
    never: dict[str, Node] = {}
    for word, item in _words(root["never"], "never"):
        never.setdefault(word, item)
    numbers, digits = _settings(root["settings"]) if "settings" in root else ({}, "237")
    words: dict[str, dict[str, str]] = {}
    languages = root["languages"]
    for lang, node in languages.mapping("languages").items():
        if lang not in LANGUAGES:
            message = f"unknown language '{lang}' (known: {', '.join(LANGUAGES)})"
            raise ContentError(path, _key_lines(languages)[lang], message)
        words[lang] = _language(path, lang, node, never)
    not_arabizi: frozenset[str] = frozenset()
    if "not_arabizi" in root:
        not_arabizi = frozenset(word for word, _ in _words(root["not_arabizi"], "not_arabizi"))
    return Markers(words=words, arabizi_digits=digits, not_arabizi=not_arabizi, **numbers)


@cache
def default() -> Markers:
    """The project's lexicon, loaded once."""
    return load(MARKERS_FILE)
