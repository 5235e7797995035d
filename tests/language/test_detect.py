from __future__ import annotations

import pytest

from language.detect import DETECTOR, Detection


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kje je urad v mariboru in kdaj je odprt", "sl"),
        ("які програми у вас є для біженців", "uk"),
        ("как записаться на курсы словенского языка", "ru"),
        ("مرحبا بدي اعرف كيف سجل بمكتب العمل", "ar"),
        ("سلام میخواهم بدانم برنامه ها چیست", "fa"),
        ("hello i need a job please help me", "en"),
        ("زه غواړم چې کار پیدا کړم", "ps"),
        ("merhaba iş arıyorum yardım eder misiniz", "tr"),
    ],
)
def test_sentences_are_recognised(text: str, lang: str) -> None:
    detection = DETECTOR.detect(text)
    assert detection.language == lang
    assert detection.reliable


@pytest.mark.parametrize("text", ["ok", "da", "👍", "   ", "112"])
def test_short_or_empty_messages_are_not_reliable(text: str) -> None:
    assert not DETECTOR.detect(text).reliable


def test_detection_serialises_for_the_parse_result() -> None:
    data = Detection("fa", 0.91234, 4).as_dict()
    assert data == {"language": "fa", "confidence": 0.912, "words": 4, "reliable": True}
