"""Offline language identification of short messages (lingua, which ships its models).

Lingua knows the six core languages and several extended ones; it does not
know Pashto, Tigrinya or the Kurdish languages, which are recognised here from
the letters only they use, nor Persian and Arabic written in Latin letters,
recognised from marker words (``language/latin.py``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from language import latin

# Where a message's detection stands in Rasa's parse data (``LanguageResolver``), here
# so that the gateway reads it without importing Rasa.
DETECTION_KEY = "language_detection"
_LINGUA_CODES = ("en", "sl", "uk", "ru", "ar", "fa", "ur", "tr", "fr", "so")
# Letters that only one of our languages uses, for languages lingua lacks.
_PASHTO = re.compile("[ټډړږښګڼځڅ]")
_SORANI = re.compile("[ڵڕێۆە]")
_ETHIOPIC = re.compile("[\u1200-\u137f]")
# Kurmanji writes ê î û beside ç ş; French and Turkish, which share some, have letters
# of their own (é è à ô ... / ı ğ ö ü) that Kurmanji never uses.
_KURMANJI_LETTERS = re.compile("[êîûÊÎÛ]")
_KURMANJI_ALPHABET = re.compile("[êîûçşÊÎÛÇŞ]")
_NOT_KURMANJI = re.compile("[éèàâôëïœùÿığöüÉÈÀÂÔÖÜİĞ]")
_WORD = re.compile(r"\w+", re.UNICODE)
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile("[ыэъёЫЭЪЁ]")


@dataclass(frozen=True)
class Detection:
    language: str | None
    confidence: float
    words: int

    @property
    def reliable(self) -> bool:
        """Sure enough to switch a conversation's language on this message alone."""
        if self.language is None:
            return False
        if self.words >= 3:
            return self.confidence >= 0.6
        return self.words == 2 and self.confidence >= 0.8

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": round(self.confidence, 3),
            "words": self.words,
            "reliable": self.reliable,
        }


class Detector:
    """Thread-safe, lazily built lingua detector for our languages."""

    def __init__(self, markers: latin.Markers | None = None) -> None:
        self._lock = threading.Lock()
        self._detector: Any = None
        self._markers = markers  # the Latin-script lexicon; the project's file when None

    def _build(self) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [
            Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in _LINGUA_CODES
        ]
        return LanguageDetectorBuilder.from_languages(*languages).build()

    def detect(self, text: str, learned: Mapping[str, float] | None = None) -> Detection:
        """The language of ``text``.

        ``learned`` is an optional second opinion over the core languages (a
        model trained on this project's own messages, which knows surzhyk,
        Dari and Slovenian without diacritics better than a general detector);
        the two are averaged.
        """
        cleaned = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
        words = len(_WORD.findall(cleaned))
        if words == 0:
            return Detection(None, 0.0, 0)
        special = _special_script(cleaned)
        if special:
            return Detection(special, 0.95, words)
        kurmanji_words = 0.0
        if latin.mostly_latin(cleaned):
            verdict = latin.judge(cleaned, self._markers or latin.default())
            if verdict.language:
                return Detection(verdict.language, verdict.confidence, words)
            kurmanji_words = verdict.scores.get("ku", 0.0)
        if _kurmanji_letters(cleaned, kurmanji_words):
            return Detection("ku", 0.9, words)
        with self._lock:
            if self._detector is None:
                self._detector = self._build()
            values = self._detector.compute_language_confidence_values(cleaned)
        scores = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}
        if learned:
            scores = {
                code: 0.5 * scores.get(code, 0.0) + 0.5 * learned.get(code, 0.0)
                for code in set(scores) | set(learned)
            }
        if not scores:
            return Detection(None, 0.0, words)
        code = max(scores, key=lambda c: scores[c])
        if code == "ru" and _ukrainian_letters(cleaned):
            # Surzhyk: Russian words, Ukrainian letters. Russian never writes і, ї, є,
            # ґ, so the writer is Ukrainian and is answered in Ukrainian.
            return Detection("uk", max(scores.get("uk", 0.0), scores["ru"]), words)
        return Detection(code, scores[code], words)


def _kurmanji_letters(text: str, marker_points: float) -> bool:
    """ê, î or û, and none of French's or Turkish's own letters, with a second letter of
    Kurmanji's alphabet or a Kurmanji marker word (``latin_markers.yml``)."""
    return (
        _KURMANJI_LETTERS.search(text) is not None
        and _NOT_KURMANJI.search(text) is None
        and (len(_KURMANJI_ALPHABET.findall(text)) >= 2 or marker_points >= 2)
    )


def _special_script(text: str) -> str | None:
    if _ETHIOPIC.search(text):
        return "ti"
    if _PASHTO.search(text):
        return "ps"
    if _SORANI.search(text):
        return "ckb"
    return None


DETECTOR = Detector()


def _ukrainian_letters(text: str) -> bool:
    """More letters only Ukrainian writes (і ї є ґ) than letters only Russian does."""
    ukrainian = len(_UKRAINIAN_ONLY.findall(text))
    return ukrainian > 0 and ukrainian >= len(_RUSSIAN_ONLY.findall(text))
