from __future__ import annotations

from language.detect import Detection
from language.resolution import CHANNEL, DEFAULT, EXPLICIT, MESSAGE, Resolution, resolve


def sure(lang: str, words: int = 4) -> Detection:
    return Detection(lang, 0.95, words)


def test_first_message_without_anything_is_english() -> None:
    got = resolve(current=None, current_source=None, chosen=None, hint=None, detection=None)
    assert got == Resolution("en", DEFAULT)


def test_explicit_choice_wins_and_sticks() -> None:
    got = resolve(
        current="en", current_source=CHANNEL, chosen="fa", hint="en", detection=sure("en")
    )
    assert got == Resolution("fa", EXPLICIT)
    later = resolve(
        current="fa", current_source=EXPLICIT, chosen=None, hint="en", detection=sure("ru")
    )
    assert later == Resolution("fa", EXPLICIT)


def test_channel_hint_beats_a_short_message() -> None:
    got = resolve(
        current=None, current_source=None, chosen=None, hint="uk", detection=sure("ru", 2)
    )
    assert got == Resolution("uk", CHANNEL)


def test_a_clear_sentence_beats_the_channel_hint() -> None:
    got = resolve(
        current="en", current_source=CHANNEL, chosen=None, hint="en", detection=sure("fa", 5)
    )
    assert got == Resolution("fa", MESSAGE)


def test_one_word_does_not_flip_the_language() -> None:
    for word in ("ok", "da", "salam"):
        detection = Detection("sl" if word == "da" else "tr", 0.9, 1)
        got = resolve(
            current="ar", current_source=MESSAGE, chosen=None, hint=None, detection=detection
        )
        assert got.language == "ar", word


def test_unsure_detection_keeps_the_language() -> None:
    got = resolve(
        current="uk",
        current_source=MESSAGE,
        chosen=None,
        hint=None,
        detection=Detection("ru", 0.55, 5),
    )
    assert got.language == "uk"


def test_unknown_codes_are_ignored() -> None:
    got = resolve(current=None, current_source=None, chosen="xx", hint="zz", detection=None)
    assert got == Resolution("en", DEFAULT)
