"""The automatic summary (gist) of a person's message: made in the background when the
message reaches the case, made on view for the messages from before the case, shown in
the counsellor's language beside the original, and there with no translation provider."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.console import CASE_WATCH, HANDOFF
from bot.console.auth import Accounts
from bot.console.gist import date_text, present
from bot.console.labels import labels
from language.catalogue import Catalogue
from pes.cases import BOT, USER, CaseStore, HistoryItem
from pes.db import Database
from pes.gist import Gist
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.bot.test_console import PASSWORD, login
from tests.standins.rasa_rest import FakeRasa

SESSION = "gistsession000001"
WEB_USER = pseudonym(from_env({}).gateway.pseudonym_key, "web", SESSION)
PERSIAN = "من پناهنده هستم و در ماریبور زندگی می‌کنم. آیا اجازه کار دارم؟ ۱۲/۳/۲۰۲۶"
UNDERSTOOD = {
    "intent": {"name": "work_rights", "confidence": 0.86},
    "entities": [
        {"entity": "protection_status", "value": "refugee", "start": 3, "end": 11},
        {"entity": "city", "value": "maribor", "start": 18, "end": 25},
    ],
    "language_detection": {"language": "fa", "confidence": 0.97, "words": 12, "reliable": True},
}


@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa(parsed=UNDERSTOOD)


@pytest.fixture
async def client(aiohttp_client: Any, database: Database, fake: FakeRasa) -> TestClient:
    Accounts(database).add("ana", "counsellor", PASSWORD)
    app = create_app(
        from_env({"DATABASE_URL": os.environ["DATABASE_URL"]}).gateway,
        rasa=fake.client(),
        http=httpx.AsyncClient(transport=fake.transport),
        database=database,
    )  # the default: no translation provider
    app[CASE_WATCH].interval = 0.1
    return await aiohttp_client(app)


async def chat(client: TestClient, text: str) -> None:
    response = await client.post(
        "/api/chat", json={"session": SESSION, "message": text, "lang": "fa"}
    )
    assert response.status == 200


def gist_block(html: str) -> str:
    found = re.search(r'<aside class="gist".*?</aside>', html, re.S)
    assert found, "no gist on the page"
    return found.group(0)


async def test_a_message_into_the_case_gets_its_gist_in_the_background(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    case, _ = store.open_case(WEB_USER, "web", "fa", "request_human")
    await chat(client, PERSIAN)
    await client.app[HANDOFF].drain()
    assert fake.requests == []  # the assistant did not answer: no turn, a parse only
    assert fake.parses == [{"message": PERSIAN, "hint": "fa"}]
    [message] = [m for m in store.messages(case.id) if m.author == USER]
    gist = Gist.from_json(message.gist)
    assert gist is not None and gist.topic == "work_rights" and gist.language == "fa"
    assert (gist.status, gist.city, gist.dates) == ("refugee", "maribor", ("2026-03-12",))

    await login(client)
    block = gist_block(await (await client.get(f"/console/cases/{case.id}")).text())
    assert "Samodejni povzetek" in block and "samodejno" in block
    assert "perzijščina (farsi/dari)" in block and "zanesljivo" in block and "97 %" in block
    assert "Pravica do dela" in block and "status begunca" in block
    assert "Maribor" in block and "čet. 12. 3. 2026" in block
    assert 'lang="sl"' in block and 'dir="ltr"' in block
    assert "ماریبور" not in block  # the summary, not the person's words
    assert len(fake.parses) == 1  # kept: the page did not ask again


async def test_messages_from_before_the_case_get_theirs_on_view_only_the_persons(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    store = CaseStore(database)
    case, _ = store.open_case(
        "web-history",
        "web",
        "fa",
        "request_human",
        history=[
            HistoryItem(USER, PERSIAN, "fa"),
            HistoryItem(BOT, "سلام! چطور می‌توانم کمک کنم؟", "fa"),
            HistoryItem(USER, "/request_human", "fa"),
        ],
    )
    await login(client)
    html = await (await client.get(f"/console/cases/{case.id}")).text()
    assert html.count('<aside class="gist"') == 1  # not the assistant's, not a button
    assert "Pravica do dela" in gist_block(html)
    assert [p["message"] for p in fake.parses] == [PERSIAN]
    stored = [m.gist for m in store.messages(case.id)]
    assert stored[0] is not None and stored[1:] == [None, None]
    await client.get(f"/console/cases/{case.id}/live")
    assert len(fake.parses) == 1


async def test_without_rasa_the_gist_is_the_language_alone(
    client: TestClient, fake: FakeRasa, database: Database
) -> None:
    fake.parsed = None  # 503: no model loaded
    store = CaseStore(database)
    case, _ = store.open_case(WEB_USER, "web", "uk", "request_human")
    await chat(client, "Доброго дня, мені потрібна допомога з документами для роботи")
    await client.app[HANDOFF].drain()
    await login(client)
    block = gist_block(await (await client.get(f"/console/cases/{case.id}")).text())
    assert "ukrajinščina" in block and "prepoznan je le jezik" in block
    assert "Pravica do dela" not in block


# --- the counsellor's words ---------------------------------------------------------------


def test_present_in_english() -> None:
    gist = Gist(
        "ar", 0.55, "programme_details", 0.2, True, ("on_the_job_training",), "novo_mesto",
        "asylum_seeker", ("--03-03", "2026-04"),
    )  # fmt: skip
    view = present(gist, labels("en"), "en", Catalogue.load())
    assert view.language == "Arabic" and view.language_level == "medium"
    assert view.topic == "Details of a programme" and view.topic_level == "low"
    assert [(c.kind, c.text) for c in view.chips] == [
        ("Programme", "On-the-job training for refugees"),
        ("City", "Novo Mesto"),  # the office's English name
        ("Status", "asylum seeker"),
        ("Date", "3 March"),
        ("Date", "April 2026"),
    ]


def test_date_text() -> None:
    assert date_text("2026-12-07", "sl") == "pon. 7. 12. 2026"
    assert date_text("2026-12-07", "en") == "Mon 7 December 2026"
    assert date_text("--05-12", "sl") == "12. 5."
    assert date_text("2026-03", "sl") == "marec 2026"
    assert date_text("garbage", "sl") == "garbage"
    assert date_text("--02-29", "en") == "29 February"  # a day with no year may be a leap day
    assert date_text("2026-13", "en") == "2026-13"
    assert dt.date(2026, 12, 7).weekday() == 0
