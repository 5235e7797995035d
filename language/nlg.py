"""The localising NLG: every reply, from rules and from actions, in the user's language.

Configured in ``endpoints.yml`` as ``nlg: {type: language.nlg.LocalisedNLG}``, so
it runs inside the Rasa server and every channel (the gateway, ``rasa shell``)
gets the same replies. It reads the conversation's ``language`` slot, which the
``action_resolve_language`` slot mapping keeps up to date after each message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from language import languages, translation
from language.catalogue import Catalogue, MissingReply, mark_direction
from language.languages import FALLBACK, WORKING, is_core, is_known

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


def reply_language(tracker: DialogueStateTracker) -> str:
    """The core language replies are written in (English for other languages, for now)."""
    return languages.reply_language(tracker.get_slot(LANGUAGE_SLOT))


class LocalisedNLG(NaturalLanguageGenerator):
    """Renders reply keys from ``data/locales/<lang>.yml``."""

    def __init__(
        self,
        endpoint_config: Any = None,
        domain: Any = None,
        *,
        translator: translation.Translator | None = None,
        **_: Any,
    ) -> None:
        # A broken locale file stops the server here, with file and line.
        self.catalogue = Catalogue.load()
        self.translator = translator or translation.default()
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
        wanted = tracker.get_slot(LANGUAGE_SLOT)
        lang = reply_language(tracker)
        try:
            # "language" rides along to the REST channel for the gateway's metrics.
            if wanted and is_known(wanted) and not is_core(wanted):
                return {
                    **await self._extended(utter_action, str(wanted), kwargs),
                    "language": wanted,
                }
            return {**self.catalogue.render(utter_action, lang, **kwargs), "language": lang}
        except (MissingReply, KeyError) as exc:
            logger.error("no reply for key %s (%s): %s", utter_action, lang, type(exc).__name__)
            return None

    async def _extended(self, key: str, lang: str, values: dict[str, Any]) -> dict[str, Any]:
        """A language without written replies: machine translated, or English and Slovenian."""
        english = self.catalogue.render(key, FALLBACK, **values)
        loop = asyncio.get_running_loop()
        # A reply filled in from someone's conversation is theirs: not kept in the cache.
        personal = bool(self.catalogue.entry(key, FALLBACK).placeholders)
        translate = functools.partial(self.translator.translate, cache=not personal)
        try:
            text = await loop.run_in_executor(None, translate, english["text"], FALLBACK, lang)
            notice = self.catalogue.text("translation.notice", lang)
            if not self.catalogue.has_own(lang, "translation.notice"):
                notice = await loop.run_in_executor(
                    None, self.translator.translate, notice, FALLBACK, lang
                )
            buttons = []
            for button in english.get("buttons", []):
                title = await loop.run_in_executor(
                    None, self.translator.translate, button["title"], FALLBACK, lang
                )
                buttons.append({**button, "title": mark_direction(title, lang)})
            message: dict[str, Any] = {"text": mark_direction(f"{text}\n\n{notice}", lang)}
            if buttons:
                message["buttons"] = buttons
            return message
        except translation.TranslationUnavailable:
            pass
        slovene = self.catalogue.render(key, WORKING, **values)
        offer = self.catalogue.text("translation.unavailable", lang)
        message = {
            "text": f"{mark_direction(offer, lang)}\n\n{english['text']}\n\n{slovene['text']}"
        }
        if english.get("buttons"):
            message["buttons"] = english["buttons"]
        return message
