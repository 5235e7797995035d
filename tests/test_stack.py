"""The whole assistant as `make run` starts it: three processes, real HTTP, clean stop."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.standins.stack import chat as stack_chat
from tests.standins.stack import running_stack, stack_env

pytestmark = pytest.mark.skipif(
    not (ROOT / "models" / "current.tar.gz").exists(),
    reason="needs a trained model: `make train` (make test trains before it runs pytest)",
)


def chat(port: int, text: str, lang: str) -> list[dict[str, Any]]:
    return stack_chat(port, f"stacktest{lang}0001", text, lang)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with running_stack(stack_env(tmp_path_factory.mktemp("stack"))) as running:
        yield running.port, running.process, running.output


def test_health_of_all_three(stack: Any) -> None:
    port, _, _ = stack
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        body = json.load(response)
    assert body["components"] == {"gateway": "ok", "rasa": "ok", "action_server": "ok"}


@pytest.mark.parametrize(
    ("text", "lang", "title"),
    [
        ("which programmes do you have?", "en", "On-the-job training for refugees"),
        ("katere programe imate?", "sl", None),
    ],
)
def test_programmes_in_english_and_slovenian(
    stack: Any, text: str, lang: str, title: str | None
) -> None:
    port, _, _ = stack
    messages = chat(port, text, lang)
    buttons = [b for m in messages for b in m["buttons"]]
    payloads = [b["payload"] for b in buttons]
    assert '/programme_details{"programme": "on_the_job_training"}' in payloads
    if title:
        assert title in [b["title"] for b in buttons]
    else:  # Slovenian titles, not the English ones
        assert "On-the-job training for refugees" not in [b["title"] for b in buttons]


def test_stops_cleanly_on_sigterm(stack: Any) -> None:
    port, process, output = stack
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    # Each service stopped by itself (a gateway loop left running made aiohttp wait,
    # and the stack killed it after 15 s, its cleanup never run).
    deadline = time.monotonic() + 5
    while "stack: stopped\n" not in output and time.monotonic() < deadline:
        time.sleep(0.05)  # the reader thread is still taking the last lines
    assert "stack: stopped\n" in output
    assert not [line for line in output if "killed" in line]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
