"""Telegram's command menu in each core language, set at start against the Bot API stand-in."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.conversation import Conversations
from bot.telegram import COMMANDS, MENU, MENU_KEY, TelegramChannel, TelegramSettings
from language.catalogue import Catalogue
from language.languages import CORE, FALLBACK
from pes.settings import from_env
from tests.conftest import ROOT, replace_once
from tests.standins.bot_api import BotApi
from tests.standins.rasa_rest import FakeRasa

KEY = from_env({}).gateway.pseudonym_key


def channel_on(api: BotApi, catalogue: Catalogue) -> TelegramChannel:
    return TelegramChannel(
        TelegramSettings(token=api.token, api_url=api.url),
        Conversations(FakeRasa().client()),
        catalogue,
        KEY,
    )


def descriptions(catalogue: Catalogue, lang: str) -> list[str]:
    return [catalogue.text(MENU_KEY + name, lang) for name in MENU]


def test_the_menu_names_commands_the_bot_answers(catalogue: Catalogue) -> None:
    assert set(MENU) == {"start", *COMMANDS}
    for lang in CORE:
        for name in MENU:
            assert catalogue.has_own(lang, MENU_KEY + name), (lang, name)
            # Telegram takes 1-256 characters; a menu line should be short anyway
            assert 1 <= len(catalogue.text(MENU_KEY + name, lang)) <= 64, (lang, name)


async def test_each_core_language_gets_its_own_menu(api: BotApi, catalogue: Catalogue) -> None:
    tg = channel_on(api, catalogue)
    await tg.start()
    try:
        calls = api.sent("setMyCommands")
        assert [c.get("language_code") for c in calls] == [None, *CORE]
        assert all(c["scope"] == {"type": "default"} for c in calls)
        for lang in CORE:
            shown = api.menu(lang)
            assert [c["command"] for c in shown] == list(MENU)
            assert [c["description"] for c in shown] == descriptions(catalogue, lang)
        # written per language, not one list copied: every language's words differ
        assert len({tuple(descriptions(catalogue, lang)) for lang in CORE}) == len(CORE)
        # an app in a language without its own list gets the English one
        assert api.menu("tr") == api.menu("") == api.menu(FALLBACK)
    finally:
        await tg.stop()


async def test_a_refused_menu_leaves_the_others_and_the_gateway_running(
    api: BotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "data" / "locales", locales)
    too_long = "Чем я могу помочь " * 20  # 360 characters: Telegram refuses the list
    help_ru = 'telegram.command.help: "Чем я могу помочь"'
    replace_once(locales / "ru.yml", help_ru, f'telegram.command.help: "{too_long.strip()}"')
    catalogue = Catalogue.load(locales)
    tg = channel_on(api, catalogue)
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        await tg.start()
    try:
        assert tg.app.running
        assert api.menu("ru") == api.menu("")  # Russian apps see the English list
        assert api.menu("uk")[1]["description"] == catalogue.text(MENU_KEY + "help", "uk")
        assert "BadRequest" in caplog.text and "Чем" not in caplog.text
    finally:
        await tg.stop()


async def test_telegram_out_of_reach_does_not_stop_the_start(
    api: BotApi, catalogue: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    api.broken.add("setMyCommands")
    tg = channel_on(api, catalogue)
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        await tg.start()
    try:
        assert tg.app.running
        assert len(api.sent("setMyCommands")) == 1  # the rest are not tried
        assert api.menu("") == []
        assert "NetworkError" in caplog.text
    finally:
        await tg.stop()
