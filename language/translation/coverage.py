"""Which languages the configured provider covers, said once when a process starts.

A language is covered when the provider translates it both ways with the
counsellors' working language (Slovenian) and with English: people's messages
go to English for the NLU and to Slovenian for a counsellor, replies come back
from both. Any other language falls back to the phrasebook, English and
Slovenian, or the original text. Operators read the line in the log; tests read
``coverage()``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from language.languages import CORE, EXTENDED, FALLBACK, LANGUAGES, WORKING
from language.translation import Translator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Coverage:
    """The provider's coverage of the assistant's languages."""

    provider: str  # "none" without one
    covered: tuple[str, ...]  # both ways with sl and en, in LANGUAGES' order
    falls_back: tuple[str, ...]
    known: bool = True  # False: the provider's language list could not be read

    @property
    def core(self) -> tuple[str, ...]:
        return tuple(code for code in self.covered if code in CORE)

    @property
    def extended(self) -> tuple[str, ...]:
        return tuple(code for code in self.covered if code in EXTENDED)

    def line(self) -> str:
        """One log line: what is covered and what falls back."""
        if self.provider == "none":
            return (
                "translation: no provider (offline); every language falls back to the "
                "phrasebook, English and Slovenian, or the original text"
            )
        if not self.known:
            return (
                f"translation: {self.provider} languages unknown (its list cannot be read now); "
                "every pair is tried and falls back when it fails"
            )
        return (
            f"translation: {self.provider} covers core {_words(self.core)}; "
            f"extended {_words(self.extended)}; falls back: {_words(self.falls_back)}"
        )


def _words(codes: tuple[str, ...]) -> str:
    return " ".join(codes) or "none"


def coverage(translator: Translator) -> Coverage:
    """What ``translator``'s provider covers (asks it for its languages when not known yet)."""
    every = tuple(LANGUAGES)
    if not translator.enabled:
        return Coverage("none", (), every)
    covered: list[str] = []
    known = True
    for code in every:
        answers = [
            translator.supports(a, b)
            for partner in (WORKING, FALLBACK)
            if partner != code
            for a, b in ((code, partner), (partner, code))
        ]
        if None in answers:
            known = False
        elif all(answers):
            covered.append(code)
    falls_back = tuple(code for code in every if code not in covered)
    return Coverage(translator.provider, tuple(covered), falls_back, known)


def log_coverage(translator: Translator) -> Coverage:
    """Log the coverage line once (at INFO); the coverage, for the caller. With a
    provider the glossary is read here too, so a broken glossary file stops the start
    rather than the first translation."""
    found = coverage(translator)
    if translator.enabled:
        translator.glossary  # noqa: B018  # read and checked now
    logger.info(found.line())
    return found
