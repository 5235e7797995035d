"""The conversation's language: kept in the ``language`` slot, chosen or detected."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import latest_entity
from common.payload import payload
from language import translation
from language.languages import CORE, LANGUAGES, is_core, normalise_code
from language.resolution import after_message


class ActionResolveLanguage(Action):
    """Custom slot mapping run after every user message: sets ``language``."""

    def name(self) -> str:
        return "action_resolve_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        changes = after_message(
            tracker.latest_message,
            tracker.slots,
            translation_enabled=translation.default().enabled,
        )
        return [SlotSet(name, value) for name, value in changes.items()]


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
