"""Fixtures the gateway's tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from language.catalogue import Catalogue
from tests.standins.bot_api import BotApi, bot_api


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture
def api() -> Iterator[BotApi]:
    """Telegram's Bot API, played by a loopback stand-in (tests/standins/bot_api.py)."""
    with bot_api() as stand_in:
        yield stand_in
