"""What the assistant keeps about a person, and erasing it on request.

``privacy_info`` → ``action_privacy_info``: the long notice, with the retention
period (``RETENTION_DAYS``) filled in.

``delete_my_data`` (also Telegram's ``/delete``) → ``utter_delete_my_data``
asks yes or no (buttons ``/affirm``, ``/deny``). "Yes" right after that
question → ``action_delete_my_data``, which

1. erases the person from every store of ``pes.erasure.personal_data_stores``
   (appointments, cases with their messages, queued messages, the channel
   address, ...);
2. tells them, in their language, what was erased;
3. sends the custom message ``{"erase_conversation": <sender>}``: the gateway
   erases Rasa's conversation rows once this turn has been saved
   (``bot/privacy.py``; ``pes/tracker_events.py`` says why not here), and
4. restarts the conversation, so nothing of it stays in memory either.

The translation cache holds no per-person text (``language/translation/``),
so there is nothing to erase there. Nothing is logged but counts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue, in_reply_languages
from pes.db import default_database
from pes.erasure import forget
from pes.settings import settings
from pes.tracker_events import ERASE_MARKER

logger = logging.getLogger(__name__)

ASK = "utter_delete_my_data"


def confirmed(tracker: Tracker) -> bool:
    """The latest message says yes, and the assistant's last action before it was the question."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "affirm":
        return False
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind == "action" and seen_user and event.get("name") != "action_listen":
            return bool(event.get("name") == ASK)
    return False


def erased_items(counts: dict[str, int], lang: str) -> str:
    """One line per kind of data that was erased; the conversation always."""
    cat = catalogue()
    names = ["conversation"] + [name for name, count in counts.items() if count > 0]
    lines = []
    for name in names:
        key = f"privacy.store.{name}"
        label = cat.text(key if cat.has(key) else "privacy.store.other", lang)
        line = f"• {label}"
        if line not in lines:
            lines.append(line)
    return "\n".join(lines)


class ActionPrivacyInfo(Action):
    """The long privacy notice."""

    def name(self) -> str:
        return "action_privacy_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="privacy.info", days=settings().retention_days)
        return []


class ActionDeleteMyData(Action):
    """Erases everything about the sender, once they have said yes."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not confirmed(tracker):
            dispatcher.utter_message(response=ASK)
            return []
        sender = tracker.sender_id
        counts = await asyncio.to_thread(forget, default_database(), sender)
        logger.info("personal data erased on request: %s", sum(counts.values()))
        items = in_reply_languages(tracker, lambda lang: {"items": erased_items(counts, lang)})
        dispatcher.utter_message(response="privacy.deleted", **items)
        dispatcher.utter_message(json_message={ERASE_MARKER: sender})
        return [Restarted(), FollowupAction("action_listen")]
