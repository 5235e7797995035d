"""Logs at the default level hold no message text, no raw id and no pseudonym.

In process: the gateway (web chat and Telegram), Rasa's tracker store and the
privacy actions go through a whole conversation, a deletion and a failure whose
exception quotes the message; every log record at INFO is searched for the
words and ids. ``test_stack_logs.py`` does the same across the three real
processes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import actions.privacy
from bot.app import create_app
from pes.db import Database
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.bot_api import BotApi, bot_api, message
from tests.standins.rasa_turns import RasaTurns

KEY = from_env({}).gateway.pseudonym_key
SESSION = "logcheck-session-0042"
TELEGRAM_USER = 987654321
WORDS = ("tangerine walrus 9931", "zebra quokka 4711", "ocelot marmalade 5150")


def secrets() -> list[str]:
    """What must never be in a log line: the words, the raw ids, the pseudonyms."""
    ids = [pseudonym(KEY, "web", SESSION), pseudonym(KEY, "telegram", str(TELEGRAM_USER))]
    words = [w for phrase in WORDS for w in phrase.split()]
    return [*words, SESSION, str(TELEGRAM_USER), *ids, *(i.split("-", 1)[1] for i in ids)]


def leaks(text: str) -> list[str]:
    return [s for s in secrets() if s in text]


@pytest.fixture
def api() -> Iterator[BotApi]:
    with bot_api() as stand_in:
        yield stand_in


async def settle(check: Any, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_a_conversation_leaves_no_trace_in_the_logs(
    aiohttp_client: Any,
    api: BotApi,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(actions.privacy, "default_database", lambda: database)
    turns = RasaTurns()
    settings = from_env({"TELEGRAM_TOKEN": api.token, "TELEGRAM_API_URL": api.url}).gateway
    with caplog.at_level(logging.INFO):  # the level every process runs at by default
        client: TestClient = await aiohttp_client(
            create_app(settings, rasa=turns.client(), database=database)
        )

        async def say(text: str) -> int:
            body = {"session": SESSION, "message": text, "lang": "en"}
            return (await client.post("/api/chat", json=body)).status

        assert await say(WORDS[0]) == 200
        assert await say("/delete_my_data") == 200
        assert await say("/affirm") == 200
        assert await say(WORDS[0] + " " + "x" * 3000) == 413

        def fail(sender: str) -> None:
            raise ValueError(f"cannot save {sender}: {WORDS[2]}")  # an error quoting everything

        turns.before_save = fail
        assert await say(WORDS[2]) == 500  # answered politely, logged without the text
        turns.before_save = None

        api.push({"message": message(TELEGRAM_USER, WORDS[1], language_code="fa")})
        api.push({"message": message(TELEGRAM_USER, "/delete")})
        await settle(lambda: len(api.sent("sendMessage")) >= 3)
        api.push(
            {
                "callback_query": {
                    "id": "cb-log-1",
                    "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": WORDS[1]},
                    "chat_instance": "x",
                    "data": "/affirm",
                    "message": {
                        **message(TELEGRAM_USER, "?"),
                        "from": {"id": 4242, "is_bot": True, "first_name": "B"},
                    },
                }
            }
        )
        await settle(lambda: len(api.sent("sendMessage")) >= 4)

    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any(r.name == "bot.app" and "ValueError" in r.getMessage() for r in caplog.records)
    assert any("personal data erased on request" in r.getMessage() for r in caplog.records)
    assert leaks(text) == [], text
