"""Typed answers to the assistant's questions (language/answers.py, data/answers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.datafile import ContentError
from language.answers import FOLDER, LANGS, Answers, When, answers
from tests.conftest import replace_once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("لا ما بدي مترجم", "none"),
        ("بدون ترجمان", "none"),
        ("مترجم نمی‌خواهم", "none"),
        ("нет, переводчик не нужен", "none"),
        ("без перекладача", "none"),
        ("ne rabim tolmaca", "none"),
        ("no interpreter needed", "none"),
        ("yes please", "yes"),
        ("بلی", "yes"),
        ("no, I want to talk to a person", None),  # a person asked for: not an answer
        ("لا، بدي احكي مع شخص", None),
        ("what time is it", None),
    ],
)
def test_interpreter(text: str, expected: str | None) -> None:
    assert answers().interpreter(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("still waiting for the decision", "asylum_seeker"),
        ("жду решения ещё", "asylum_seeker"),
        ("انا قدمت لجوء", "asylum_seeker"),
        ("هنوز منتظر جوابم", "asylum_seeker"),
        ("I applied for asylum", "asylum_seeker"),
        ("I have asylum", "refugee"),
        ("معي لجوء", "refugee"),
        ("маю тимчасовий захист", "temporary_protection"),
        ("imam subsidiarno zaščito", "subsidiary_protection"),
        ("programmes for refugees", None),
        ("hello", None),
    ],
)
def test_status_in_words(text: str, expected: str | None) -> None:
    assert answers().status(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قلتلك انا مسجل", "yes"),
        ("я не зарегистрирован", "no"),  # the longer phrase wins over "зарегистрирован"
        ("nisem prijavljena", "no"),
        ("da", "yes"),
        ("ثبت‌نام کردم", "yes"),
    ],
)
def test_registered(text: str, expected: str) -> None:
    assert answers().registered(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anything on Wednesday afternoon?", When(weekday=2, part="afternoon")),
        ("إشي يوم الأربعاء بعد الضهر؟", When(weekday=2, part="afternoon")),
        ("у середу після обіду", When(weekday=2, part="afternoon")),
        ("چهارشنبه بعد از ظهر", When(weekday=2, part="afternoon")),
        ("jutri dopoldne", When(days_ahead=1, part="morning")),
        ("بعد بكرة الصبح", When(days_ahead=2, part="morning")),
        ("на следующей неделе", When(next_week=True)),
        ("1", None),
    ],
)
def test_a_day_in_words(text: str, expected: When | None) -> None:
    assert answers().when(text) == expected


def test_when_survives_its_slot() -> None:
    when = When(weekday=4, part="morning", next_week=True)
    assert When.decode(when.encode()) == when
    assert When.decode("nonsense") is None


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_knows_yes_no_and_dont_know(lang: str) -> None:
    one = Answers.load_one(FOLDER / f"{lang}.yml")
    for category in ("yes", "no", "dont_know", "already_said", "person", "appointment"):
        assert one.phrases[category], f"{lang}: {category} is empty"


def test_a_broken_file_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "en.yml"
    broken.write_text((FOLDER / "en.yml").read_text(encoding="utf-8"), encoding="utf-8")
    line = replace_once(broken, "\nyes:", "\nyess:") + 1  # the key is on the next line
    with pytest.raises(ContentError) as error:
        Answers.load_one(broken)
    assert f"en.yml:{line}" in str(error.value)
    assert "yess" in str(error.value)


def test_an_unquoted_yes_is_refused_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "en.yml"
    text = (FOLDER / "en.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace('["yes", ', "[yes, "), encoding="utf-8")
    with pytest.raises(ContentError, match=r"en\.yml:\d+: .*quote"):
        Answers.load_one(broken)
