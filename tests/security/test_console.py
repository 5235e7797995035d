"""The counsellor console under hostile input: every form fuzzed, nothing a person wrote
runs in a counsellor's browser, no page answers 5xx."""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.console.auth import Accounts
from pes.cases import CaseStore
from pes.db import Database
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

PASSWORD = "correct horse battery staple"
SESSION = "console-fuzz-person-01"
EVIL = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}{% raw %}",
    "\u202egnp.exe",
]
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            *EVIL,
            "",
            "0",
            "-1",
            "9" * 30,
            "1000000000000000",
            "9999-12-31",
            "0001-01-01",
            "2026-13-45",
            "25:99",
            "08:00,08:00",
            "sl,xx,<b>",
            "answered",
            "user",
            "/console/../../etc",
            "//evil.example",
            "ljubljana",
        ]
    ),
)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field"
    return found.group(1)


@pytest.fixture
async def console(aiohttp_client: Any, database: Database) -> tuple[TestClient, int, str]:
    """A logged-in admin's client, a case holding hostile text, and the session's CSRF token.

    The hostile messages come the way people's messages do: through the web chat, which
    hands them to the open case."""
    Accounts(database).add("ana", "admin", PASSWORD)
    settings_ = from_env({"DATABASE_URL": os.environ["DATABASE_URL"]}).gateway
    person = pseudonym(settings_.pseudonym_key, "web", SESSION)
    case, _ = CaseStore(database).open_case(person, "web", "ar", "urgent_help")
    app = create_app(
        settings_,
        rasa=FakeRasa().client(),
        http=httpx.AsyncClient(transport=FakeRasa().transport),
        database=database,
    )
    client = await aiohttp_client(app)
    for text in EVIL:
        sent = await client.post("/api/chat", json={"session": SESSION, "message": text})
        assert sent.status == 200
    assert len(CaseStore(database).messages(case.id)) >= len(EVIL)
    page = await client.get("/console/login")
    login = await client.post(
        "/console/login",
        data={"csrf": csrf_of(await page.text()), "name": "ana", "password": PASSWORD},
        allow_redirects=False,
    )
    assert login.status == 303
    token = csrf_of(await (await client.get("/console/queue")).text())
    return client, case.id, token


def no_markup_from_people(html: str) -> None:
    for evil in ("<script>alert", "<img src=x", "<svg onload", "\u202e"):
        assert evil not in html, evil
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag for tag in scripts), scripts  # no inline script at all


async def test_pages_escape_what_people_wrote(console: tuple[TestClient, int, str]) -> None:
    client, case_id, token = console
    note = await client.post(
        f"/console/cases/{case_id}/notes", data={"csrf": token, "text": EVIL[2]}
    )
    assert note.status == 200
    for path in (
        "/console/queue",
        "/console/queue/live",
        f"/console/cases/{case_id}",
        f"/console/cases/{case_id}/live",
        "/console/audit",
        "/console/slots?problem=<script>alert(1)</script>&message=<img src=x onerror=alert(1)>",
        f"/console/cases/{case_id}?error=<script>alert(1)</script>",
        "/console/login?lang=<script>",
    ):
        response = await client.get(path)
        assert response.status == 200, path
        no_markup_from_people(await response.text())
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


FORMS = st.sampled_from(
    [
        "/console/cases/{case}/claim",
        "/console/cases/{case}/release",
        "/console/cases/{case}/reply",
        "/console/cases/{case}/notes",
        "/console/cases/{case}/close",
        "/console/cases/x{case}/notes",
        "/console/language",
        "/console/slots",
        "/console/slots/{case}/delete",
        "/console/slots/abc/delete",
    ]
)
FIELDS = st.dictionaries(
    st.sampled_from(
        [
            "text",
            "language",
            "outcome",
            "back",
            "office",
            "days",
            "minutes",
            "first_day",
            "times",
            "languages",
            "counsellor",
            "interpreter",
            "cancel_booking",
        ]
    ),
    VALUES,
    max_size=8,
)


@FUZZ
@given(path=FORMS, fields=FIELDS, with_token=st.booleans())
async def test_forms_never_fail(
    console: tuple[TestClient, int, str], path: str, fields: dict[str, str], with_token: bool
) -> None:
    client, case_id, token = console
    data = {**fields, "csrf": token if with_token else "forged"}
    response = await client.post(path.format(case=case_id), data=data, allow_redirects=False)
    assert response.status < 500, (response.status, await response.text())
    if not with_token:
        assert response.status in (403, 404)
    location = response.headers.get("Location", "")
    assert location == "" or location.startswith("/console/"), location


@FUZZ
@given(path=st.text(max_size=30), query=FIELDS)
async def test_pages_never_fail(
    console: tuple[TestClient, int, str], path: str, query: dict[str, str]
) -> None:
    client, case_id, _ = console
    for url in (f"/console/cases/{path}", "/console/slots", f"/console/cases/{case_id}"):
        response = await client.get(url, params={**query, "error": path, "problem": path})
        assert response.status < 500, (url, response.status)


@pytest.fixture
async def anonymous(aiohttp_client: Any, database: Database) -> TestClient:
    """A console no one is logged in to (one app for all of a test's examples)."""
    app = create_app(
        from_env({"DATABASE_URL": os.environ["DATABASE_URL"]}).gateway,
        rasa=FakeRasa().client(),
        database=database,
    )
    return await aiohttp_client(app)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["csrf", "name", "password"]), VALUES))
async def test_login_never_fails(anonymous: TestClient, fields: Any) -> None:
    response = await anonymous.post("/console/login", data=fields, allow_redirects=False)
    assert response.status in (401, 403, 429), response.status
    no_markup_from_people(await response.text())


async def test_a_huge_case_number_is_not_found(console: tuple[TestClient, int, str]) -> None:
    client, _, token = console
    for path in ("/console/cases/99999999999999999999", "/console/cases/99999999999999999999/live"):
        assert (await client.get(path)).status == 404
    reply = await client.post(
        "/console/cases/99999999999999999999/reply", data={"csrf": token, "text": "x"}
    )
    assert reply.status == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"first_day": "9999-12-31", "days": "5"},
        {"minutes": "1000000000000000"},
        {"minutes": "-30"},
        {"times": "08:00-" + "9" * 40},
        {"languages": ",".join(["xx"] * 500)},
        {"counsellor": EVIL[0] * 20},
        {"days": "١٤"},
    ],
)
async def test_publishing_slots_with_extreme_values(
    console: tuple[TestClient, int, str], fields: dict[str, str]
) -> None:
    client, _, token = console
    form = {
        "csrf": token,
        "office": "ljubljana",
        "first_day": "2030-01-07",
        "days": "1",
        "times": "09:00",
        "minutes": "30",
        "languages": "sl",
        **fields,
    }
    response = await client.post("/console/slots", data=form, allow_redirects=False)
    assert response.status == 303, (response.status, await response.text())
    assert response.headers["Location"].startswith("/console/slots")
    page = await client.get(response.headers["Location"])
    assert page.status == 200
    no_markup_from_people(await page.text())
