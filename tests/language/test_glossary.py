"""The glossary: its files, finding terms, writing them back in the target language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from common.datafile import ContentError
from language.catalogue import Catalogue
from language.glossary import GLOSSARY_DIR, OFFICES_FILE, Glossary, Masked
from language.languages import CORE
from language.translation import (
    TranslationConfig,
    TranslationUnavailable,
    Translator,
    protect,
    restore,
)
from tests.conftest import replace_once


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="module")
def glossary(catalogue: Catalogue) -> Glossary:
    return Glossary.load(catalogue=catalogue)


def ids(found: Masked) -> list[str]:
    return [t.id for t in found.terms]


# --- the files ---------------------------------------------------------------------


def test_every_core_language_has_the_ids_of_en(glossary: Glossary) -> None:
    reference = list(yaml.safe_load((GLOSSARY_DIR / "en.yml").read_text("utf-8"))["terms"])
    assert set(CORE) <= set(glossary.languages)
    for lang in CORE:
        got = list(yaml.safe_load((GLOSSARY_DIR / f"{lang}.yml").read_text("utf-8"))["terms"])
        assert sorted(got) == sorted(reference), lang
    assert {"ess", "upravna_enota", "uoim", "temporary_protection"} <= set(glossary.terms)


def test_programme_forms_are_the_catalogue_names(glossary: Glossary, catalogue: Catalogue) -> None:
    for programme in ("slovene_course", "job_club", "on_the_job_training"):
        for lang in CORE:
            name = catalogue.text(f"programme.{programme}.name", lang)
            assert glossary.terms[programme].form(lang) == name


def test_offices_are_terms_with_the_city_in_the_readers_script(glossary: Glossary) -> None:
    offices = yaml.safe_load(OFFICES_FILE.read_text("utf-8"))["offices"]
    for office in offices:
        term = glossary.terms[f"office_{office['city']}"]
        assert term.form("sl") == office["name"]
        assert term.form("uk") == f"{office['name']} ({office['names']['uk']})"
    assert glossary.terms["office_novo_mesto"].form("en") == "Urad za delo Novo mesto"


# --- finding terms ---------------------------------------------------------------------


def test_inflected_slovenian_form_is_found(glossary: Glossary) -> None:
    masked = glossary.mask("Prijavite se na Zavodu za zaposlovanje.", "sl")
    assert masked.text == "Prijavite se na [0]."
    assert ids(masked) == ["ess"]


def test_longest_form_wins(glossary: Glossary) -> None:
    masked = glossary.mask("Ste prosilec za mednarodno zaščito ali imate mednarodno zaščito?", "sl")
    assert ids(masked) == ["asylum_seeker", "international_protection"]


def test_case_and_diacritics_do_not_matter(glossary: Glossary) -> None:
    masked = glossary.mask("imam zacasno zascito, grem na UPRAVNO ENOTO", "sl")
    assert ids(masked) == ["temporary_protection", "upravna_enota"]
    assert masked.text == "imam [0], grem na [1]"


def test_whole_words_only_in_every_script(glossary: Glossary) -> None:
    assert ids(glossary.mask("ESSENTIAL, but ESS.", "en")) == ["ess"]
    uk = glossary.mask("Я маю тимчасового захисту, а не тимчасового захисту́вача", "uk")
    assert ids(uk) == ["temporary_protection"]
    assert uk.text.startswith("Я маю [0],")


def test_short_abbreviations_only_in_capitals(glossary: Glossary) -> None:
    assert ids(glossary.mask("send me a pic of it", "en")) == []
    assert ids(glossary.mask("ask PIC for legal help", "en")) == ["pic"]


def test_arabic_proclitic_stays_outside_the_marker(glossary: Glossary) -> None:
    masked = glossary.mask("لدي طلب والحماية الدولية وبالوحدة الإدارية", "ar")
    assert masked.text == "لدي طلب و[0] وب[1]"
    assert ids(masked) == ["international_protection", "upravna_enota"]


def test_persian_space_or_zwnj_and_letter_variants(glossary: Glossary) -> None:
    # "بين" with the Arabic yeh, a space where the form has ZWNJ.
    masked = glossary.mask("من حمایت بين المللی دارم", "fa")
    assert ids(masked) == ["international_protection"]


def test_a_language_without_a_glossary_masks_nothing(glossary: Glossary) -> None:
    assert "ps" not in glossary.languages
    masked = glossary.mask("international protection", "ps")
    assert masked.text == "international protection" and masked.terms == ()


# --- writing terms back ----------------------------------------------------------------


def test_restore_writes_the_target_form(glossary: Glossary) -> None:
    masked = glossary.mask("You have temporary protection.", "en")
    assert glossary.restore("Маєте [0].", masked, "uk") == "Маєте тимчасовий захист."
    assert glossary.restore("[0] لديك.", masked, "ar") == "الحماية المؤقتة لديك."


def test_restore_capitalises_at_a_sentence_start(glossary: Glossary) -> None:
    masked = glossary.mask("upravna enota", "sl")
    assert glossary.restore("Well. [0] decides", masked, "uk") == (
        "Well. Адміністративна одиниця (upravna enota) decides"
    )


def test_restore_reads_markers_with_spaces_or_arabic_digits(glossary: Glossary) -> None:
    masked = glossary.mask("ZRSZ in UOIM", "sl")
    assert glossary.restore("[ ٠ ] و [۱]", masked, "fa") == (
        "اداره کاریابی اسلوونی (ZRSZ) و دفتر دولتی حمایت و ادغام مهاجران (UOIM)"
    )


def test_a_lost_marker_gives_none(glossary: Glossary) -> None:
    masked = glossary.mask("ZRSZ in UOIM", "sl")
    assert glossary.restore("[0] and", masked, "en") is None


def test_restore_into_a_language_without_a_glossary_uses_english(glossary: Glossary) -> None:
    masked = glossary.mask("mednarodna zaščita", "sl")
    assert glossary.restore("ps: [0]", masked, "ps") == "ps: international protection"


def test_composes_with_protect(glossary: Glossary) -> None:
    text = (
        "Zavod za zaposlovanje {office}: pokličite +386 1 475 85 00, www.ess.gov.si "
        "(začasna zaščita)."
    )
    protected, tokens = protect(text)
    masked = glossary.mask(protected, "sl")
    assert masked.first == len(tokens) == 3
    assert masked.text == "[3] [0]: pokličite [1], [2] ([4])."
    fake = masked.text.replace("pokličite", "зателефонуйте")
    unmasked = glossary.restore(fake, masked, "uk")
    assert unmasked is not None
    assert restore(unmasked, tokens) == (
        "Служба зайнятості Словенії (ZRSZ) {office}: зателефонуйте +386 1 475 85 00, "
        "www.ess.gov.si (тимчасовий захист)."
    )


# --- through the translator ------------------------------------------------------------


def fake_translator(glossary: Glossary, answers: dict[str, str]) -> tuple[Translator, list[str]]:
    sent: list[str] = []

    def backend(text: str, source: str, target: str) -> str:
        sent.append(text)
        return answers[text]

    config = TranslationConfig(provider="libre")
    return Translator(config, backend=backend, glossary=glossary), sent


def test_translator_sl_to_uk(glossary: Glossary) -> None:
    translator, sent = fake_translator(glossary, {"Prijavite se na [0]": "Зареєструйтеся в [0]"})
    result = translator.translate("Prijavite se na Zavodu za zaposlovanje", "sl", "uk")
    assert sent == ["Prijavite se na [0]"]
    assert result == "Зареєструйтеся в Служба зайнятості Словенії (ZRSZ)"


def test_translator_en_to_fa_keeps_the_persian_form(glossary: Glossary) -> None:
    translator, _ = fake_translator(
        glossary, {"You may apply for [0].": "شما می‌توانید برای [0] درخواست بدهید."}
    )
    result = translator.translate("You may apply for international protection.", "en", "fa")
    assert re.search("حمایت بین‌المللی", result)
    assert result == "شما می‌توانید برای حمایت بین‌المللی درخواست بدهید."


def test_translator_masks_nothing_into_a_language_without_a_glossary(glossary: Glossary) -> None:
    text = "You may apply for international protection."
    translator, sent = fake_translator(glossary, {text: "ps: " + text})
    assert translator.translate(text, "en", "ps") == "ps: " + text
    assert sent == [text]  # the engine saw the words, not a marker


def test_translator_refuses_a_translation_that_lost_a_term(glossary: Glossary) -> None:
    translator, _ = fake_translator(glossary, {"Go to the [0].": "Pojdite tja."})
    with pytest.raises(TranslationUnavailable, match="lost"):
        translator.translate("Go to the administrative unit.", "en", "sl")


# --- what the check refuses ------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(GLOSSARY_DIR, tmp_path / "glossary")
    return tmp_path / "glossary"


def refused(folder: Path, catalogue: Catalogue) -> ContentError:
    with pytest.raises(ContentError) as caught:
        Glossary.load(folder, catalogue=catalogue)
    return caught.value


def test_refuses_a_missing_language_file(folder: Path, catalogue: Catalogue) -> None:
    (folder / "fa.yml").unlink()
    error = refused(folder, catalogue)
    assert error.path.endswith("fa.yml") and "every core language" in error.problem


def test_refuses_an_id_en_does_not_have(folder: Path, catalogue: Catalogue) -> None:
    line = replace_once(folder / "ru.yml", "  mnz:", "  mvd:")
    error = refused(folder, catalogue)
    assert (error.path.endswith("ru.yml"), error.line) == (True, line)
    assert "'mvd' is not in en.yml" in error.problem


def test_refuses_a_missing_id(folder: Path, catalogue: Catalogue) -> None:
    text = (folder / "uk.yml").read_text("utf-8")
    (folder / "uk.yml").write_text(re.sub(r"  emso:\n(    .*\n)+", "", text), "utf-8")
    error = refused(folder, catalogue)
    assert error.path.endswith("uk.yml") and "missing term(s) of en.yml: emso" in error.problem


def test_refuses_an_empty_form(folder: Path, catalogue: Catalogue) -> None:
    line = replace_once(folder / "sl.yml", 'form: "začasna zaščita"', 'form: ""')
    error = refused(folder, catalogue)
    assert error.line == line and "must be a non-empty text" in error.problem


def test_refuses_a_form_of_two_terms(folder: Path, catalogue: Catalogue) -> None:
    line = replace_once(folder / "sl.yml", '"začasne zaščite"', '"Mednarodne zascite"')
    error = refused(folder, catalogue)
    assert error.line == line
    assert "also a form of 'international_protection'" in error.problem


def test_refuses_an_unquoted_yes(folder: Path, catalogue: Catalogue) -> None:
    line = replace_once(folder / "en.yml", '"tax ID"', "yes")
    error = refused(folder, catalogue)
    assert error.line == line and "put it in double quotes" in error.problem


def test_refuses_an_unknown_programme_and_field(folder: Path, catalogue: Catalogue) -> None:
    line = replace_once(folder / "en.yml", "programme: job_club", "programme: chess_club")
    error = refused(folder, catalogue)
    assert error.line == line and "programme.chess_club.name" in error.problem
    replace_once(folder / "en.yml", "programme: chess_club", "programme: job_club")
    line = replace_once(folder / "ar.yml", '    also: ["حماية دولية"', '    alsp: ["حماية دولية"')
    error = refused(folder, catalogue)
    assert error.line == line and "'alsp' is not one of" in error.problem
