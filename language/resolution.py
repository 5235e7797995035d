"""Which language a conversation is in: a pure function of what we know.

Order (strongest first):

1. an explicit choice: the ``choose_language`` intent with a language, a
   ``/language`` command or a language button; it sticks until the next choice;
2. a clear message: three words or more that the detector is confident about
   (someone writing whole sentences in Persian is answered in Persian even when
   their phone is set to English);
3. the channel's hint: Telegram's ``language_code``, the browser's language;
4. a shorter but still confident message (two words);
5. what the conversation had; English when it had nothing.

A one-word message ("ok", "da", "salam") never changes the language.
"""

from __future__ import annotations

from dataclasses import dataclass

from language.detect import Detection
from language.languages import FALLBACK, is_known

EXPLICIT = "explicit"
MESSAGE = "message"
CHANNEL = "channel"
DEFAULT = "default"


@dataclass(frozen=True)
class Resolution:
    language: str
    source: str


def resolve(
    *,
    current: str | None,
    current_source: str | None,
    chosen: str | None,
    hint: str | None,
    detection: Detection | None,
) -> Resolution:
    """The conversation's language after the latest user message."""
    if chosen and is_known(chosen):
        return Resolution(chosen, EXPLICIT)
    if current and current_source == EXPLICIT:
        return Resolution(current, EXPLICIT)
    if detection and detection.reliable and detection.words >= 3 and is_known(detection.language):
        return Resolution(str(detection.language), MESSAGE)
    if hint and is_known(hint) and current_source in (None, DEFAULT, CHANNEL):
        return Resolution(hint, CHANNEL)
    if detection and detection.reliable and is_known(detection.language):
        return Resolution(str(detection.language), MESSAGE)
    if current and is_known(current):
        return Resolution(current, current_source or DEFAULT)
    return Resolution(FALLBACK, DEFAULT)
