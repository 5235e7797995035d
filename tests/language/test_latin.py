"""Persian and Arabic in Latin letters (Finglish, Arabizi): detection and the marker lexicon."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from common.datafile import ContentError
from language import latin
from language.detect import DETECTOR
from language.resolution import CHANNEL, DEFAULT, MESSAGE, resolve

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Finglish: Dari and Iranian spellings
        ("khaili mamnoon, khoda hafez", "fa"),
        ("tashakor, mekhaham yak waqt mulaqat bigirum", "fa"),
        ("salam, mikham kar peyda konam", "fa"),
        ("lotfan komak konid, pasportam ra gereftan", "fa"),
        ("mitunam inja kar konam? panahjo hastam", "fa"),
        ("bebakhshid, daftar kojast?", "fa"),
        ("kheili mamnun az shoma", "fa"),
        ("nobat man kay ast lutfan", "fa"),
        ("salam chetori, khubi?", "fa"),
        ("merci, khodahafez ta farda", "fa"),
        ("mikhastam bedanam madarek chi lazem ast", "fa"),
        ("KHEILI MAMNOON dastet dard nakone", "fa"),
        # Arabizi: Levantine, Egyptian, Iraqi, Gulf
        ("marhaba, bdi maw3ed", "ar"),
        ("shukran ktir, ma3 salame", "ar"),
        ("ana mish fahem shu lazem a3mel", "ar"),
        ("wen el maktab? yalla", "ar"),
        ("kifak, baddi sho8l hon", "ar"),
        ("mumkin tsa3edni law sama7t", "ar"),
        ("ana 3ayez a7gez ma3ad", "ar"),
        ("shlonak akhi, aku shughl?", "ar"),
        ("abgha maw3id ma3 el mowazaf", "ar"),
        ("la2 mish hek, bdi shi tani", "ar"),
        ("aywa akeed, shukran", "ar"),
        ("salam 3alaykom, kif el 7al", "ar"),
    ],
)
def test_latin_script_persian_and_arabic_are_recognised(text: str, lang: str) -> None:
    detection = DETECTOR.detect(text)
    assert detection.language == lang
    assert detection.reliable


@pytest.mark.parametrize(
    "text",
    [
        # English, with the words that look like Finglish or Arabizi
        "hello i need a job please help me",
        "man i need help with my papers",
        "can i come at 3pm tomorrow",
        "my appointment is on the 2nd at 7pm",
        "i am from syria, my name is ana",
        "salam, i need help",
        # Slovenian without diacritics
        "kje je urad",
        "hvala lepa",
        "rad bi termin",
        "dober dan, iscem delo",
        "ali lahko delam kot prosilec za azil",
        "kako se prijavim na zavod",
        "nasvidenje in hvala",
        # Turkish, with and without its letters
        "merhaba is ariyorum yardim eder misiniz",
        "tamam abi, tesekkur ederim",
        "yani bilmiyorum hadi gorusuruz",
        "insallah yarin gelirim, mersi",
        # French
        "bonjour je cherche du travail",
        "merci beaucoup pour votre aide",
        "c'est fini, merci, au revoir",
        # Somali, Russian in Latin letters
        "fadlan i caawi, shaqo ayaan raadinayaa",
        "mahadsanid walaal, nabad gelyo",
        "privet, mne nuzhna rabota",
        "ya hochu zapisatsya na kurs",
    ],
)
def test_other_latin_script_languages_are_not_taken_for_persian_or_arabic(text: str) -> None:
    assert DETECTOR.detect(text).language not in ("fa", "ar")


# Messages in the English and Slovenian held-out files that are in fact Finglish.
_FINGLISH_IN_OTHER_FILES = {"farsi lotfan"}


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_no_held_out_english_or_slovenian_message_is_taken_for_persian_or_arabic(
    lang: str,
) -> None:
    """Guards the lexicon against an everyday English or Slovenian word added as a marker."""
    texts = [
        m.get("text")
        for m in load_data(str(ROOT / "tests" / "nlu" / f"{lang}.yml")).intent_examples
    ]
    taken = [
        t
        for t in texts
        if latin.mostly_latin(t)
        and DETECTOR.detect(t).language in ("fa", "ar")
        and t not in _FINGLISH_IN_OTHER_FILES
    ]
    assert taken == []


def test_kurmanji_is_still_kurmanji() -> None:
    assert DETECTOR.detect("silav, ez dixwazim kar bikim").language == "ku"


@pytest.mark.parametrize("text", ["merci", "ok", "mamnoon", "shukran", "yalla", "merci ktir"])
def test_short_messages_do_not_change_an_established_language(text: str) -> None:
    detection = DETECTOR.detect(text)
    assert not detection.reliable
    for current in ("en", "sl", "fa", "ar"):
        got = resolve(
            current=current, current_source=MESSAGE, chosen=None, hint=None, detection=detection
        )
        assert got.language == current, (text, current)


def test_a_finglish_farewell_on_an_english_phone_is_answered_in_persian() -> None:
    got = resolve(
        current="en",
        current_source=CHANNEL,
        chosen=None,
        hint="en",
        detection=DETECTOR.detect("khaili mamnoon, khoda hafez"),
    )
    assert got == (got.__class__("fa", MESSAGE))


def test_two_clear_words_decide_when_nothing_else_does() -> None:
    detection = DETECTOR.detect("khoda hafez")
    assert detection.language == "fa" and detection.reliable
    got = resolve(current=None, current_source=None, chosen=None, hint=None, detection=detection)
    assert got.language == "fa"
    assert (
        resolve(
            current="en", current_source=DEFAULT, chosen=None, hint="en", detection=detection
        ).language
        == "en"
    ), "the channel's hint still wins over two words"


@pytest.mark.parametrize(
    ("word", "arabizi"),
    [
        ("maw3ed", True),
        ("ma3a", True),
        ("3ayez", True),
        ("7abibi", True),
        ("sa7", True),
        ("awra2", True),
        ("3pm", False),
        ("2nd", False),
        ("7th", False),
        ("mp3", False),
        ("b2", False),
        ("3am", False),
        ("covid19", False),
        ("2024", False),
    ],
)
def test_arabizi_digits(word: str, arabizi: bool) -> None:
    assert latin.default().arabizi(word) is arabizi


def test_folding_makes_spelling_variants_one_word() -> None:
    assert latin.fold("Mamnooon") == latin.fold("mamnon") == "mamnon"
    assert latin.fold("Teşekkür") == "tesekur"


def test_the_project_lexicon_loads_with_both_languages() -> None:
    markers = latin.load()
    assert markers.words["fa"]["mamnon"] == "strong"
    assert markers.words["ar"]["shukran"] == "strong"
    assert markers.words["fa"]["salam"] == markers.words["ar"]["salam"] == "weak"


# ---------------------------------------------------------------------------
# Errors in the lexicon name the file and the line


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "latin_markers.yml"
    path.write_text(body, encoding="utf-8")
    return path


_GOOD = """\
languages:
  fa:
    strong:
      - mamnoon
    weak:
      - salam
  ar:
    strong:
      - shukran
