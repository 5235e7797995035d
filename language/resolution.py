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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from language.detect import Detection
from language.languages import FALLBACK, is_core, is_known, normalise_code

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


def detection_of(latest_message: Mapping[str, Any]) -> tuple[Detection | None, str | None]:
    """The detector's verdict and the channel's hint from a parsed user message."""
    raw = latest_message.get("language_detection") or {}
    if not isinstance(raw, dict) or not raw.get("language"):
        # Payloads (buttons, deep links, the widget's silent /greet) skip the NLU
        # pipeline: the channel's language hint is then only in the metadata.
        hint = raw.get("hint") if isinstance(raw, dict) else None
        metadata = latest_message.get("metadata") or {}
        if not hint and isinstance(metadata, dict):
            hint = metadata.get("language")
        return None, normalise_code(hint)
    detection = Detection(
        language=normalise_code(raw.get("language")),
        confidence=float(raw.get("confidence") or 0.0),
        words=int(raw.get("words") or 0),
    )
    return detection, normalise_code(raw.get("hint"))


def _chosen(latest_message: Mapping[str, Any]) -> str | None:
    intent = latest_message.get("intent") or {}
    if not isinstance(intent, dict) or intent.get("name") != "choose_language":
        return None
    for entity in latest_message.get("entities") or []:
        if (
            isinstance(entity, dict)
            and entity.get("entity") == "language"
            and entity.get("group") is None
            and entity.get("role") is None
        ):
            value = entity.get("value")
            return normalise_code(str(value)) if value is not None else None
    return None


def after_message(
    latest_message: Mapping[str, Any], slots: Mapping[str, Any], *, translation_enabled: bool
) -> dict[str, str]:
    """The ``language`` and ``language_source`` slots that change after a user message.

    ``latest_message`` is the parse result (Rasa's ``parse_data``); run by the
    ``action_resolve_language`` slot mapping after every message."""
    detection, hint = detection_of(latest_message)
    chosen = _chosen(latest_message)
    if chosen and not is_core(chosen) and not translation_enabled:
        # Without machine translation we cannot answer in an extended
        # language: the conversation keeps its language (and says so).
        chosen = None
    result = resolve(
        current=slots.get("language"),
        current_source=slots.get("language_source"),
        chosen=chosen,
        hint=hint,
        detection=detection,
    )
    changes = {}
    if result.language != slots.get("language"):
        changes["language"] = result.language
    if result.source != slots.get("language_source"):
        changes["language_source"] = result.source
    return changes
