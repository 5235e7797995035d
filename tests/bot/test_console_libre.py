"""The issue's "done when": with only a LibreTranslate-protocol server configured (no key),
every core language translates both ways in the console. The real LibreTranslate client
(language/translation/providers.py) talks to the loopback stand-in; a counsellor reads each
person's message in Slovenian and each person gets the counsellor's reply in their language,
marked as machine translated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console import HANDOFF
from bot.console.auth import Accounts
from language.catalogue import Catalogue
from language.languages import CORE, WORKING
from language.translation import TranslationConfig, Translator
from pes.cases import USER, CaseStore
from pes.db import Database
from pes.outbox import Outbox
from tests.bot.test_console import PASSWORD, csrf_of, login, make_app
from tests.standins.translation_api import StandIn, translation_api

# What each person wrote, and the stand-in's Slovenian for it.
WRITTEN = {
    "en": ("I am looking for work in a warehouse", "Iščem delo v skladišču"),
    "uk": ("Я шукаю роботу на складі", "Iščem delo v skladišču"),
    "ru": ("Ищу работу на складе", "Iščem delo v skladišču"),
    "ar": ("أبحث عن عمل في مستودع", "Iščem delo v skladišču"),
    "fa": ("دنبال کار در انبار هستم", "Iščem delo v skladišču"),
}
REPLY = "Jutri vas pokličemo."


@pytest.fixture
def libre() -> Iterator[StandIn]:
    with translation_api() as api:
        for lang, (text, slovenian) in WRITTEN.items():
            api.dictionary[(lang, WORKING, text)] = slovenian
        yield api


@pytest.fixture
async def client(aiohttp_client: Any, database: Database, libre: StandIn) -> TestClient:
    Accounts(database).add("ana", "counsellor", PASSWORD)
    app = make_app(database)
    # No key: a self-hosted LibreTranslate, the real client.
    app[HANDOFF].translator = Translator(TranslationConfig(provider="libre", api_url=libre.url))
    return await aiohttp_client(app)


async def test_every_core_language_both_ways_through_libretranslate(
    client: TestClient, database: Database, libre: StandIn
) -> None:
    assert set(WRITTEN) | {WORKING} == set(CORE)
    store, outbox, catalogue = CaseStore(database), Outbox(database), Catalogue.load()
    await login(client)
    for lang, (text, slovenian) in WRITTEN.items():
        case, _ = store.open_case(f"web-libre-{lang}", "web", lang, "request_human")
        store.add_message(case.id, USER, text, lang)
        page = await (await client.get(f"/console/cases/{case.id}")).text()
        assert slovenian in page, lang  # the counsellor reads it in Slovenian
        sent = await client.post(
            f"/console/cases/{case.id}/reply",
            data={"csrf": csrf_of(page), "text": REPLY, "language": WORKING},
            allow_redirects=False,
        )
        assert sent.status == 303, lang
        delivered = outbox.pending(case.user_id)
        assert len(delivered) == 1, lang
        body = str(delivered[0].message["text"])
        assert f"{lang}:{REPLY}" in body, lang  # the stand-in's translation into lang
        notice = catalogue.text("handoff.reply_translated", lang)
        assert notice.split(".")[0].strip() in body, lang  # marked as machine translated
    pairs = {(r["source"], r["target"]) for r in libre.translations("/translate")}
    assert pairs >= {(lang, WORKING) for lang in WRITTEN} | {(WORKING, lang) for lang in WRITTEN}
    assert all("api_key" not in r for r in libre.translations("/translate"))
