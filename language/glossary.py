"""Names and terms that machine translation must carry over exactly, in every language.

An MT engine turns "Upravna enota" into "Administrative unit" and back into something
no office is called, and "international protection" into "international defence". The
glossary (``data/content/glossary/<lang>.yml``, written by people: docs/glossary.md)
gives each such term one exact form per language. :meth:`Glossary.mask` swaps every
term it finds in the source text for a marker; after the engine has translated the
rest, :meth:`Glossary.restore` writes each term's form in the *target* language where
its marker stands.

Markers are numbers in square brackets, ``[4]``: the style ``translation.protect``
already relies on, because engines keep a bracketed number where they are known to
translate a bracketed letter (``[T0]`` may come back as Cyrillic ``[Т0]``) and a tag
needs each provider's tag mode. A mask numbers its markers after the highest one in
the text, so it runs *after* ``protect`` (links, numbers and placeholders are already
markers and never matched inside), and restore runs before ``protect``'s restore.
Restore also reads a marker written with spaces or Arabic-Indic digits (``[ ٤ ]``).

Terms are found case- and diacritic-insensitively (``zascito`` is ``zaščito``),
Arabic-script letter variants and ZWNJ folded (``common.text.normalise``), whole words
only in every script, the longest first ("prosilec za mednarodno zaščito" before
"mednarodno zaščito"). Inflected forms count when the file lists them under ``also``.
Short abbreviations (three capitals or fewer: PIC, UE, MNZ) match only in capitals, so
"send a pic" stays a sentence. In Arabic one or two one-letter proclitics (و ف ب ل ك)
before a term stay outside the marker: "والحماية الدولية", "وبالوحدة الإدارية".

A term comes back in its form's grammatical case (usually the nominative); the words
around it are the engine's. A language without a glossary file (the extended
languages, unless someone writes one) masks nothing and gets the English forms back.

Offices need no entry: each office of ``data/content/offices.yml`` is a term whose
form is its Slovenian name, plus the city in the reader's script where that differs
("Urad za delo Novo mesto (Ново Место)"), as the phrasebook writes it. A programme's
form is its name in the reply catalogue (``programme.<id>.name``), so the glossary and
the catalogue cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from common import datafile
from common.datafile import ContentError, Node
from common.text import normalise
from language.catalogue import Catalogue
from language.languages import CORE, FALLBACK, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DIR = ROOT / "data" / "content" / "glossary"
OFFICES_FILE = ROOT / "data" / "content" / "offices.yml"
FIELDS = ("form", "also", "programme")
SHORT_CAPS = 3  # abbreviations this short match only in capitals
_PROCLITICS = {"ar": "وفبلك"}
_MARKER = re.compile(r"\[\s*([0-9\u0660-\u0669\u06f0-\u06f9]+)\s*\]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SENTENCE_END = ".!?؟\n"


@dataclass(frozen=True)
class Term:
    """One name or term: its exact form per language, and the other ways people write it."""

    id: str
    forms: Mapping[str, str]  # language -> the form a reader of that language sees
    also: Mapping[str, tuple[str, ...]]  # language -> other spellings found in text

    def form(self, lang: str) -> str:
        """The form in ``lang``; English where ``lang`` has no glossary."""
        return self.forms.get(lang) or self.forms[FALLBACK]


@dataclass(frozen=True)
class Masked:
    """A text with its terms replaced: ``terms[i]`` stands at marker ``[first + i]``."""

    text: str
    terms: tuple[Term, ...]
    first: int


def _key(form: str) -> str:
    """A form as it is compared: normalised, one space between words."""
    return " ".join(normalise(form)[0].split())


def _caps_only(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return 0 < len(letters) <= SHORT_CAPS and all(ch.isupper() for ch in letters)


class _Matcher:
    """One language's forms as a single regular expression, longest first."""

    def __init__(self, lang: str, terms: Sequence[Term]) -> None:
        self.by_key: dict[str, tuple[Term, bool]] = {}
        for term in terms:
            for form in (term.forms[lang], *term.also.get(lang, ())):
                self.by_key.setdefault(_key(form), (term, _caps_only(form)))
        alternatives = sorted(self.by_key, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, k.split())) for k in alternatives)
        before = r"(?<!\w)"
        if lang in _PROCLITICS:
            one = f"[{_PROCLITICS[lang]}]"  # "و", and "وب" in "وبالوحدة"
            before = rf"(?:(?<!\w)|(?<=(?<!\w){one})|(?<=(?<!\w){one}{one}))"
        self.regex = re.compile(rf"{before}(?:{body})(?!\w)") if alternatives else None

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """(start, end, term) in ``text``, left to right, not overlapping."""
        if self.regex is None:
            return []
        folded, index = normalise(text)
        found = []
        for match in self.regex.finditer(folded):
            term, caps = self.by_key[" ".join(match.group().split())]
            start, end = index[match.start()], index[match.end() - 1] + 1
            while end < len(text) and unicodedata.category(text[end]) == "Mn":
                end += 1
            if caps and any(ch.islower() for ch in text[start:end]):
                continue
            found.append((start, end, term))
        return found


