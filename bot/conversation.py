"""Every channel's user messages pass through here on their way to Rasa.

The web chat, the widget's live connection and Telegram all call
``Conversations.handle``. Interceptors run first: one that returns messages has
taken the turn (an open counsellor case, for example, takes the user's
messages while a person answers), and Rasa is not asked. Every text is first
cleaned of invisible and control characters (``bot.security.clean_text``);
after-turn hooks see Rasa's replies before the channel does (``bot/privacy.py``
adds the first-contact notice and erases a conversation on request).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from bot.rasa_client import BotMessage, RasaClient
from bot.security import clean_text
from pes.outbox import Contacts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    """Who wrote: the channel, the pseudonymous id Rasa and the database see, and the
    channel's address for reaching them later (a Telegram chat id; ``None`` on the web)."""

    channel: str
    user_id: str
    address: str | None = None
    language_hint: str | None = None
    # The channel showed the short privacy notice itself (the widget, on first open),
    # so the first reply does not repeat it.
    notice_shown: bool = False


class Interceptor(Protocol):
    async def __call__(self, user: User, text: str) -> list[BotMessage] | None: ...


class AfterTurn(Protocol):
    async def __call__(self, user: User, replies: list[BotMessage]) -> list[BotMessage]: ...


class Conversations:
    """Relays a user's message to Rasa unless an interceptor takes it."""

    def __init__(self, rasa: RasaClient, contacts: Contacts | None = None) -> None:
        self.rasa = rasa
        self.contacts = contacts
        self.interceptors: list[Interceptor] = []
        self.after_turn: list[AfterTurn] = []
        self._known: dict[str, str | None] = {}
        self._erased: set[str] = set()

    def add_interceptor(self, interceptor: Interceptor) -> None:
        self.interceptors.append(interceptor)

    def add_after_turn(self, hook: AfterTurn) -> None:
        """``hook(user, replies) -> replies`` runs after each turn Rasa answered."""
        self.after_turn.append(hook)

    async def handle(self, user: User, text: str) -> list[BotMessage]:
        """One user turn; raises ``RasaUnavailable`` when Rasa cannot answer."""
        text = clean_text(text)
        await self._remember(user)
        for interceptor in self.interceptors:
            taken = await interceptor(user, text)
            if taken is not None:
                return taken
        metadata: dict[str, Any] = {"channel": user.channel, "language": user.language_hint}
        replies = await self.rasa.send(user.user_id, text, metadata)
        for hook in self.after_turn:
            replies = await hook(user, replies)
        return replies

    async def _remember(self, user: User) -> None:
        """Keep the channel address (only channels that have one) to reach the user later."""
        if self.contacts is None or user.address is None:
            return
        if self._known.get(user.user_id) == user.address:
            return
        contacts = self.contacts
        await asyncio.to_thread(
            contacts.remember, user.user_id, user.channel, user.address, user.language_hint
        )
        if len(self._known) > 50_000:
            self._known.clear()
        self._known[user.user_id] = user.address

    def mark_erased(self, user_id: str) -> None:
        """The person asked for their data to be erased and it was: remember that until
        the channel has told its client (``take_erased``), so the browser forgets too."""
        if len(self._erased) > 10_000:
            self._erased.clear()
        self._erased.add(user_id)

    def take_erased(self, user_id: str) -> bool:
        """Whether this person's data was erased since the last call (once)."""
        if user_id in self._erased:
            self._erased.discard(user_id)
            return True
        return False

    def forget(self, user_id: str | None = None) -> None:
        """Forget the remembered address of one user (or of everyone, after a purge)."""
        if user_id is None:
            self._known.clear()
        else:
            self._known.pop(user_id, None)
