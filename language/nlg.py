"""The localising NLG: every reply, from rules and from actions, in the user's language.

Configured in ``endpoints.yml`` as ``nlg: {type: language.nlg.LocalisedNLG}``, so
it runs inside the Rasa server and every channel (the gateway, ``rasa shell``)
gets the same replies. It reads the conversation's ``language`` slot, which the
``action_resolve_language`` slot mapping keeps up to date after each message.

A conversation in an extended language gets each reply machine translated, with
the notice that it was, or, when translation is off or fails, in English and
Slovenian under a line in the person's language. That notice (or line) comes
once per turn, on the turn's first message: a bot message that carries it says
so in its metadata (``language_notice``), and the messages one action sends
together are generated before Rasa adds any of them to the tracker, so the NLG
also remembers the turns it has told.

A reply whose text names the language it is written in ("I will continue in
English") has a ``<key>.en_sl`` variant for the English-and-Slovenian fallback,
so that both lines say the same thing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from language import languages, translation
from language.catalogue import Catalogue, MissingReply, mark_direction
from language.honest import HONEST_BUTTON_KEY, HONEST_KEY, HONEST_OFFICES_KEY
from language.languages import FALLBACK, WORKING, is_core, is_known

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"
NOTICE_FLAG = "language_notice"  # metadata of the bot message that carried this turn's notice
BOTH_SUFFIX = ".en_sl"  # the variant of a reply for the English-and-Slovenian fallback
TURNS_REMEMBERED = 10_000
NOT_UNDERSTOOD = "utter_default"  # the reply that becomes the honest answer (language/honest.py)


def _turn(tracker: DialogueStateTracker) -> str:
    """The turn the tracker is in: its latest user message."""
    latest = tracker.latest_message
    return f"{getattr(latest, 'timestamp', '')}/{getattr(latest, 'message_id', '')}"


def _told_in_tracker(tracker: DialogueStateTracker) -> bool:
    """Whether a bot message since the latest user message carried the notice."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(NOTICE_FLAG):
            return True
    return False


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
        self._told: OrderedDict[str, str] = OrderedDict()  # sender -> turn told
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
                notice = self._notice_due(tracker)
                message = await self._extended(utter_action, str(wanted), kwargs, notice=notice)
                if message.get(NOTICE_FLAG):
                    self._remember_told(tracker)
                return {**message, "language": wanted}
            return {**self.catalogue.render(utter_action, lang, **kwargs), "language": lang}
        except (MissingReply, KeyError) as exc:
            logger.error("no reply for key %s (%s): %s", utter_action, lang, type(exc).__name__)
            return None

    def _notice_due(self, tracker: DialogueStateTracker) -> bool:
        """Whether this turn has not had its language notice yet."""
        if self._told.get(tracker.sender_id) == _turn(tracker):
            return False
        return not _told_in_tracker(tracker)

    def _remember_told(self, tracker: DialogueStateTracker) -> None:
        self._told[tracker.sender_id] = _turn(tracker)
        self._told.move_to_end(tracker.sender_id)
        while len(self._told) > TURNS_REMEMBERED:
            self._told.popitem(last=False)

    async def _extended(
        self, key: str, lang: str, values: dict[str, Any], *, notice: bool = True
    ) -> dict[str, Any]:
        """A language without written replies: machine translated, or English and Slovenian.

        With ``notice`` the message carries the turn's notice (machine translated, or the
        line in the person's language above the English and Slovenian) and says so in
        ``NOTICE_FLAG``."""
        english = self.catalogue.render(key, FALLBACK, **values)
        loop = asyncio.get_running_loop()
        # A reply filled in from someone's conversation is theirs: not kept in the cache.
        personal = bool(self.catalogue.placeholders(key, **values))
        translate = functools.partial(self.translator.translate, cache=not personal)
        try:
            text = await loop.run_in_executor(None, translate, english["text"], FALLBACK, lang)
            if notice:
                told = self.catalogue.text("translation.notice", lang)
                if not self.catalogue.has_own(lang, "translation.notice"):
                    told = await loop.run_in_executor(
                        None, self.translator.translate, told, FALLBACK, lang
                    )
                text = f"{text}\n\n{told}"
            buttons = []
            for button in english.get("buttons", []):
                title = await loop.run_in_executor(
                    None, self.translator.translate, button["title"], FALLBACK, lang
                )
                buttons.append({**button, "title": mark_direction(title, lang)})
            message: dict[str, Any] = {"text": mark_direction(text, lang)}
            if buttons:
                message["buttons"] = buttons
            if notice:
                message[NOTICE_FLAG] = True
            return message
        except translation.TranslationUnavailable:
            pass
        if key == NOT_UNDERSTOOD and self.catalogue.has_own(lang, HONEST_KEY):
            return self._honest(lang)
        both = key + BOTH_SUFFIX if self.catalogue.has(key + BOTH_SUFFIX) else key
        if both != key:
            english = self.catalogue.render(both, FALLBACK, **values)
        slovene = self.catalogue.render(both, WORKING, **values)
        lines = [english["text"], slovene["text"]]
        if notice:
            lines.insert(
                0, mark_direction(self.catalogue.text("translation.unavailable", lang), lang)
            )
        message = {"text": "\n\n".join(lines)}
        if english.get("buttons"):
            message["buttons"] = english["buttons"]
        if notice:
            message[NOTICE_FLAG] = True
        return message

    def _honest(self, lang: str) -> dict[str, Any]:
        """The line written by people for a language not understood, with its buttons."""
        buttons = [
            {"title": self.catalogue.text(HONEST_BUTTON_KEY, lang), "payload": "/request_human"},
            {"title": self.catalogue.text(HONEST_OFFICES_KEY, lang), "payload": "/office_info"},
        ]
        return {
            "text": mark_direction(self.catalogue.text(HONEST_KEY, lang), lang),
            "buttons": [{**b, "title": mark_direction(b["title"], lang)} for b in buttons],
            NOTICE_FLAG: True,  # the line says it all: no other notice this turn
        }