class Glossary:
    """The terms of every language that has a glossary file."""

    def __init__(self, terms: Sequence[Term], languages: Sequence[str]) -> None:
        self.terms = {term.id: term for term in terms}
        self.languages = tuple(languages)
        self._matchers = {lang: _Matcher(lang, terms) for lang in self.languages}

    @classmethod
    def load(
        cls,
        directory: Path | str = GLOSSARY_DIR,
        *,
        catalogue: Catalogue | None = None,
        offices: Path | str = OFFICES_FILE,
    ) -> Glossary:
        """Read and check every file; a mistake raises ContentError with file and line."""
        offices_found = _office_terms(Path(offices))
        terms, languages = _read(Path(directory), catalogue or Catalogue.load(), offices_found)
        return cls([*terms, *(term for term, _ in offices_found)], languages)

    def mask(self, text: str, source_lang: str) -> Masked:
        """``text`` with each term found replaced by a marker numbered after any marker
        already in it (``protect``'s), and the terms in marker order."""
        matcher = self._matchers.get(source_lang)
        numbers = [int(n.translate(_DIGITS)) for n in _MARKER.findall(text)]
        first = max(numbers) + 1 if numbers else 0
        found = matcher.find(text) if matcher else []
        pieces, end = [], 0
        for i, (start, stop, _) in enumerate(found):
            pieces += [text[end:start], f"[{first + i}]"]
            end = stop
        pieces.append(text[end:])
        return Masked("".join(pieces), tuple(t for _, _, t in found), first)

    def restore(self, text: str, masked: Masked, target_lang: str) -> str | None:
        """Each marker of ``masked`` replaced by its term's form in ``target_lang``
        (capitalised at a sentence's start); None when the engine lost a marker."""
        wanted = {masked.first + i: term for i, term in enumerate(masked.terms)}
        seen: set[int] = set()

        def put(match: re.Match[str]) -> str:
            number = int(match.group(1).translate(_DIGITS))
            term = wanted.get(number)
            if term is None:
                return match.group()  # another layer's marker
            seen.add(number)
            form = term.form(target_lang)
            before = match.string[: match.start()].rstrip(" \t")
            if not before or before[-1] in _SENTENCE_END:
                form = form[:1].upper() + form[1:]
            return form

        result = _MARKER.sub(put, text)
        return result if len(seen) == len(wanted) else None


def _office_terms(path: Path) -> list[tuple[Term, Node]]:
    """Each office as a term: its Slovenian name, and the city in the reader's script
    where the name does not already contain it (as the phrasebook writes an office)."""
    out = []
    for item, fields in datafile.entries(path, "offices", "office", ("city", "name", "names")):
        name = fields["name"].text("an office's name")
        cities = {
            k: v.text(f"the city's name in {k}")
            for k, v in fields["names"].mapping("names").items()
        }
        forms = {}
        for lang in LANGUAGES:
            city = cities.get(lang) or cities.get("sl", "")
            forms[lang] = name if _key(city) in _key(name) else f"{name} ({city})"
        also = {lang: (name,) for lang in LANGUAGES if forms[lang] != name}
        term_id = f"office_{fields['city'].text('city')}"
        out.append((Term(term_id, forms, also), item))
    return out


# --- reading and checking the files ---------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One term as one file gives it, with the lines of its forms."""

    line: int
    programme: str | None
    forms: tuple[tuple[str, int], ...]  # the form first, then each 'also'


def _read(
    directory: Path, catalogue: Catalogue, offices: list[tuple[Term, Node]]
) -> tuple[list[Term], list[str]]:
    """The terms of every file, checked against en.yml and each other."""
    files = {p.stem: p for p in sorted(directory.glob("*.yml"))}
    for lang in CORE:
        if lang not in files:
            raise ContentError(
                directory / f"{lang}.yml",
                None,
                "file not found: every core language needs a glossary with the ids of en.yml",
            )
    for lang, path in files.items():
        if lang not in LANGUAGES:
            raise ContentError(path, None, f"'{lang}' is not a language the assistant knows")
    reference = _read_file(files[FALLBACK], FALLBACK, catalogue, None)
    entries = {FALLBACK: reference}
    for lang, path in files.items():
        if lang != FALLBACK:
            entries[lang] = _read_file(path, lang, catalogue, reference)
    terms = [
        Term(
            term_id,
            {lang: got[term_id].forms[0][0] for lang, got in entries.items()},
            {lang: tuple(f for f, _ in got[term_id].forms[1:]) for lang, got in entries.items()},
        )
        for term_id in reference
    ]
    for lang, got in entries.items():
        _check_unambiguous(files[lang], lang, got, offices)
    return terms, list(entries)


