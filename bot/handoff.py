"""While a counsellor has a person's case, the person's messages go to the case, not to Rasa.

The action server opens cases (``actions/handoff.py``); the gateway notices
them here:

- :class:`Handoff` is the interceptor of ``Conversations``: a message from a
  person with an open case is stored in the case (and machine translated into
  Slovenian for the counsellor when a provider is configured), consoles are told
  at once, and the person always gets a reply in the case's language. At most
  once a minute (``ACK_EVERY``, kept in the case row so gateway replicas share
  it) it is the full acknowledgement: the message reached the counsellor; the
  people before them in the queue (``CaseReader.ahead_of``, as the action server
  counts them when the case opens) or, once the counsellor has replied, that the
  counsellor is on it; and 112 (with the police, 113, for an urgent case). Within
  that minute it is one short line, ``handoff.received``. Rasa is not asked, so
  the assistant does not answer; once the case is closed the next message goes
  to Rasa again.
  ``/handoff_cancel`` (the "back to the assistant" button) closes the case with
  the outcome ``withdrawn``; so does ``/delete_my_data``, which then goes on to
  Rasa (erasure must never wait for a counsellor).
- :meth:`Handoff.reply` sends a counsellor's reply: translated into the person's
  language when a provider is configured (marked as machine translated),
  otherwise as written with a line in the person's language offering an
  interpreter; recorded and queued in the outbox in one transaction, then the
  delivery worker is woken.
- :meth:`Handoff.reply_phrase` sends a phrase of the phrasebook (``pes/phrasebook.py``):
  written by people in the core languages, so it arrives in the person's language
  without the "machine translated" line even with no provider; for the other
  languages it is the English phrase, sent as a reply written in English.
  :meth:`Handoff.compose_phrase` is what the console previews, and
  :meth:`Handoff.back_translate` shows a free-text reply's translation and its
  translation back, to catch a mistranslation before it is sent.
- :meth:`Handoff.translation_for` translates a case's message for the console's
  case page, keeping a translation into the working language in the case.
- Each person's message gets its automatic summary (``bot/gist.py``, ``Handoff.gists``)
  in the background; no translation provider is needed.
- ``bot/casewatch.py``'s :class:`CaseWatch` tells the consoles when a case changes.

Nothing here logs message text or user ids, and what people and counsellors write
is translated with ``cache=False`` (kept in the case, not in the translator's memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.casewatch import CaseWatch
from bot.conversation import User
from bot.delivery import Deliverer
from bot.gist import Gists, Parser
from bot.rasa_client import BotMessage
from common.clock import utcnow
from language.catalogue import Catalogue, mark_direction
from language.languages import FALLBACK, LANGUAGES, WORKING, is_core, is_known
from language.translation import TranslationUnavailable, Translator
from pes.cases import BOT, USER, Case, CaseError, CaseMessage, CaseStore
from pes.phrasebook import Phrasebook

try:  # the scale work's metrics module; the console works without it
    from bot import metrics
except ImportError:  # pragma: no cover
    metrics = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

CANCEL = "/handoff_cancel"
ACK_EVERY = timedelta(minutes=1)  # at most one full acknowledgement a minute per case
PASS_THROUGH = frozenset({"/delete_my_data"})  # the Telegram /delete command, the button
PERSON = "person"  # the audit log's actor when the person themself closes their case


@dataclass(frozen=True)
class Composed:
    """A counsellor's reply as the person receives it."""

    sent: str  # the whole text sent (before the Telegram label)
    translation: str | None  # the reply in the person's language, when it is not ``sent``
    machine: bool  # machine translated (the person is told)
    own: str = ""  # a phrase in the counsellor's language (what the case records)


@dataclass(frozen=True)
class BackTranslation:
    """A free-text reply machine translated, and that translation translated back."""

    translation: str | None
    back: str | None
    problem: str | None  # "same_language", "no_provider", "unavailable", "back_unavailable"


