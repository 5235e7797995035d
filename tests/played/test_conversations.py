"""Whole conversations through the gateway, as people write them (docs/conversations.md).

Each conversation of ``conversations.yml`` is played turn by turn against the whole
assistant as ``make run`` starts it (gateway, Rasa, actions; tests/standins/stack.py),
through ``POST /api/chat`` like the widget. A turn says a text or presses a button of
the previous reply, and checks the reply:

- ``expect``: at least one of these reply keys (``data/locales``) is in the reply;
- ``never``: none of these keys is;
- every turn gets a reply (nothing a person writes is left without one), and no reply
  is longer than ``max_messages`` messages (2 unless the table says otherwise: a phone).

The texts were written for these tests, apart from the NLU training data; they are not
an NLU evaluation set (tests/nlu is), and nothing is trained on them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from language.catalogue import Catalogue
from tests.conftest import ROOT
from tests.standins.stack import Stack, chat

TABLE = Path(__file__).with_name("conversations.yml")
MAX_MESSAGES = 2
MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")

pytestmark = pytest.mark.skipif(
    not (ROOT / "models" / "current.tar.gz").exists(),
    reason="needs a trained model: `make train` (make test trains before it runs pytest)",
)


def conversations() -> list[dict[str, Any]]:
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    return list(table["conversations"])


@cache
def catalogue() -> Catalogue:
    return Catalogue.load()


@cache
def pattern(key: str, lang: str) -> re.Pattern[str]:
    """A reply key's text as a pattern: its placeholders stand for anything."""
    text = MARKS.sub("", catalogue().entry(key, lang).text)
    parts = re.split(r"\{[a-z_]+\}", text)
    return re.compile(".*?".join(re.escape(p) for p in parts), re.S)


def has(messages: list[dict[str, Any]], key: str, lang: str) -> bool:
    texts = MARKS.sub("", "\n".join(str(m.get("text") or "") for m in messages))
    return pattern(key, lang).search(texts) is not None


def press(messages: list[dict[str, Any]], wanted: str) -> str:
    """The payload of the first button of the reply whose payload contains ``wanted``."""
    for message in messages:
        for button in message.get("buttons") or []:
            if wanted in button["payload"]:
                return str(button["payload"])
    raise AssertionError(f"no button with {wanted!r} in the reply: {messages}")


CONVERSATIONS = conversations()


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_conversation(stack: Stack, conversation: dict[str, Any]) -> None:
    lang = conversation["lang"]  # the widget's language (the browser's)
    replies_in = conversation.get("replies_in", lang)  # when the person writes another
    session = "played" + re.sub(r"[^A-Za-z0-9]", "", conversation["name"])[:40]
    previous: list[dict[str, Any]] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        text = turn["say"] if "say" in turn else press(previous, turn["press"])
        messages = chat(stack.port, session, text, lang, timeout=120)
        where = f"turn {number} ({text!r}) got {[m.get('text') for m in messages]}"
        assert messages, f"{where}: no reply at all"
        limit = turn.get("max_messages", MAX_MESSAGES)
        assert len(messages) <= limit, f"{where}: more than {limit} messages"
        if turn.get("expect"):
            assert any(has(messages, key, replies_in) for key in turn["expect"]), (
                f"{where}: none of {turn['expect']}"
            )
        for key in turn.get("never", []):
            assert not has(messages, key, replies_in), f"{where}: {key} should not be there"
        previous = messages


def test_the_table_checks_keys_that_exist() -> None:
    """A typo in a key would make ``never`` pass for nothing."""
    for conversation in CONVERSATIONS:
        for turn in conversation["turns"]:
            for key in [*turn.get("expect", []), *turn.get("never", [])]:
                assert catalogue().has(key), f"{conversation['name']}: no key {key}"
