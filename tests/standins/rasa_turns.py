"""Rasa's turn as far as privacy needs it: Rasa's own SQL tracker store, the real actions.

``RasaTurns`` answers the REST channel (``POST /webhooks/rest/webhook``) the way
Rasa does for the flows it knows: it loads the sender's tracker from Rasa's
``SQLTrackerStore`` (``runtime.stores.DatabaseTrackerStore`` on the test's
``DATABASE_URL``), logs the user message and the language slot, runs the
turn's actions (responses rendered from the catalogue, custom actions in
process through rasa-sdk, their events applied to the tracker), and saves the
tracker once the actions are done, as ``MessageProcessor.handle_message`` does.
Intents come from Rasa's payload syntax (``/affirm``); anything else is
``greet``. The dialogue is the rules of ``data/rules/privacy.yml``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionDeleteMyData, ActionPrivacyInfo
from bot.rasa_client import RasaClient
from language.catalogue import Catalogue
from language.languages import reply_language
from runtime.stores import DatabaseTrackerStore
from tests.conftest import ROOT

_STANDARD = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
ACTIONS = {a.name(): a for a in (ActionDeleteMyData(), ActionPrivacyInfo())}


class RasaTurns:
    def __init__(self) -> None:
        self.domain = Domain.load(str(ROOT / "domain.yml"))
        self.store = DatabaseTrackerStore(domain=self.domain)
        self.catalogue = Catalogue.load()
        self.before_save: Any = None  # called with the sender before the tracker is saved

    def _intent(self, text: str) -> str:
        return text[1:].split("{")[0] if text.startswith("/") else "greet"

    def _next(self, tracker: DialogueStateTracker, intent: str) -> list[str]:
        previous = [
            e.action_name
            for e in tracker.applied_events()
            if isinstance(e, ActionExecuted) and e.action_name != "action_listen"
        ]
        asked = bool(previous) and previous[-1] == "utter_delete_my_data"
        if intent == "affirm":
            return ["action_delete_my_data"] if asked else ["utter_ask_what_next"]
        if intent == "deny":
            return ["utter_delete_cancelled"] if asked else ["utter_ok_anything_else"]
        return {
            "delete_my_data": ["utter_delete_my_data"],
            "privacy_info": ["action_privacy_info"],
        }.get(intent, ["utter_greet"])

    def _render(self, key: str, tracker: DialogueStateTracker, **values: Any) -> dict[str, Any]:
        return self.catalogue.render(key, reply_language(tracker.get_slot("language")), **values)

    async def turn(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        tracker = await self.store.retrieve(sender)
        if tracker is None:
            tracker = DialogueStateTracker(sender, self.domain.slots)
            tracker.update(ActionExecuted("action_session_start"))
            tracker.update(SessionStarted())
            tracker.update(ActionExecuted("action_listen"))
        intent = self._intent(text)
        tracker.update(
            UserUttered(text, intent={"name": intent, "confidence": 1.0}, metadata=metadata)
        )
        hint = metadata.get("language")
        if tracker.get_slot("language") is None:
            tracker.update(SlotSet("language", hint if isinstance(hint, str) else "en"))
        out: list[dict[str, Any]] = []
        for name in self._next(tracker, intent):
            if name.startswith("utter_"):
                message = self._render(name, tracker)
                tracker.update(ActionExecuted(name))
                tracker.update(BotUttered(message["text"], {"buttons": message.get("buttons")}))
                out.append(message)
                continue
            state = tracker.current_state(EventVerbosity.AFTER_RESTART)
            dispatcher = CollectingDispatcher()
            events = await ACTIONS[name].run(dispatcher, Tracker.from_dict(state), {})
            tracker.update(ActionExecuted(name))
            for raw in dispatcher.messages:
                if raw.get("custom"):
                    message = {"custom": raw["custom"]}
                    tracker.update(BotUttered(None, {"custom": raw["custom"]}))
                else:
                    values = {k: v for k, v in raw.items() if k not in _STANDARD}
                    message = self._render(raw["response"], tracker, **values)
                    tracker.update(BotUttered(message["text"], {"buttons": message.get("buttons")}))
                out.append(message)
            for event in events:
                parsed = Event.from_parameters(event)
                if parsed is not None:
                    tracker.update(parsed)
        tracker.update(ActionExecuted("action_listen"))
        if self.before_save is not None:
            self.before_save(sender)
        await self.store.save(tracker)
        return [{"recipient_id": sender, **m} for m in out]

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/", "/health"):
            return httpx.Response(200, text="Hello from Rasa: 3.6.21")
        body = json.loads(request.content)
        replies = await self.turn(body["sender"], body["message"], body.get("metadata") or {})
        return httpx.Response(200, json=replies)

    def client(self) -> RasaClient:
        return RasaClient("http://rasa.test", transport=httpx.MockTransport(self.handler))