never:
  - man
"""


def test_a_small_lexicon_works(tmp_path: Path) -> None:
    markers = latin.load(_write(tmp_path, _GOOD))
    verdict = latin.judge("salam mamnoon Mamnooon", markers)
    assert verdict.language == "fa"
    assert verdict.scores == {"fa": 5.0, "ar": 0.0, "ku": 0.0}
    assert latin.judge("salam shukran", markers).language is None


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (_GOOD.replace("      - salam\n", "      - mamnon\n"), 6, "listed twice for fa"),
        (_GOOD.replace("      - salam\n", "      - Man\n"), 6, "everyday word"),
        (_GOOD.replace("      - salam\n", "      - khoda hafez\n"), 6, "one word per entry"),
        (_GOOD.replace("      - salam\n", "      - سلام\n"), 6, "Latin letters"),
        (_GOOD.replace("  ar:\n", "  ur:\n"), 7, "unknown language 'ur'"),
        (_GOOD.replace("    weak:\n", "    medium:\n"), 5, "the lists are 'strong' and 'weak'"),
        ("settings:\n  threshold: many\n" + _GOOD, 2, "'threshold' must be a number"),
        ("settings:\n  treshold: 3\n" + _GOOD, 2, "unknown setting 'treshold'"),
        (_GOOD.replace("never:\n  - man\n", ""), 1, "needs 'never'"),
        ("language:\n  - x\n" + _GOOD, 1, "unknown section 'language'"),
        ("settings:\n  arabizi_digits: three\n" + _GOOD, 2, "must be digits"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ContentError) as caught:
        latin.load(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in caught.value.problem
