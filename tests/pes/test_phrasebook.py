from __future__ import annotations

import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest

from common.datafile import ContentError
from language.catalogue import RLM, Catalogue, placeholders_of
from language.languages import CORE
from pes import content
from pes.phrasebook import (
    PHRASEBOOK_DIR,
    PLACEHOLDER_TYPES,
    Phrasebook,
    PhraseNotFound,
    RenderError,
    fold,
)
from tests.conftest import replace_once


@pytest.fixture(scope="module")
def book() -> Phrasebook:
    return Phrasebook.load()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    for lang in CORE:
        shutil.copy(PHRASEBOOK_DIR / f"{lang}.yml", tmp_path / f"{lang}.yml")
    return tmp_path


def _load(directory: Path, catalogue: Catalogue) -> Phrasebook:
    return Phrasebook.load(directory, content=content.default(), catalogue=catalogue)


def _line_of(path: Path, needle: str) -> int:
    text = path.read_text("utf-8")
    return text[: text.index(needle)].count("\n") + 1


# --- the shipped files ------------------------------------------------------------------------


def test_shipped_phrasebook_loads_with_about_forty_phrases(book: Phrasebook) -> None:
    assert 35 <= len(book.phrases) <= 50
    assert "wait_ministry_decision" in book.phrases


def test_every_core_language_has_every_phrase_with_the_same_placeholders(
    book: Phrasebook,
) -> None:
    for phrase in book.phrases.values():
        assert set(phrase.texts) == set(CORE) == set(phrase.titles)
        english = placeholders_of(phrase.texts["en"])
        for lang in CORE:
            assert placeholders_of(phrase.texts[lang]) == english, (phrase.id, lang)
            assert phrase.titles[lang].strip(), (phrase.id, lang)
        assert english <= set(PLACEHOLDER_TYPES)


def test_texts_are_really_translated(book: Phrasebook) -> None:
    """No language file is a copy of another (a sign of an untranslated file)."""
    for phrase in book.phrases.values():
        texts = [phrase.texts[lang] for lang in CORE]
        assert len(set(texts)) == len(CORE), phrase.id


def test_placeholders_have_types(book: Phrasebook) -> None:
    assert book.placeholders("appointment_details") == {
        "date": "date",
        "time": "time",
        "office": "office",
        "address": "address",
    }
    assert book.needs("appointment_details") == {"date": "date", "time": "time", "office": "office"}
    assert book.placeholders("bring_cv") == {}
    with pytest.raises(PhraseNotFound):
        book.placeholders("no_such_phrase")


# --- broken files name file and line ----------------------------------------------------------


def test_missing_phrase_names_file_and_line(book_dir: Path, catalogue: Catalogue) -> None:
    path = book_dir / "uk.yml"
    text = path.read_text("utf-8")
    start = text.index("  bring_cv:\n")
    end = text.index("  job_interview:\n")
    path.write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("uk.yml")
    assert err.value.line == _line_of(path, "  job_interview:")
    assert "bring_cv" in str(err.value) and "missing" in str(err.value)


def test_extra_phrase_names_file_and_line(book_dir: Path, catalogue: Catalogue) -> None:
    line = replace_once(book_dir / "ru.yml", "  bring_cv:\n", "  bring_cv_too:\n")
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("ru.yml") and err.value.line == line
    assert "bring_cv_too" in str(err.value)


def test_missing_placeholder_names_file_and_line(book_dir: Path, catalogue: Catalogue) -> None:
    path = book_dir / "fa.yml"
    line = _line_of(path, "وقت ملاقات شما با مشاور:\\nروز {date}، ساعت {time}")
    replace_once(path, "روز {date}، ساعت {time}\\n{office}", "روز {date}\\n{office}")
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("fa.yml") and err.value.line == line
    assert "appointment_details" in str(err.value) and "lacks {time}" in str(err.value)


def test_added_placeholder_is_refused(book_dir: Path, catalogue: Catalogue) -> None:
    line = replace_once(
        book_dir / "sl.yml", 'Prinesite življenjepis"\n    text: "Če', 'x"\n    text: "{date} Če'
    )
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("sl.yml") and err.value.line == line + 1
    assert "adds {date}" in str(err.value)


