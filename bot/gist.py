"""The automatic summary (gist) of a person's message in a case, for the console.

What Rasa's model understood of the message (``RasaClient.parse``: a parse only, no
conversation turn, so the assistant still does not answer), made into a
:class:`pes.gist.Gist` (language, topic, programmes, city, status, dates) and kept
in the case. When Rasa cannot be asked, or its parse has no language detection,
the gateway's own detection (``language.detect``) is used, so there is always at
least the language. ``bot/handoff.py`` makes one in the background as each
message reaches the case; the case page (``bot/console/cases.py``) asks here for
messages from before the case. No translation provider is needed, and nothing
here logs what the person wrote.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, Protocol

from common.clock import local
from language.detect import DETECTION_KEY, DETECTOR
from pes.cases import USER, Case, CaseMessage, CaseStore
from pes.gist import Gist, gist_of


class Parser(Protocol):
    """What the model understood of a text, without a turn (``RasaClient.parse``)."""

    async def parse(
        self, text: str, sender: str, *, hint: str | None = None
    ) -> dict[str, Any] | None: ...


class Gists:
    """Makes and keeps the gists of a case's messages."""

    def __init__(self, store: CaseStore, parser: Parser | None = None) -> None:
        self.store = store
        self.parser = parser

    async def gist_for(self, message: CaseMessage, case: Case) -> Gist | None:
        """The automatic summary of a person's message: the stored one, or one made now
        and kept. ``None`` for the assistant's and counsellors' messages and buttons."""
        stored = Gist.from_json(message.gist)
        if stored is not None or message.author != USER or message.text.startswith("/"):
            return stored
        gist = await self.make(
            message.text,
            case.user_id,
            hint=message.language or case.language,
            today=local(message.created_at).date(),
        )
        await asyncio.to_thread(self.store.set_gist, message.id, gist.to_json())
        return gist

    async def make(self, text: str, sender: str, *, hint: str | None, today: date) -> Gist:
        """What the model understood of ``text``; the gateway's own language detection
        where Rasa cannot be asked (or its parse has none)."""
        parsed = await self.parser.parse(text, sender, hint=hint) if self.parser else None
        parse = dict(parsed or {})
        if not isinstance(parse.get(DETECTION_KEY), dict):
            detection = await asyncio.to_thread(DETECTOR.detect, text)
            parse[DETECTION_KEY] = detection.as_dict()
        return await asyncio.to_thread(lambda: gist_of(parse, text, today=today))
