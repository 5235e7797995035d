"""The turn memory: a message the gateway has answered is answered again from memory.

The widget resends its queue after a reconnect, so a message id can arrive twice
(or again while its first copy is still being answered). Each ``(user, message
id)`` is registered as a ``Turn`` the moment it is taken; a copy joins that turn
and gets the same reply frames, and Rasa is asked once.

Turns are kept ``TURN_MEMORY_SECONDS`` and at most ``REMEMBERED_TURNS`` of them,
oldest out, but never one still being answered (a copy arriving then must join
it, not ask Rasa again): that is why this is an ``OrderedDict`` walked from its
oldest end rather than a ``cachetools`` cache, which evicts whatever is due.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

from bot.conversation import Conversations, User
from bot.rasa_client import RasaUnavailable
from bot.web.frames import reply_frame

logger = logging.getLogger(__name__)

REMEMBERED_TURNS = 5000  # answered message ids kept to answer a resend
TURN_MEMORY_SECONDS = 600.0


class Turn:
    """One answered (or being answered) message: its reply frames, for resends."""

    def __init__(self) -> None:
        self.done: asyncio.Future[list[dict[str, Any]] | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.at = time.monotonic()


class Turns:
    """The turn memory, and the running of a new turn through ``Conversations``."""

    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations
        self._turns: OrderedDict[tuple[str, str], Turn] = OrderedDict()

    def known(self, user_id: str, message_id: str) -> Turn | None:
        """The turn of this message when it was taken before (old turns are let go first)."""
        self._forget_old()
        return self._turns.get((user_id, message_id))

    def begin(self, user_id: str, message_id: str) -> Turn:
        """Register a new turn at once, so a copy that arrives while it runs joins it."""
        turn = Turn()
        self._turns[(user_id, message_id)] = turn
        return turn

    async def run(self, user: User, message_id: str, text: str, turn: Turn) -> None:
        """Ask Rasa (through the interceptors); the turn's result is the reply frames, or
        ``None`` when Rasa could not answer (then it is forgotten, so a resend tries again)."""
        frames: list[dict[str, Any]] | None = None
        try:
            replies = await self.conversations.handle(user, text)
            frames = [reply_frame(m, message_id, n) for n, m in enumerate(replies)]
            if self.conversations.take_erased(user.user_id):
                # "Delete my data" went through: the browser forgets its copy too.
                frames.append({"type": "erased", "reply_to": message_id})
        except RasaUnavailable:
            pass
        except Exception as exc:  # an interceptor's fault: a polite answer all the same
            logger.warning("widget turn failed: %s", type(exc).__name__)
        finally:
            if frames is None:
                self._turns.pop((user.user_id, message_id), None)
            turn.done.set_result(frames)

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - TURN_MEMORY_SECONDS
        while self._turns:
            key, turn = next(iter(self._turns.items()))
            if len(self._turns) <= REMEMBERED_TURNS and turn.at >= cutoff:
                break
            if not turn.done.done():  # the oldest is still being answered
                break
            del self._turns[key]
