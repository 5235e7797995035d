"""Privacy in the gateway: the first-contact notice, erasure after the turn, retention.

After every turn Rasa answered (``Conversations.add_after_turn``):

- **Erasure.** ``action_delete_my_data`` (``actions/privacy.py``) erases every
  store of ``pes.erasure.personal_data_stores`` itself and sends the custom
  message ``{"erase_conversation": <sender>}``. Rasa's own conversation rows can
  only be erased once Rasa has saved the turn (``pes/tracker_events.py`` says
  why), which it has when its answer reaches the gateway: this hook then
  deletes the sender's rows from the ``events`` table, forgets the remembered
  channel address, and drops the marker so no channel ever shows it.
- **First-contact notice.** When the conversation holds exactly one user
  message (a new person, or one whose data was erased or has expired), the
  short notice ``privacy.notice`` follows the replies, in the conversation's
  language (English for languages without written replies), with a button to
  the long version (``/privacy_info``). The widget may show the same key on
  first open: ``notice_message``. A reply to someone in danger
  (``utter_urgent_help``, 112 and the helplines) goes alone: the notice waits
  for the first reply that is not about danger (calls for urgent help do not
  count as the first message, ``TrackerEvents.first_contact``).

Retention: ``RetentionJob`` runs ``pes.retention.purge`` a minute after start
and then every six hours, with ``RETENTION_DAYS`` (90 by default).

Nothing here logs an id or a text; only counts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from cachetools import LRUCache
from sqlalchemy.exc import SQLAlchemyError

from bot.conversation import Conversations, User
from bot.keys import CATALOGUE, CONVERSATIONS, DATABASE, SETTINGS
from bot.periodic import Periodic
from bot.rasa_client import BotMessage
from language.catalogue import Catalogue
from language.languages import reply_language
from pes.db import Database
from pes.retention import purge
from pes.tracker_events import ERASE_MARKER, TrackerEvents

logger = logging.getLogger(__name__)

NOTICE_KEY = "privacy.notice"
URGENT_REPLIES = frozenset({"utter_urgent_help"})  # answers to danger: nothing glued on
RETENTION_INTERVAL = 6 * 3600.0
RETENTION_FIRST_RUN = 60.0
SEEN_LIMIT = 100_000


def notice_message(catalogue: Catalogue, lang: str | None, days: int) -> dict[str, Any]:
    """The short privacy notice as a reply (``text``, ``buttons``) in ``lang``'s reply language."""
    return catalogue.render(NOTICE_KEY, reply_language(lang), days=days)


def is_marker(message: BotMessage) -> bool:
    return bool(message.custom and ERASE_MARKER in message.custom)


def is_urgent(replies: list[BotMessage]) -> bool:
    """Whether the turn answered someone in danger."""
    return any(m.response in URGENT_REPLIES for m in replies)


class PrivacyHook:
    """The after-turn hook: erase on request, or add the notice to a first contact."""

    def __init__(
        self,
        conversations: Conversations,
        events: TrackerEvents,
        catalogue: Catalogue,
        days: int,
    ) -> None:
        self.conversations = conversations
        self.events = events
        self.catalogue = catalogue
        self.days = days
        # Users known not to be first contacts (or just told), least recently seen out.
        self._seen: LRUCache[str, bool] = LRUCache(maxsize=SEEN_LIMIT)
        self.pending: set[str] = set()  # erasures that failed; the retention job retries them

    async def __call__(self, user: User, replies: list[BotMessage]) -> list[BotMessage]:
        markers = [m for m in replies if is_marker(m)]
        if markers:
            replies = [m for m in replies if not is_marker(m)]
            if any(m.custom and m.custom.get(ERASE_MARKER) == user.user_id for m in markers):
                await self.erase(user.user_id)
            return replies
        if user.notice_shown:
            return replies
        if is_urgent(replies):  # the notice waits for the next reply (not marked seen)
            return replies
        if self._seen.get(user.user_id):  # marks it recently used
            return replies
        try:
            first, lang = await asyncio.to_thread(self.events.first_contact, user.user_id)
        except SQLAlchemyError as exc:
            logger.warning("first-contact check failed: %s", type(exc).__name__)
            return replies
        self._seen[user.user_id] = True
        if not first:
            return replies
        notice = notice_message(self.catalogue, lang or user.language_hint, self.days)
        return [*replies, BotMessage.from_rasa(notice)]

    async def erase(self, user_id: str) -> None:
        """Delete the sender's conversation rows (Rasa has saved the turn by now)."""
        self.conversations.forget(user_id)
        self._seen.pop(user_id, None)
        try:
            erased = await asyncio.to_thread(self.events.forget, user_id)
        except SQLAlchemyError as exc:
            self.pending.add(user_id)
            logger.error("conversation erasure failed, will retry: %s", type(exc).__name__)
            return
        self.pending.discard(user_id)
        self.conversations.mark_erased(user_id)
        logger.info("conversation erased on request: %d events", erased)

    async def retry_pending(self) -> None:
        for user_id in list(self.pending):
            await self.erase(user_id)


class RetentionJob:
    """Purges what is older than the retention period, now and then."""

    def __init__(
        self,
        database: Database,
        days: int,
        conversations: Conversations,
        hook: PrivacyHook | None = None,
        *,
        interval: float = RETENTION_INTERVAL,
        first_run: float = RETENTION_FIRST_RUN,
    ) -> None:
        self.database = database
        self.days = days
        self.conversations = conversations
        self.hook = hook
        self.rounds = Periodic(
            "retention",
            self.run_once,
            interval=interval,
            first_delay=first_run,
            failure_level=logging.ERROR,
        )

    async def run_once(self) -> dict[str, int]:
        if self.hook is not None:
            await self.hook.retry_pending()
        erased = await asyncio.to_thread(purge, self.database, self.days)
        # Contacts may have been purged: let the next message write the address again.
        self.conversations.forget()
        logger.info(
            "retention (%d days): erased %s",
            self.days,
            ", ".join(f"{name} {count}" for name, count in erased.items()),
        )
        return erased

    def start(self) -> None:
        self.rounds.start()

    async def stop(self) -> None:
        await self.rounds.stop()


PRIVACY: web.AppKey[PrivacyHook] = web.AppKey("privacy", PrivacyHook)
RETENTION: web.AppKey[RetentionJob] = web.AppKey("retention", RetentionJob)


def setup_privacy(app: web.Application) -> None:
    """The after-turn hook (notice, erasure) and the retention job."""
    settings = app[SETTINGS]
    hook = PrivacyHook(
        app[CONVERSATIONS],
        TrackerEvents(app[DATABASE]),
        app[CATALOGUE],
        settings.retention_days,
    )
    app[PRIVACY] = hook
    app[CONVERSATIONS].add_after_turn(hook)
    job = RetentionJob(app[DATABASE], settings.retention_days, app[CONVERSATIONS], hook)
    app[RETENTION] = job

    async def start(app: web.Application) -> None:
        job.start()

    async def stop(app: web.Application) -> None:
        await job.stop()

    app.on_startup.append(start)  # type: ignore[arg-type]  # aiohttp 3.9 types
    app.on_shutdown.append(stop)  # type: ignore[arg-type]  # before run_app waits for tasks
