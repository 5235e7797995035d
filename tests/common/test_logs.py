"""JSON logs: one object per line, and never what a person wrote or who they are."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.app import create_app
from common.logs import REDACTED, JsonFormatter, configure
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

SESSION = "logtest7c0ffee42"
TEXT = "Moje ime je Zlatorog Kovačič, potni list 12345"


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def record(msg: str, *args: Any, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("rasa.core.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_line_is_one_json_object() -> None:
    line = JsonFormatter().format(record("replica %s is back", "http://r1:5005", replica="r1"))
    entry = json.loads(line)
    assert entry["level"] == "info" and entry["logger"] == "rasa.core.test"
    assert entry["message"] == "replica http://r1:5005 is back"
    assert entry["replica"] == "r1" and entry["time"].endswith("+00:00")


def test_rasa_structlog_events_are_merged_and_redacted() -> None:
    event = json.dumps(
        {"event": "rest.message.received.failure", "text": TEXT, "sender_id": "abc", "n": 2}
    )
    entry = json.loads(JsonFormatter().format(record(event)))
    assert entry["message"] == "rest.message.received.failure"
    assert entry["text"] == REDACTED and entry["sender_id"] == REDACTED and entry["n"] == 2
    assert "Zlatorog" not in json.dumps(entry)


def test_exceptions_keep_type_and_place_not_their_text() -> None:
    try:
        raise ValueError(TEXT)
    except ValueError:
        made = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
        made.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(made))
    assert entry["exc_type"] == "ValueError" and "test_logs.py" in entry["traceback"]
    assert "Zlatorog" not in json.dumps(entry)


async def test_gateway_logs_hold_no_message_text_or_ids(
    aiohttp_client: Any, capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure("json", logging.DEBUG)
    fake = FakeRasa()
    settings = from_env({}).gateway
    app = create_app(settings, rasa=fake.client(), http=httpx.AsyncClient(transport=fake.transport))
    client = await aiohttp_client(app)
    body = {"session": SESSION, "message": TEXT, "lang": "sl"}
    assert (await client.post("/api/chat", json=body)).status == 200
    fake.up = False
    assert (await client.post("/api/chat", json=body)).status == 503
    logging.getLogger("bot.test").info("done")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    logged = "\n".join(lines)
    assert "rasa request failed" in logged or "avoided" in logged  # the failure was logged
    sender = pseudonym(settings.pseudonym_key, "web", SESSION)
    for secret in ("Zlatorog", "12345", SESSION, sender):
        assert secret not in logged
