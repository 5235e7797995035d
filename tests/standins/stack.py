"""The whole assistant as `make run` starts it (``python -m bot.stack``), for the tests that
need all three processes: tests/test_stack.py, tests/security/test_stack_privacy.py and the
browser tests (tests/browser/conftest.py).

``stack_env`` gives it free loopback ports and its own database; ``running_stack`` starts it,
waits until it says it is running, and stops it with SIGTERM afterwards. Every line it
prints is kept (``Stack.output``) for tests that search the logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

RUNNING = "The assistant is running"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    url: str
    port: int
    database_url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def tail(self) -> str:
        return "".join(self.output[-300:])


def chat(
    port: int, session: str, text: str, lang: str, *, timeout: float = 60
) -> list[dict[str, Any]]:
    """One message to the stack's ``POST /api/chat``, as the widget sends it; the replies."""
    body = json.dumps({"session": session, "message": text, "lang": lang}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/chat", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return list(json.load(response)["messages"])


def stack_env(folder: Path, *, drop: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """The environment of a whole stack on free loopback ports, with its own database
    (a new one each run: conversations of an earlier run would count as "the same
    question again" within the session's hour). ``drop`` leaves out inherited variables."""
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "GATEWAY_PORT")}
    inherited = {k: v for k, v in os.environ.items() if k not in drop}
    return {
        **inherited,
        **ports,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook",
        "DATABASE_URL": f"sqlite:///{folder / 'stack.db'}",
        "RASA_HOST": "127.0.0.1",
        "ACTION_HOST": "127.0.0.1",
        "GATEWAY_HOST": "127.0.0.1",
        **extra,
    }


def stop(stack: Stack) -> str:
    """SIGTERM, as Ctrl-C in `make run`; everything it printed."""
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGTERM)
        try:
            stack.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            stack.process.kill()
    return "".join(stack.output)


@contextlib.contextmanager
def running_stack(env: dict[str, str], *, timeout: float = 300) -> Iterator[Stack]:
    """`python -m bot.stack` until it says it is running; stopped with SIGTERM afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    port = int(env["GATEWAY_PORT"])
    stack = Stack(f"http://127.0.0.1:{port}", port, env["DATABASE_URL"], process)
    running = threading.Event()

    def drain() -> None:  # keep reading, or the stack blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            stack.output.append(line)
            if RUNNING in line:
                running.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while not running.wait(1) and process.poll() is None and time.monotonic() < deadline:
        pass
    if not running.is_set():
        process.kill()
        pytest.fail("the stack did not start:\n" + stack.tail()[-6000:])
    try:
        yield stack
    finally:
        stop(stack)
        reader.join(timeout=10)