def test_unknown_placeholder_is_refused(book_dir: Path, catalogue: Catalogue) -> None:
    line = replace_once(book_dir / "en.yml", "If you have a CV", "{name}, if you have a CV")
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("en.yml") and err.value.line == line
    assert "unknown placeholder" in str(err.value)


def test_address_without_office_is_refused(book_dir: Path, catalogue: Catalogue) -> None:
    path = book_dir / "en.yml"
    line = replace_once(
        path, "Please come to our office during opening hours:\\n{office}, {address}", "{address}"
    )
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("en.yml") and err.value.line == line
    assert "{address} needs {office}" in str(err.value)


def test_bad_yaml_names_file_and_line(book_dir: Path, catalogue: Catalogue) -> None:
    line = replace_once(
        book_dir / "ar.yml", '    title: "أحضر سيرتك الذاتية"', '    title: "أحضر سيرتك الذاتية'
    )
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("ar.yml")
    assert err.value.line is not None and err.value.line >= line
    assert "not valid YAML" in str(err.value)


def test_missing_language_file_is_refused(book_dir: Path, catalogue: Catalogue) -> None:
    (book_dir / "fa.yml").unlink()
    with pytest.raises(ContentError, match=r"fa\.yml: file not found"):
        _load(book_dir, catalogue)


def test_phrase_with_a_misspelt_field_is_refused(book_dir: Path, catalogue: Catalogue) -> None:
    line = replace_once(
        book_dir / "sl.yml", '    text: "Če imate življenjepis', '    txt: "Če imate življenjepis'
    )
    with pytest.raises(ContentError) as err:
        _load(book_dir, catalogue)
    assert err.value.path.endswith("sl.yml") and err.value.line == line
    assert "unknown field(s) ['txt']" in str(err.value)


# --- search -----------------------------------------------------------------------------------


def test_search_slovenian_without_diacritics(book: Phrasebook) -> None:
    ids = [hit.id for hit in book.search("cakajte")]
    assert ids[:2] == ["wait_ministry_decision", "wait_administrative_unit"]
    assert book.search("tolmac")[0].id == "appointment_interpreter"
    assert book.search("ZIVLJENJEPIS")[0].id == "bring_cv"


def test_search_english_and_several_words(book: Phrasebook) -> None:
    assert book.search("interpreter")[0].id == "appointment_interpreter"
    assert [hit.id for hit in book.search("appointment cancelled")] == ["appointment_cancelled"]
    assert book.search("legal advice")[0].id == "no_legal_advice"
    assert book.search("diploma")[0].id == "diploma_recognition"


def test_search_gives_the_counsellors_language(book: Phrasebook) -> None:
    hit = book.search("cancelled")[0]
    assert hit.title == "Termin je odpovedan"
    hit = book.search("cancelled", lang="en")[0]
    assert hit.title == "Appointment cancelled"
    assert book.search("xyzzy") == []
    assert book.search("  ") == []


# --- render -----------------------------------------------------------------------------------

_VALUES = {
    "programme": "slovene_course",
    "date": date(2026, 12, 2),
    "time": "9:30",
    "office": "novo_mesto",
}
_DATES = {
    "en": "Wednesday 2 December 2026",
    "sl": "2. 12. 2026 (sreda)",
    "uk": "2 грудня 2026 р. (середа)",
    "ru": "2 декабря 2026 г. (среда)",
    "ar": "الأربعاء 2 ديسمبر 2026",
    "fa": "چهارشنبه ۲ دسامبر ۲۰۲۶",
}
_TIMES = {"en": "9:30", "sl": "9.30", "uk": "9:30", "ru": "9:30", "ar": "9:30", "fa": "۹:۳۰"}


@pytest.mark.parametrize("lang", CORE)
def test_render_fills_date_office_and_programme(
    book: Phrasebook, catalogue: Catalogue, lang: str
) -> None:
    office = content.default().offices["novo_mesto"]
    text = book.render("programme_place_confirmed", lang, _VALUES)
    assert "{" not in text and "}" not in text
    assert office.name in text  # as on the building
    assert office.address in text
    assert fold(office.city_name(lang)) in fold(text)  # the city in the reader's script
    assert _DATES[lang] in text
    assert _TIMES[lang] in text
    assert catalogue.text("programme.slovene_course.name", lang) in text


