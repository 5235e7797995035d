"""Which programmes exist and what each one is: answered from data/content/programmes.yml."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PesAction, catalogue, in_reply_languages, latest_entity
from common.payload import payload
from pes.content import PROGRAMME_IDS, Content

CARD_FIELDS = ("name", "summary", "for_whom", "duration", "what_you_get", "how_to_apply")


def programme_buttons(lang: str) -> list[dict[str, str]]:
    """One button per programme, titled in ``lang``."""
    return [
        {
            "title": catalogue().text(f"programme.{pid}.name", lang),
            "payload": payload("programme_details", programme=pid),
        }
        for pid in PROGRAMME_IDS
    ]


class ActionListProgrammes(PesAction):
    """Lists the programmes as buttons."""

    def name(self) -> str:
        return "action_list_programmes"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, data: Content
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="programmes.list_intro", buttons=programme_buttons(lang))
        return []


class ActionProgrammeDetails(PesAction):
    """Describes one programme; asks which when none was named."""

    def name(self) -> str:
        return "action_programme_details"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, data: Content
    ) -> list[dict[str, Any]]:
        pid = latest_entity(tracker, "programme") or tracker.get_slot("programme")
        programme = data.programmes.get(pid or "")
        if programme is None:
            dispatcher.utter_message(
                response="programmes.ask_which", buttons=programme_buttons(lang)
            )
            return []
        texts = in_reply_languages(
            tracker,
            lambda written: {
                f: catalogue().text(f"programme.{programme.id}.{f}", written) for f in CARD_FIELDS
            },
        )
        dispatcher.utter_message(response="programmes.card", source=programme.source, **texts)
        return [SlotSet("programme", programme.id)]
