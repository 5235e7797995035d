"""Real headless Chromium (Debian's, installed by scripts/browser-deps.sh) against the real stack.

``stack`` starts the assistant as `make run` does (action server, Rasa with the trained
model, gateway) once per test session, on free ports, with its own SQLite database in a
temporary directory; tests that put messages in the outbox use ``stack.database_url``.
``browser`` is Chromium driven by Playwright through ``executable_path``.
Screenshots and axe results go to ``var/artefacts/``.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "var" / "artefacts"
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    url: str
    database_url: str
    process: subprocess.Popen[str]
    output: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=300))

    def tail(self) -> str:
        return "".join(self.output)


def stack_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a whole stack on free loopback ports, with its own database."""
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "GATEWAY_PORT")}
    return {
        **os.environ,
        **ports,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook",
        "DATABASE_URL": f"sqlite:///{folder / 'stack.db'}",
        "RASA_HOST": "127.0.0.1",
        "ACTION_HOST": "127.0.0.1",
        "GATEWAY_HOST": "127.0.0.1",
        **extra,
    }


@contextlib.contextmanager
def running_stack(env: dict[str, str]) -> Iterator[Stack]:
    """`python -m bot.stack` as `make run` starts it, until it says it is running; stopped
    with SIGTERM afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stack = Stack(f"http://127.0.0.1:{env['GATEWAY_PORT']}", env["DATABASE_URL"], process)
    running = threading.Event()

    def drain() -> None:  # keep reading, or the stack blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            stack.output.append(line)
            if "The assistant is running" in line:
                running.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 300
    while not running.wait(1) and process.poll() is None and time.monotonic() < deadline:
        pass
    if not running.is_set():
        process.kill()
        pytest.fail("the stack did not start:\n" + stack.tail()[-6000:])
    try:
        yield stack
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip("needs a trained model: `make train` (make test trains before it runs pytest)")
    with running_stack(stack_env(tmp_path_factory.mktemp("browser-stack"))) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module, not per session: while Playwright's sync API is open its event loop counts
    as running, and the asyncio tests collected after tests/browser could not run."""
    if not CHROMIUM.exists() or not AXE.exists():
        pytest.fail("Chromium or axe-core is missing: run `make browser-deps`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test, phone-sized: the widget is mobile-first (360 px)."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