class Handoff:
    """The interceptor and the counsellor's way back to the person."""

    def __init__(
        self,
        store: CaseStore,
        catalogue: Catalogue,
        translator: Translator,
        deliverer: Deliverer,
        watch: CaseWatch | None = None,
        parser: Parser | None = None,
        *,
        phrasebook: Phrasebook,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.translator = translator
        self.deliverer = deliverer
        self.watch = watch
        self.gists = Gists(store, parser)  # the automatic summaries (bot/gist.py)
        self.phrasebook = phrasebook  # one per app (bot.keys.PHRASEBOOK), checked at start
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the person's side ----------------------------------------------------------

    async def intercept(self, user: User, text: str) -> list[BotMessage] | None:
        """Take the turn while the person has an open case; ``None`` lets Rasa answer."""
        if text.strip() == CANCEL:
            return await self._cancel(user)
        case = await asyncio.to_thread(self.store.current, user.user_id)
        if case is None:
            return None
        if text.strip() in PASS_THROUGH:  # "delete my data" must reach the assistant
            with contextlib.suppress(CaseError):
                await asyncio.to_thread(self.store.close, case.id, PERSON, "withdrawn", force=True)
            self._poke()
            return None
        try:
            message = await asyncio.to_thread(
                self.store.add_message, case.id, USER, text, case.language
            )
        except CaseError:  # closed a moment ago: the assistant answers again
            return None
        if metrics is not None:
            metrics.record_message(user.channel, case.language)
        self._poke()
        self._translate_later(message)
        self._gist_later(message, case)
        if await asyncio.to_thread(self.store.should_notice, case.id, ACK_EVERY):
            return [BotMessage(text=await self.acknowledgement(case))]
        return [BotMessage(text=await self.text_for("handoff.received", case.language))]

    async def acknowledgement(self, case: Case) -> str:
        """The full acknowledgement of a message into ``case``, in the case's language:
        it reached the counsellor; the place in the queue, or that the counsellor is on
        it; and whom to call in danger."""
        lang = case.language
        lines = [await self.text_for("handoff.forwarded", lang)]
        if case.first_reply_at is not None:
            lines.append(await self.text_for("handoff.counsellor_on_it", lang))
        else:
            ahead = await asyncio.to_thread(self.store.ahead_of, case)
            if ahead:
                lines.append(await self.text_for("handoff.queue_place", lang, ahead=ahead))
            else:
                lines.append(await self.text_for("handoff.queue_next", lang))
        danger = "handoff.emergency_line" if case.urgent else "handoff.danger_line"
        lines.append(await self.text_for(danger, lang))
        return "\n".join(lines)

    async def _cancel(self, user: User) -> list[BotMessage]:
        case = await asyncio.to_thread(self.store.current, user.user_id)
        lang = case.language if case else (user.language_hint or FALLBACK)
        if case is not None:
            with contextlib.suppress(CaseError):
                await asyncio.to_thread(self.store.close, case.id, PERSON, "withdrawn", force=True)
            self._poke()
        return [BotMessage(text=await self.text_for("handoff.resumed", lang))]

    def _translate_later(self, message: CaseMessage) -> None:
        source = message.language or FALLBACK
        if not self.translator.enabled or source == WORKING or not is_known(source):
            return
        task = asyncio.get_running_loop().create_task(self._translate(message, source))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _translated(
        self, text: str, source: str, target: str, *, cache: bool = False
    ) -> str | None:
        """``text`` translated off the event loop, or None when it cannot be now (the
        translator has counted and logged why). ``cache`` only for the assistant's words:
        a person's or a counsellor's text is never kept."""
        try:
            return await asyncio.to_thread(
                self.translator.translate, text, source, target, cache=cache
            )
        except TranslationUnavailable:
            return None

    async def _translate(self, message: CaseMessage, source: str) -> None:
        text = await self._translated(message.text, source, WORKING)
        if text is None:
            return  # the console translates on view, or shows the original only
        await asyncio.to_thread(self.store.set_translation, message.id, text, WORKING)
        self._poke()

    def _gist_later(self, message: CaseMessage, case: Case) -> None:
        task = asyncio.get_running_loop().create_task(self._gist(message, case))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _gist(self, message: CaseMessage, case: Case) -> None:
        try:
            made = await self.gists.gist_for(message, case)
        except Exception as exc:  # a summary is a help, never a failure of the message
            logger.warning("gist failed: %s", type(exc).__name__)
            return
        if made is not None:
            self._poke()

    async def drain(self) -> None:
        """Wait for the translations and summaries started so far (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- the console's view of a case -------------------------------------------------

    async def translation_for(self, message: CaseMessage, source: str, viewer: str) -> str | None:
        """``message`` (written in ``source``) in the counsellor's language ``viewer``, or
        ``None`` when it cannot be translated now. A translation into the working
        language is kept in the case, so the next view reads it instead of asking again.
        The assistant's words may stay in the translator's cache; a person's not."""
        if not self.translator.enabled or source not in LANGUAGES:
            return None
        text = await self._translated(message.text, source, viewer, cache=message.author == BOT)
        if text is None:
            return None
        if viewer == WORKING:
            await asyncio.to_thread(self.store.set_translation, message.id, text, viewer)
        return text

    # --- words in the person's language ----------------------------------------------

    async def text_for(self, key: str, lang: str, **values: Any) -> str:
        """A catalogue text in ``lang``: written by people for the core languages,
        machine translated from English for the others (English when that fails).
        ``values`` fill its placeholders; they must not be anything a person wrote
        (the translation is cached)."""
        if is_core(lang):
            return mark_direction(self.catalogue.text(key, lang, **values), lang)
        english = self.catalogue.text(key, FALLBACK, **values)
        if self.translator.enabled and is_known(lang):
            text = await self._translated(english, FALLBACK, lang, cache=True)
            if text is not None:
                return mark_direction(text, lang)
        return english

    # --- the counsellor's side ---------------------------------------------------------

    async def compose(self, case: Case, text: str, language: str) -> tuple[str, str | None, bool]:
        """What the person receives for a counsellor's ``text`` written in ``language``:
        (the whole text sent, the translation or None, machine translated?)."""
        target = case.language
        if language == target:
            return text, None, False
        translated: str | None = None
        if self.translator.enabled and is_known(target):
            translated = await self._translated(text, language, target)
        if translated is not None:
            note = await self.text_for("handoff.reply_translated", target)
            return f"{mark_direction(translated, target)}\n\n{note}", translated, True
        note = await self.text_for("handoff.reply_untranslated", target)
        return f"{text}\n\n{note}", None, False

    async def compose_phrase(
        self, case: Case, phrase_id: str, values: Mapping[str, object], language: str
    ) -> Composed:
        """What the person receives for a phrase filled with ``values``; the counsellor
        writes in ``language`` (sl or en). A core language gets the phrase as people
        wrote it in that language, with no "machine translated" line; another language
        the English phrase, machine translated like any reply (``compose``). Raises
        ``RenderError`` / ``PhraseNotFound`` for a bad value or id: nothing is sent."""
        book, target = self.phrasebook, case.language
        own = book.render(phrase_id, language, values)
        if is_core(target):
            theirs = own if target == language else book.render(phrase_id, target, values)
            return Composed(theirs, None if theirs == own else theirs, False, own)
        sent, translation, machine = await self.compose(
            case, book.render(phrase_id, FALLBACK, values), FALLBACK
        )
        return Composed(sent, translation, machine, own)

    async def back_translate(self, case: Case, text: str, language: str) -> BackTranslation:
        """``text`` machine translated into the person's language and back into
        ``language``: the counsellor sees what the translation says before sending.
        Both are personal text (``cache=False``)."""
        target = case.language
        if language == target:
            return BackTranslation(None, None, "same_language")
        if not self.translator.enabled or not is_known(target):
            return BackTranslation(None, None, "no_provider")
        there = await self._translated(text, language, target)
        if there is None:
            return BackTranslation(None, None, "unavailable")
        back = await self._translated(there, target, language)
        if back is None:
            return BackTranslation(mark_direction(there, target), None, "back_unavailable")
        return BackTranslation(mark_direction(there, target), back, None)

    async def reply(
        self, case: Case, counsellor: str, text: str, language: str, *, force: bool = False
    ) -> CaseMessage:
        """Send a counsellor's reply to the person (through the outbox) and record it."""
        sent_text, translation, machine = await self.compose(case, text, language)
        return await self._send(
            case, counsellor, text, language, Composed(sent_text, translation, machine), force
        )

    async def reply_phrase(
        self,
        case: Case,
        counsellor: str,
        phrase_id: str,
        values: Mapping[str, object],
        language: str,
        *,
        force: bool = False,
    ) -> CaseMessage:
        """Send a phrase (``compose_phrase``); the case records it in the counsellor's
        ``language`` and, as its translation, the person's version."""
        composed = await self.compose_phrase(case, phrase_id, values, language)
        return await self._send(case, counsellor, composed.own, language, composed, force)

    async def _send(
        self,
        case: Case,
        counsellor: str,
        text: str,
        language: str,
        composed: Composed,
        force: bool,
    ) -> CaseMessage:
        sent_text, translation, machine = composed.sent, composed.translation, composed.machine
        if case.channel != "web":  # the web widget labels counsellor messages itself
            label = await self.text_for("handoff.reply_label", case.language)
            sent_text = f"{label}:\n{sent_text}"
        first = case.first_reply_at is None
        message = await asyncio.to_thread(
            lambda: self.store.reply(
                case.id,
                counsellor,
                text=text,
                language=language,
                sent={"text": sent_text},
                sent_language=case.language,
                translation=translation,
                machine_translated=machine,
                force=force,
            )
        )
        if first and metrics is not None:
            metrics.observe_queue_wait((utcnow() - case.opened_at).total_seconds())
        self.deliverer.wake()
        self._poke()
        return message

    async def close(self, case: Case, actor: str, outcome: str, *, force: bool = False) -> Case:
        """Close the case; the person is told that the assistant answers again."""
        farewell = {"text": await self.text_for("handoff.closed", case.language)}
        closed = await asyncio.to_thread(
            lambda: self.store.close(case.id, actor, outcome, farewell=farewell, force=force)
        )
        self.deliverer.wake()
        self._poke()
        return closed

    def _poke(self) -> None:
        if self.watch is not None:
            self.watch.poke()
