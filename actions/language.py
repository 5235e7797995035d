"""The conversation's language: kept in the ``language`` slot, chosen or detected."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import latest_entity, payload
from language import translation
from language.detect import Detection
from language.languages import CORE, LANGUAGES, is_core, normalise_code
from language.resolution import resolve


def _detection(tracker: Tracker) -> tuple[Detection | None, str | None]:
    raw = tracker.latest_message.get("language_detection") or {}
    if not isinstance(raw, dict) or not raw.get("language"):
        # Payloads (buttons, deep links, the widget's silent /greet) skip the NLU
        # pipeline: the channel's language hint is then only in the metadata.
        hint = raw.get("hint") if isinstance(raw, dict) else None
        metadata = tracker.latest_message.get("metadata") or {}
        if not hint and isinstance(metadata, dict):
            hint = metadata.get("language")
        return None, normalise_code(hint)
    detection = Detection(
        language=normalise_code(raw.get("language")),
        confidence=float(raw.get("confidence") or 0.0),
        words=int(raw.get("words") or 0),
    )
    return detection, normalise_code(raw.get("hint"))


class ActionResolveLanguage(Action):
    """Custom slot mapping run after every user message: sets ``language``."""

    def name(self) -> str:
        return "action_resolve_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        detection, hint = _detection(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        chosen = (
            normalise_code(latest_entity(tracker, "language"))
            if intent == "choose_language"
            else None
        )
        if chosen and not is_core(chosen) and not translation.default().enabled:
            # Without machine translation we cannot answer in an extended
            # language: the conversation keeps its language (and says so).
            chosen = None
        result = resolve(
            current=tracker.get_slot("language"),
            current_source=tracker.get_slot("language_source"),
            chosen=chosen,
            hint=hint,
            detection=detection,
        )
        events = []
        if result.language != tracker.get_slot("language"):
            events.append(SlotSet("language", result.language))
        if result.source != tracker.get_slot("language_source"):
            events.append(SlotSet("language_source", result.source))
        return events


def language_buttons() -> list[dict[str, str]]:
    return [
        {"title": LANGUAGES[code].native_name, "payload": payload("choose_language", language=code)}
        for code in CORE
    ]


class ActionChooseLanguage(Action):
    """Confirms a language choice, or offers the languages as buttons."""

    def name(self) -> str:
        return "action_choose_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen = normalise_code(latest_entity(tracker, "language"))
        if chosen is None:
            dispatcher.utter_message(response="language.ask", buttons=language_buttons())
        elif is_core(chosen) or translation.default().enabled:
            dispatcher.utter_message(response="language.changed")
        else:
            dispatcher.utter_message(response="language.not_supported")
        return []
