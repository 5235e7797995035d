"""Real headless Chromium (Debian's, installed by scripts/browser-deps.sh) against the real stack.

``stack`` (tests/conftest.py) is the assistant as `make run` starts it (action server, Rasa
with the trained model, gateway; tests/standins/stack.py), once per test session and shared
with the played conversations, on free ports, with its own SQLite database in a temporary
directory; tests that put messages in the outbox use ``stack.database_url``.
``browser`` is Chromium driven by Playwright through ``executable_path``.
Screenshots and axe results go to ``var/artefacts/``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import ROOT
from tests.standins.stack import running_stack, stack_env
from tests.standins.translation_api import StandIn

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

# A reply from Rasa can take more than Playwright's 5 s on a busy 2-core machine; a test
# that waits for something that never comes still fails, after this long.
expect.set_options(timeout=20_000)


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


COUNSELLOR_PASSWORD = "counsellor password 1"


@dataclass
class CounsellorStack:
    """A whole stack whose machine translation is the stand-in ``translations``."""

    url: str
    database_url: str
    translations: StandIn


@contextlib.contextmanager
def counsellor_stack(
    folder: Path, provider: str, translations: StandIn
) -> Iterator[CounsellorStack]:
    """The assistant as `make run` starts it, translating with ``provider`` played by the
    loopback stand-in ``translations``, with the counsellor account ``ana``
    (``COUNSELLOR_PASSWORD``), for the console's browser tests."""
    model = os.environ.get("RASA_MODEL", "").strip() or str(MODEL)
    if not Path(model).exists():
        pytest.skip("needs a trained model: `make train` (make test trains before it runs pytest)")
    env = stack_env(
        folder,
        RASA_MODEL=model,
        TRANSLATION_PROVIDER=provider,
        TRANSLATION_API_URL=translations.url,
    )
    created = subprocess.run(
        [sys.executable, "-m", "bot.console", "add-user", "ana", "--role", "counsellor"],
        cwd=ROOT,
        env=env,
        input=COUNSELLOR_PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    with running_stack(env) as running:
        yield CounsellorStack(running.url, running.database_url, translations)
