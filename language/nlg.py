"""The localising NLG: every reply, from rules and from actions, in the user's language.

Configured in ``endpoints.yml`` as ``nlg: {type: language.nlg.LocalisedNLG}``, so
it runs inside the Rasa server and every channel (the gateway, ``rasa shell``)
gets the same replies. It reads the conversation's ``language`` slot, which the
``action_resolve_language`` slot mapping keeps up to date after each message.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from language.catalogue import Catalogue, MissingReply
from language.languages import FALLBACK, is_core

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


def reply_language(tracker: DialogueStateTracker) -> str:
    """The core language replies are written in (English for other languages, for now)."""
    lang = tracker.get_slot(LANGUAGE_SLOT)
    return lang if is_core(lang) else FALLBACK


class LocalisedNLG(NaturalLanguageGenerator):
    """Renders reply keys from ``data/locales/<lang>.yml``."""

    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        # A broken locale file stops the server here, with file and line.
        self.catalogue = Catalogue.load()
        if domain is not None:
            missing = [key for key in domain.responses if not self.catalogue.has(key)]
            if missing:
                raise MissingReply(f"responses without a text in data/locales: {missing}")

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        lang = reply_language(tracker)
        try:
            return self.catalogue.render(utter_action, lang, **kwargs)
        except (MissingReply, KeyError) as exc:
            logger.error("no reply for key %s (%s): %s", utter_action, lang, type(exc).__name__)
            return None
