"""Every channel's user messages pass through here on their way to Rasa.

The web chat, the widget's live connection and Telegram all call
``Conversations.handle``. Interceptors run first: one that returns messages has
taken the turn (an open counsellor case, for example, takes the user's
messages while a person answers), and Rasa is not asked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from bot.rasa_client import BotMessage, RasaClient
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


class Interceptor(Protocol):
    async def __call__(self, user: User, text: str) -> list[BotMessage] | None: ...


class Conversations:
    """Relays a user's message to Rasa unless an interceptor takes it."""

    def __init__(self, rasa: RasaClient, contacts: Contacts | None = None) -> None:
        self.rasa = rasa
        self.contacts = contacts
        self.interceptors: list[Interceptor] = []
        self._known: dict[str, str | None] = {}

    def add_interceptor(self, interceptor: Interceptor) -> None:
        self.interceptors.append(interceptor)

    async def handle(self, user: User, text: str) -> list[BotMessage]:
        """One user turn; raises ``RasaUnavailable`` when Rasa cannot answer."""
        await self._remember(user)
        for interceptor in self.interceptors:
            taken = await interceptor(user, text)
            if taken is not None:
                return taken
        metadata: dict[str, Any] = {"channel": user.channel, "language": user.language_hint}
        return await self.rasa.send(user.user_id, text, metadata)

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

    def forget(self, user_id: str) -> None:
        self._known.pop(user_id, None)