def _read_file(
    path: Path, lang: str, catalogue: Catalogue, reference: dict[str, _Entry] | None
) -> dict[str, _Entry]:
    root = datafile.load(path).mapping("a glossary file")
    for key, node in root.items():
        if key != "terms":
            raise node.error(f"unknown heading '{key}': a glossary file has only 'terms'")
    if "terms" not in root:
        raise ContentError(path, 1, "needs a 'terms' mapping")
    out: dict[str, _Entry] = {}
    terms = root["terms"]
    at_id = {key.value: key.start_mark.line + 1 for key, _ in terms.node.value}
    for term_id, value in terms.mapping("terms").items():
        node = replace(value, line=at_id[term_id])  # errors about a term name its id's line
        datafile.check_id(
            node, term_id, label="term", entry="term", example="upravna_enota", seen=out
        )
        if reference is not None and term_id not in reference:
            raise node.error(f"'{term_id}' is not in en.yml: add it there first")
        out[term_id] = _read_term(node, term_id, lang, catalogue)
        ref = reference[term_id] if reference is not None else None
        if ref is not None and ref.programme != out[term_id].programme:
            wanted = f"programme: {ref.programme}" if ref.programme else "a form"
            raise node.error(f"'{term_id}' must have {wanted}, as in en.yml")
    if reference is not None:
        missing = [t for t in reference if t not in out]
        if missing:
            raise ContentError(path, 1, f"missing term(s) of en.yml: {', '.join(missing)}")
    return out


def _read_term(node: Node, term_id: str, lang: str, catalogue: Catalogue) -> _Entry:
    fields = node.mapping(f"term '{term_id}'")
    for name, child in fields.items():
        if name not in FIELDS:
            raise child.error(f"'{name}' is not one of {', '.join(FIELDS)} (term '{term_id}')")
    if ("form" in fields) == ("programme" in fields):
        raise node.error(f"term '{term_id}' needs either 'form' or 'programme'")
    also = [
        (_text(item, f"an 'also' of '{term_id}'"), item.line)
        for item in (fields["also"].items(f"also of '{term_id}'") if "also" in fields else [])
    ]
    if "form" in fields:
        form = _text(fields["form"], f"the form of '{term_id}'")
        return _Entry(node.line, None, ((form, fields["form"].line), *also))
    programme = _text(fields["programme"], f"the programme of '{term_id}'")
    key = f"programme.{programme}.name"
    if not catalogue.has(key):
        raise fields["programme"].error(
            f"programme '{programme}' has no name in the reply catalogue ({key})"
        )
    return _Entry(node.line, programme, ((catalogue.text(key, lang), node.line), *also))


def _text(node: Node, what: str) -> str:
    if isinstance(node.value, bool):
        raise node.error(f"{what} reads as true/false in YAML: put it in double quotes")
    text = node.text(what)
    if not any(ch.isalnum() for ch in text):
        raise node.error(f"{what} has no letters")
    return text


def _check_unambiguous(
    path: Path, lang: str, entries: dict[str, _Entry], offices: list[tuple[Term, Node]]
) -> None:
    """No form of one language names two terms (nor appears twice in one)."""
    seen: dict[str, tuple[str, str]] = {}  # key -> (term id, where)
    for term, node in offices:
        for form in (term.forms[lang], *term.also.get(lang, ())):
            seen[_key(form)] = (term.id, f"{node.path}:{node.line}")
    for term_id, entry in entries.items():
        for form, line in entry.forms:
            owner = seen.get(_key(form))
            if owner is None:
                seen[_key(form)] = (term_id, f"line {line}")
            elif owner[0] == term_id:
                raise ContentError(path, line, f"'{form}' is listed twice for '{term_id}'")
            else:
                raise ContentError(
                    path,
                    line,
                    f"'{form}' is also a form of '{owner[0]}' ({owner[1]}): "
                    "a form must name one term",
                )


@cache
def default() -> Glossary:
    """The glossary of ``data/content/glossary`` (read once per process)."""
    return Glossary.load()
