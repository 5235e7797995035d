from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from common.datafile import ContentError
from language.catalogue import (
    CONSOLE,
    OFFLINE,
    RLM,
    Catalogue,
    placeholders_of,
    text_direction,
)
from language.languages import CORE
from tests.conftest import ROOT

LOCALES = ROOT / "data" / "locales"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_every_core_language_has_every_key(catalogue: Catalogue) -> None:
    def people_read(key: str) -> bool:
        return not key.startswith((OFFLINE, CONSOLE))

    reference = {key for key in catalogue.locales["en"] if people_read(key)}
    for lang in CORE:
        own = {key for key in catalogue.locales[lang] if people_read(key)}
        assert own == reference, lang


def test_the_console_words_are_in_both_staff_languages(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    sl = {key for key in catalogue.locales["sl"] if key.startswith(CONSOLE)}
    en = {key for key in catalogue.locales["en"] if key.startswith(CONSOLE)}
    assert sl == en and len(sl) > 100
    # A console word missing in Slovenian is refused on load, with the file.
    for name in ("en", "sl", *CORE):
        source = catalogue.directory / f"{name}.yml"
        text = source.read_text(encoding="utf-8")
        if name == "sl":
            text = "\n".join(
                line for line in text.splitlines() if not line.startswith("console.log_out:")
            )
        (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=r"sl\.yml.*console\.log_out"):
        Catalogue.load(tmp_path)


def test_placeholders_and_payloads_match_english(catalogue: Catalogue) -> None:
    for lang in CORE:
        for key, entry in catalogue.locales[lang].items():
            english = catalogue.locales["en"][key]
            assert entry.placeholders == english.placeholders, (lang, key)
            assert [b.payload for b in entry.buttons] == [b.payload for b in english.buttons]


def test_domain_responses_all_have_texts(catalogue: Catalogue) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    for key in domain["responses"]:
        assert catalogue.has(key), key


def test_core_replies_are_not_english_copies(catalogue: Catalogue) -> None:
    english = catalogue.locales["en"]
    for lang in ("sl", "uk", "ru", "ar", "fa"):
        same = [k for k, e in catalogue.locales[lang].items() if e.text == english[k].text]
        same = [k for k in same if not k.startswith(CONSOLE)]
        # A few keys are names or numbers that stay the same; most must not.
        assert len(same) <= 3, (lang, same)
    console = [
        k
        for k, e in catalogue.locales["sl"].items()
        if k.startswith(CONSOLE) and e.text == english[k].text
    ]
    assert len(console) <= 12, console  # "Telegram", "min", language names that agree


def _write_locales(tmp_path: Path, overrides: dict[str, str]) -> Path:
    for lang in CORE:
        (tmp_path / f"{lang}.yml").write_text((LOCALES / f"{lang}.yml").read_text("utf-8"), "utf-8")
    for lang, text in overrides.items():
        (tmp_path / f"{lang}.yml").write_text(text, "utf-8")
    return tmp_path


def test_missing_key_names_the_file(tmp_path: Path) -> None:
    english = (LOCALES / "en.yml").read_text("utf-8")
    persian = (LOCALES / "fa.yml").read_text("utf-8")
    broken = "\n".join(
        line for line in persian.splitlines() if not line.startswith("utter_goodbye:")
    )
    _write_locales(tmp_path, {"en": english, "fa": broken})
    with pytest.raises(ContentError) as err:
        Catalogue.load(tmp_path)
    assert err.value.path.endswith("fa.yml")
    assert "utter_goodbye" in str(err.value)


def test_different_placeholder_names_file_line_and_key(tmp_path: Path) -> None:
    russian = (LOCALES / "ru.yml").read_text("utf-8").splitlines()
    line_no = next(i for i, line in enumerate(russian) if line.startswith("offices.hours_line:"))
    russian[line_no] = 'offices.hours_line: "{dni}: {hours}"'
    _write_locales(tmp_path, {"ru": "\n".join(russian) + "\n"})
    with pytest.raises(ContentError) as err:
        Catalogue.load(tmp_path)
    assert err.value.line == line_no + 1
    assert "offices.hours_line" in str(err.value) and "ru.yml" in str(err.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    _write_locales(tmp_path, {"sl": 'utter_greet: "zivjo\nutter_goodbye: [unclosed\n'})
    with pytest.raises(ContentError) as err:
        Catalogue.load(tmp_path)
    assert err.value.line is not None and "sl.yml" in str(err.value)


def test_changed_payload_is_refused(tmp_path: Path) -> None:
    arabic = (
        (LOCALES / "ar.yml")
        .read_text("utf-8")
        .replace('"/list_programmes"', '"/list_programes"', 1)
    )
    _write_locales(tmp_path, {"ar": arabic})
    with pytest.raises(ContentError, match="payloads"):
        Catalogue.load(tmp_path)


def test_render_marks_right_to_left_lines(catalogue: Catalogue) -> None:
    message = catalogue.render("offices.card", "fa", name="A", address="B", phone="C", hours="D\nE")
    lines = message["text"].split("\n")
    assert all(line.startswith(RLM) for line in lines if line)
    assert text_direction(message["text"]) == "rtl"
    english = catalogue.render("offices.card", "en", name="A", address="B", phone="C", hours="D")
    assert RLM not in english["text"] and text_direction(english["text"]) == "ltr"


def test_render_needs_every_placeholder(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        catalogue.render("offices.card", "sl", name="A")


def test_buttons_are_rendered_with_titles_in_the_language(catalogue: Catalogue) -> None:
    message = catalogue.render("utter_help", "uk")
    assert message["buttons"][0]["payload"] == "/list_programmes"
    assert (
        message["buttons"][0]["title"]
        != catalogue.render("utter_help", "en")["buttons"][0]["title"]
    )


def test_placeholders_of_rejects_positional_braces() -> None:
    assert placeholders_of("{a} and {b}") == {"a", "b"}
    with pytest.raises(ValueError, match="placeholder"):
        placeholders_of("{} empty")
