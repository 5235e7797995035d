"""The three real processes, as ``make run`` starts them: privacy end to end.

A web visitor and a Telegram user (a loopback stand-in Bot API) talk to the
assistant with distinctive words; the first reply carries the privacy notice;
both ask to delete their data, and the database holds no row about them
afterwards; finally every line the stack printed at the default log level is
searched for the words, the raw ids and the pseudonyms.

``RASA_MODEL`` chooses the model (default ``models/``); the deletion tests need
one trained with ``action_delete_my_data``.
"""

from __future__ import annotations

import os
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from pes.privacy import pseudonym
from pes.settings import from_env
from tests.conftest import ROOT
from tests.standins.bot_api import BotApi, bot_api, message
from tests.standins.stack import Stack as RunningStack
from tests.standins.stack import chat, running_stack, stack_env, stop

MODEL = Path(os.environ.get("RASA_MODEL") or ROOT / "models")
KEY = from_env({}).gateway.pseudonym_key
SESSION = "stackprivacy-0001"
TELEGRAM_USER = 876543210
WORDS = ("tangerine walrus 9931", "zebra quokka 4711")
WEB_ID = pseudonym(KEY, "web", SESSION)
TELEGRAM_ID = pseudonym(KEY, "telegram", str(TELEGRAM_USER))


def model_file() -> Path | None:
    if MODEL.is_file():
        return MODEL
    found = (
        sorted(MODEL.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if MODEL.is_dir() else []
    )
    return found[-1] if found else None


def model_knows(action: str) -> bool:
    path = model_file()
    if path is None:
        return False
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.name.endswith("domain_provider/domain.yml"):
                handle = archive.extractfile(member)
                return handle is not None and action in handle.read().decode()
    return False


pytestmark = pytest.mark.skipif(
    model_file() is None,
    reason="needs a trained model: `make train` (make test trains before it runs pytest)",
)
needs_privacy_model = pytest.mark.skipif(
    not model_knows("action_delete_my_data"),
    reason="the model predates action_delete_my_data: train again",
)


class Stack:
    """The running stack, its stand-in Bot API, and what the tests ask of both."""

    def __init__(self, api: BotApi, running: RunningStack) -> None:
        self.api = api
        self.running = running
        self.database_url = running.database_url
        self.port = running.port

    def chat(self, text_: str, lang: str = "en") -> list[dict[str, Any]]:
        return chat(self.port, SESSION, text_, lang)

    def rows(self, user_id: str) -> dict[str, int]:
        engine = create_engine(self.database_url)
        counts = {}
        with engine.connect() as connection:
            for table, column in (
                ("events", "sender_id"),
                ("contacts", "user_id"),
                ("outbox", "user_id"),
                ("cases", "user_id"),
                ("appointments", "user_id"),
            ):
                sql = text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :u")  # noqa: S608
                counts[table] = int(connection.execute(sql, {"u": user_id}).scalar_one())
        engine.dispose()
        return counts

    def stop(self) -> str:
        return stop(self.running)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with bot_api() as api:
        env = stack_env(
            tmp_path_factory.mktemp("stack"),
            drop=("LOG_FORMAT", "APP_ENV"),
            TELEGRAM_TOKEN=api.token,
            TELEGRAM_API_URL=api.url,
            **({"RASA_MODEL": str(MODEL)} if MODEL.is_file() else {}),
        )
        with running_stack(env) as running:
            yield Stack(api, running)


def wait_for(check: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_first_reply_carries_the_notice(stack: Stack) -> None:
    replies = stack.chat(f"hello, {WORDS[0]}")
    assert replies[-1]["buttons"][0]["payload"] == "/privacy_info"
    again = stack.chat(f"where is your office in maribor {WORDS[0]}")
    assert all(b["payload"] != "/privacy_info" for m in again for b in m["buttons"])
    hostile = stack.chat("\u202eI need work\u200b" + "😀" * 400)
    assert hostile  # answered, not crashed


@needs_privacy_model
def test_delete_my_data_on_the_web(stack: Stack) -> None:
    assert stack.rows(WEB_ID)["events"] > 0
    asked = stack.chat("/delete_my_data")
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/affirm", "/deny"]
    done = stack.chat("/affirm")
    assert done and all("custom" not in m for m in done)
    assert stack.rows(WEB_ID) == dict.fromkeys(stack.rows(WEB_ID), 0)


@needs_privacy_model
def test_delete_my_data_on_telegram(stack: Stack) -> None:
    api = stack.api
    api.push({"message": message(TELEGRAM_USER, WORDS[1], language_code="ru")})
    wait_for(lambda: len(api.sent("sendMessage")) >= 2)
    assert stack.rows(TELEGRAM_ID)["contacts"] == 1
    api.push({"message": message(TELEGRAM_USER, "/delete", language_code="ru")})
    wait_for(lambda: any("/affirm" in str(c.get("reply_markup")) for c in api.sent("sendMessage")))
    api.push(
        {
            "callback_query": {
                "id": "cb-stack-1",
                "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "T"},
                "chat_instance": "x",
                "data": "/affirm",
                "message": {
                    **message(TELEGRAM_USER, "?"),
                    "from": {"id": 4242, "is_bot": True, "first_name": "B"},
                },
            }
        }
    )
    wait_for(lambda: stack.rows(TELEGRAM_ID)["events"] == 0)
    assert stack.rows(TELEGRAM_ID) == dict.fromkeys(stack.rows(TELEGRAM_ID), 0)


def test_logs_hold_no_words_and_no_ids(stack: Stack) -> None:
    """Last: stops the stack and reads everything the three processes printed."""
    if not stack.api.sent("sendMessage"):  # Telegram's part ran only with a privacy model
        stack.api.push({"message": message(TELEGRAM_USER, WORDS[1], language_code="ru")})
        wait_for(lambda: stack.api.sent("sendMessage"))
    output = stack.stop()
    assert "[rasa]" in output and "[actions]" in output and "[gateway]" in output
    secrets = [w for phrase in WORDS for w in phrase.split()]
    secrets += [SESSION, str(TELEGRAM_USER), WEB_ID, TELEGRAM_ID]
    secrets += [WEB_ID.split("-", 1)[1], TELEGRAM_ID.split("-", 1)[1]]
    assert [s for s in secrets if s in output] == [], output[-3000:]
