"""The phrasebook and the translation previews on a case page (the routes are in ``cases.py``).

A counsellor finds a phrase by Slovenian or English words, fills in one input per
placeholder (a date picker for ``{date}``, the offices for ``{office}``...) and sees,
before sending, exactly what the person will read: for a core language the phrase
as people wrote it in that language, for another the English phrase machine
translated (``Handoff.compose_phrase``). Everything works without JavaScript (the
search is a GET of the case page, preview and send are form posts);
``static/phrasebook.js`` only makes the search and the preview live.

Values are what a counsellor types into a form: they are checked by the phrasebook
(``Phrasebook.problems``) and shown back next to their input, never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.handoff import BackTranslation, Composed, Handoff
from language.languages import LANGUAGES, is_core, is_rtl
from pes.appointments.wording import language_name
from pes.cases import Case
from pes.phrasebook import Phrasebook, PhraseNotFound, RenderError

PREFIX = "v_"  # a placeholder's input is named v_<placeholder>: v_date, v_office
MAX_VALUE = 1000  # characters of one value (a list of documents is the longest)


@dataclass(frozen=True)
class Field:
    """One input of the phrase form."""

    name: str  # the placeholder
    kind: str  # its type: date, time, office, programme, language, documents
    value: str
    error: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for a select


@dataclass(frozen=True)
class Preview:
    """What the person will read, and the counsellor's own version of it."""

    sent: str
    own: str
    language: str
    dir: str  # "rtl" or "ltr"
    machine: bool
    human: bool  # written by people in the person's language (no machine at all)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "sent": self.sent,
            "own": self.own,
            "lang": self.language,
            "dir": self.dir,
            "machine": self.machine,
            "human": self.human,
        }


@dataclass(frozen=True)
class Panel:
    """The phrasebook part of a case page."""

    query: str = ""
    hits: list[dict[str, Any]] = field(default_factory=list)
    phrase: dict[str, str] | None = None  # id, title, text in the counsellor's language
    fields: list[Field] = field(default_factory=list)
    preview: Preview | None = None
    failed: bool = False  # a value was wrong: nothing was sent
    back: BackTranslation | None = None  # a free-text reply's back-translation preview
    draft: str = ""  # the free text it was for


def search(book: Phrasebook, query: str, lang: str) -> list[dict[str, Any]]:
    """Hits for ``query`` (Slovenian or English words), in the counsellor's ``lang``."""
    lang = lang if is_core(lang) else "sl"
    return [
        {"id": hit.id, "title": hit.title, "text": hit.text, "needs": book.needs(hit.id)}
        for hit in book.search(query[:200], lang)
    ]


def values_of(form: Mapping[str, Any], book: Phrasebook, phrase_id: str) -> dict[str, str]:
    """The posted values of the phrase's placeholders (``v_<name>``), trimmed."""
    return {
        name: str(form.get(PREFIX + name, "")).strip()[:MAX_VALUE] for name in book.needs(phrase_id)
    }


def _options(book: Phrasebook, kind: str, lang: str) -> tuple[tuple[str, str], ...]:
    if kind == "office":
        return tuple((oid, office.name) for oid, office in book.content.offices.items())
    if kind == "programme":
        return tuple(
            (pid, book.catalogue.text(f"programme.{pid}.name", lang))
            for pid in book.content.programmes
        )
    if kind == "language":
        return tuple((code, language_name(code, lang)) for code in LANGUAGES)
    return ()


def fields(
    book: Phrasebook, phrase_id: str, lang: str, values: Mapping[str, str], bad: set[str]
) -> list[Field]:
    return [
        Field(name, kind, values.get(name, ""), name in bad, _options(book, kind, lang))
        for name, kind in book.needs(phrase_id).items()
    ]


def phrase_view(book: Phrasebook, phrase_id: str, lang: str) -> dict[str, str] | None:
    try:
        phrase = book.phrase(phrase_id)
    except PhraseNotFound:
        return None
    lang = lang if is_core(lang) else "sl"
    return {"id": phrase.id, "title": phrase.titles[lang], "text": phrase.texts[lang]}


async def preview(
    handoff: Handoff, case: Case, phrase_id: str, values: Mapping[str, str], lang: str
) -> Preview | dict[str, str]:
    """The phrase as the person will read it, or the problems by placeholder."""
    problems = handoff.phrasebook.problems(phrase_id, values)
    if problems:
        return problems
    try:
        composed: Composed = await handoff.compose_phrase(case, phrase_id, values, lang)
    except RenderError as exc:  # problems() found none: a check it does not know of
        return {"": str(exc)}
    language = case.language
    human = is_core(language)
    return Preview(
        sent=composed.sent,
        own=composed.own,
        language=language if (human or composed.machine) else "en",
        dir="rtl" if is_rtl(language) and (human or composed.machine) else "ltr",
        machine=composed.machine,
        human=human,
    )


async def panel(
    handoff: Handoff,
    case: Case,
    lang: str,
    query: str = "",
    phrase_id: str = "",
    values: Mapping[str, str] | None = None,
    *,
    show_preview: bool = False,
) -> Panel:
    """The phrasebook part of a case page: the search, the chosen phrase's form and,
    when asked for (or a value was wrong), its preview or the fields to fix."""
    book = handoff.phrasebook
    hits = search(book, query, lang) if query.strip() else []
    phrase = phrase_view(book, phrase_id, lang) if phrase_id else None
    if phrase is None:
        return Panel(query, hits)
    given = dict(values or {})
    shown: Preview | None = None
    bad: set[str] = set()
    if show_preview:
        result = await preview(handoff, case, phrase["id"], given, lang)
        if isinstance(result, Preview):
            shown = result
        else:
            bad = set(result)
    return Panel(
        query,
        hits,
        phrase,
        fields(book, phrase["id"], lang, given, bad),
        shown,
        failed=bool(bad),
    )