@pytest.mark.parametrize("lang", CORE)
def test_right_to_left_texts_are_marked(book: Phrasebook, lang: str) -> None:
    values = {"date": "2026-12-02", "time": "9:30", "office": "ljubljana"}
    text = book.render("appointment_moved", lang, values)
    lines = text.split("\n")
    if lang in ("ar", "fa"):
        assert all(line.startswith(RLM) for line in lines)
    else:
        assert RLM not in text


def test_render_language_and_documents(book: Phrasebook) -> None:
    assert "Language: Arabic." in book.render("appointment_interpreter", "en", {"language": "ar"})
    assert "Jezik: arabščina." in book.render("appointment_interpreter", "sl", {"language": "ar"})
    assert "арабська" in book.render("interpreter_not_available", "uk", {"language": "ar"})
    assert "الفارسية" in book.render("appointment_interpreter", "ar", {"language": "fa"})
    text = book.render(
        "appointment_bring_documents", "ru", {"documents": ["passport", " odločba "]}
    )
    assert text.endswith(":\n• passport\n• odločba")
    text = book.render("appointment_bring_documents", "en", {"documents": "passport\n\nCV"})
    assert text.endswith(":\n• passport\n• CV")


def test_render_refuses_missing_values(book: Phrasebook) -> None:
    with pytest.raises(RenderError, match=r"missing value\(s\) for time"):
        book.render("appointment_details", "sl", {"date": date(2026, 1, 5), "office": "celje"})
    with pytest.raises(RenderError, match="missing"):
        book.render("appointment_interpreter", "ar")


@pytest.mark.parametrize(
    ("phrase", "values", "message"),
    [
        ("office_closed", {"date": "5. 1. 2026"}, r"\{date\} must be a date"),
        ("office_closed", {"date": datetime(2026, 1, 5, 9, 0)}, "without a time"),
        ("office_closed", {"date": 20260105}, r"\{date\} must be a date"),
        ("job_interview", {"date": "2026-01-05", "time": "25:00"}, r"\{time\} must be a time"),
        ("come_to_office", {"office": "vienna"}, r"\{office\} must be an office id"),
        ("programme_full", {"programme": "yoga"}, r"\{programme\} must be a programme id"),
        ("appointment_interpreter", {"language": "xx"}, r"\{language\} must be a language"),
        ("appointment_bring_documents", {"documents": []}, "at least one"),
        ("appointment_bring_documents", {"documents": [1, 2]}, "a list of texts"),
        ("bring_cv", {"date": "2026-01-05"}, "has no placeholder"),
        ("come_to_office", {"office": "celje", "address": "x"}, "comes from 'office'"),
    ],
)
def test_render_refuses_ill_typed_values(
    book: Phrasebook, phrase: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(RenderError, match=message):
        book.render(phrase, "en", values)


def test_render_accepts_typed_objects_and_refuses_other_languages(book: Phrasebook) -> None:
    text = book.render("job_interview", "sl", {"date": date(2026, 1, 5), "time": time(11, 0)})
    assert "5. 1. 2026 (ponedeljek) ob 11.00" in text
    with pytest.raises(RenderError, match="core language"):
        book.render("bring_cv", "tr")
    with pytest.raises(PhraseNotFound):
        book.render("no_such_phrase", "en")


def test_problems_name_each_value_render_would_refuse(book: Phrasebook) -> None:
    good = {"date": "2026-12-02", "time": "9:30", "office": "ljubljana"}
    assert book.problems("appointment_details", good) == {}
    bad = book.problems("appointment_details", {"date": "2. 12.", "time": " ", "office": "mars"})
    assert set(bad) == {"date", "time", "office"}
    assert "a date such as 2026-03-02" in bad["date"] and "missing" in bad["time"]
    assert book.problems("appointment_bring_documents", {"documents": "\n \n"}) == {
        "documents": "appointment_bring_documents: missing value for documents"
    }
    assert book.problems("bring_cv", {}) == {}
