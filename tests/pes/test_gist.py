"""The automatic summary of a person's message, from what the model understood of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.datafile import ContentError
from language.answers import When
from language.detect import DETECTOR
from pes import topics
from pes.gist import HIGH, LOW, MEDIUM, Gist, gist_of, level, resolve
from tests.conftest import ROOT, replace_once

TODAY = dt.date(2026, 12, 3)  # a Thursday


def parsed(text: str, intent: str, confidence: float, *entities: tuple[str, str]) -> dict[str, Any]:
    """Rasa's parse as ``/webhooks/rest/parse`` answers it, with the real detector's verdict."""
    spans = []
    for entity, value in entities:
        spans.append({"entity": entity, "value": value, "start": 0, "end": 1})
    return {
        "intent": {"name": intent, "confidence": confidence},
        "entities": spans,
        "language_detection": {**DETECTOR.detect(text).as_dict(), "hint": None},
    }


def test_a_persian_message_about_the_right_to_work() -> None:
    text = "من پناهنده هستم، از ۱۲ اسفند ۱۴۰۴ در ماریبور هستم. آیا اجازه کار دارم؟"
    gist = gist_of(
        parsed(text, "work_rights", 0.87, ("protection_status", "refugee"), ("city", "maribor")),
        text,
        today=TODAY,
    )
    assert gist.language == "fa" and gist.language_level == HIGH
    assert gist.topic == "work_rights" and gist.understood
    assert (gist.status, gist.city) == ("refugee", "maribor")
    assert gist.dates == ("2026-03-03",)  # 12 Esfand 1404


def test_an_arabic_message_about_a_programme_with_a_date() -> None:
    text = "أريد التسجيل في دورة اللغة السلوفينية، هل يمكن يوم ١٥/١/٢٠٢٧ في ليوبليانا؟"
    parse = parsed(
        text,
        "programme_details",
        0.74,
        ("programme", "slovene_course"),
        ("programme", "job_club"),
        ("programme", "slovene_course"),
        ("city", "ljubljana"),
    )
    gist = gist_of(parse, text, today=TODAY)
    assert gist.language == "ar"
    assert gist.topic == "programme_details"
    assert gist.programmes == ("slovene_course", "job_club")
    assert gist.city == "ljubljana" and gist.dates == ("2027-01-15",)


def test_a_ukrainian_message_with_a_weekday() -> None:
    text = "Я під тимчасовим захистом. Чи можу я прийти в понеділок, щоб зареєструватися?"
    parse = parsed(text, "register_unemployed", 0.81, ("protection_status", "temporary_protection"))
    gist = gist_of(parse, text, today=TODAY)
    assert gist.language == "uk" and gist.topic == "register_unemployed"
    assert gist.status == "temporary_protection"
    assert gist.dates == ("2026-12-07",)  # the Monday after Thursday 3 December


def test_no_topic_when_the_model_is_unsure_or_fell_back() -> None:
    text = "سلام، یک سوال دارم درباره کار"
    assert gist_of(parsed(text, "nlu_fallback", 0.7), text).topic is None
    unsure = gist_of(parsed(text, "find_job", 0.12), text)
    assert unsure.topic is None and unsure.understood and unsure.intent_confidence == 0.12


def test_language_detection_alone_when_rasa_was_not_asked() -> None:
    text = "Доброго дня, мені потрібна допомога з документами"
    gist = gist_of({"language_detection": DETECTOR.detect(text).as_dict()}, text)
    assert gist.language == "uk" and not gist.understood and gist.topic is None
    assert not gist.has_labels


def test_unknown_values_and_nonsense_are_left_out() -> None:
    parse = {
        "intent": {"name": "find_job", "confidence": "high"},
        "entities": [
            {"entity": "programme", "value": "space_training"},
            {"entity": "protection_status", "value": "tourist"},
            "nonsense",
        ],
        "language_detection": "fa",
    }
    gist = gist_of(parse, "x")
    assert gist.programmes == () and gist.status is None and gist.language is None
    assert gist.topic is None  # no confidence: not sure


def test_relative_days_need_the_messages_day() -> None:
    assert gist_of({}, "can I come tomorrow?").dates == ()
    assert gist_of({}, "can I come tomorrow?", today=TODAY).dates == ("2026-12-04",)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (When(days_ahead=0), dt.date(2026, 12, 3)),
        (When(weekday=0), dt.date(2026, 12, 7)),
        (When(weekday=3), dt.date(2026, 12, 10)),  # "on Thursday", said on a Thursday
        (When(weekday=4), dt.date(2026, 12, 4)),
        (When(weekday=1, next_week=True), dt.date(2026, 12, 8)),
        (When(part="morning"), None),
    ],
)
def test_resolve(when: When, expected: dt.date | None) -> None:
    assert resolve(when, TODAY) == expected


def test_json_round_trip_and_tolerance() -> None:
    gist = Gist(
        "fa", 0.93, "work_rights", 0.8, True, ("job_club",), "celje", "refugee", ("--03-03",)
    )
    assert Gist.from_json(gist.to_json()) == gist
    assert "پ" not in gist.to_json()  # nothing the person wrote is in it
    for raw in (None, "", "not json", "[]", '{"v": 99}', '{"v": 1, "language": "fa"}'):
        assert Gist.from_json(raw) is None


def test_level() -> None:
    assert [level(x) for x in (None, 0.2, 0.5, 0.79, 0.8, 1.0)] == [
        LOW,
        LOW,
        MEDIUM,
        MEDIUM,
        HIGH,
        HIGH,
    ]


# --- topics.yml: a counsellor's name for every intent ------------------------------------


def test_every_intent_of_the_domain_has_a_topic() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    shipped = topics.load()
    assert intents - {"nlu_fallback"} == set(shipped.names)
    assert shipped.name("work_rights", "sl") == "Pravica do dela"
    assert shipped.name("work_rights", "en") == "Right to work"
    assert shipped.name("work_rights", "uk") == "Pravica do dela"  # Slovenian otherwise
    assert shipped.name("nlu_fallback", "sl") is None


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "topics.yml"
    target.write_text(topics.PATH.read_text("utf-8"), "utf-8")
    return target


def _error(path: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        topics.load(path)
    assert caught.value.path == str(path)
    return caught.value


def test_a_missing_name_names_the_entry_and_line(copy: Path) -> None:
    line = replace_once(copy, '{sl: "Pravica do dela", en: "Right to work"}', '{sl: "Delo"}')
    err = _error(copy)
    assert err.line == line and "work_rights" in str(err) and "en" in str(err)


def test_an_unknown_language_and_a_long_name(copy: Path) -> None:
    line = replace_once(copy, 'en: "Right to work"', 'de: "Arbeitsrecht"')
    assert _error(copy).line == line
    long = "x" * 41
    line = replace_once(copy, 'en: "Greeting"', f'en: "{long}"')
    assert _error(copy).line == line


def test_an_intent_written_twice(copy: Path) -> None:
    line = replace_once(copy, "  goodbye:", "  greet:")
    err = _error(copy)
    assert err.line == line and "greet" in str(err)
