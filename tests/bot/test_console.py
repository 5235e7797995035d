"""The counsellor console over HTTP: accounts, login, CSRF, rate limit, roles, escaping,
claim / reply / close, notes, the audit log, live updates and the slot pages."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from bot.app import create_app
from bot.console import CASE_WATCH, HANDOFF
from bot.console.__main__ import main as console_cli
from bot.console.auth import Accounts, hash_password, verify_password
from common.clock import utcnow
from language.translation import TranslationConfig, Translator
from pes.accounts import ConsoleSessionRow
from pes.cases import USER, CaseStore, HistoryItem
from pes.db import Database
from pes.outbox import Outbox
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

PASSWORD = "correct horse battery"
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def machine(text: str, source: str, target: str) -> str:
    return f"[{source}>{target}] {text}"


@pytest.fixture
def accounts(database: Database) -> Accounts:
    accounts = Accounts(database)
    accounts.add("ana", "counsellor", PASSWORD)
    accounts.add("bor", "counsellor", PASSWORD)
    accounts.add("root", "admin", PASSWORD)
    return accounts


def make_app(database: Database, **env: str) -> Any:
    app = create_app(
        from_env({"DATABASE_URL": os.environ["DATABASE_URL"], **env}).gateway,
        rasa=FakeRasa().client(),
        http=httpx.AsyncClient(transport=FakeRasa().transport),
        database=database,
    )
    app[HANDOFF].translator = Translator(TranslationConfig(provider="libre"), backend=machine)
    app[CASE_WATCH].interval = 0.1
    return app


@pytest.fixture
async def client(aiohttp_client: Any, database: Database, accounts: Accounts) -> TestClient:
    return await aiohttp_client(make_app(database))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field"
    return found.group(1)


async def login(client: TestClient, name: str = "ana", password: str = PASSWORD) -> Any:
    page = await client.get("/console/login")
    token = csrf_of(await page.text())
    return await client.post(
        "/console/login",
        data={"csrf": token, "name": name, "password": password},
        allow_redirects=False,
    )


async def page_csrf(client: TestClient, path: str = "/console/queue") -> str:
    response = await client.get(path)
    assert response.status == 200
    return csrf_of(await response.text())


# --- accounts -------------------------------------------------------------------------


def test_add_user_reads_the_password_from_standard_input(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert console_cli(["add-user", "maja", "--role", "admin"], io.StringIO(PASSWORD + "\n")) == 0
    assert Accounts(database).authenticate("maja", PASSWORD) is not None
    assert console_cli(["add-user", "maja", "--role", "admin"], io.StringIO(PASSWORD + "\n")) == 1
    assert console_cli(["add-user", "kratko", "--role", "admin"], io.StringIO("short\n")) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert console_cli(["set-role", "maja", "--role", "counsellor"]) == 0
    assert console_cli(["list-users"]) == 0
    assert "maja\tcounsellor" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        console_cli(["add-user", "x", "--role", "boss"])


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$") and PASSWORD not in first
    assert verify_password(PASSWORD, first) and not verify_password("wrong password", first)
    assert not verify_password(PASSWORD, "garbage")


# --- login, sessions, CSRF --------------------------------------------------------------


async def test_login_sets_a_strict_http_only_session_and_logout_ends_it(
    client: TestClient, database: Database
) -> None:
    assert (await client.get("/console/queue", allow_redirects=False)).status == 303
    response = await login(client)
    assert response.status == 303 and response.headers["Location"] == "/console/queue"
    cookie = next(h for h in response.headers.getall("Set-Cookie") if h.startswith("pes_console="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # development over http
    token = cookie.split(";")[0].split("=", 1)[1]
    with database.session() as session:
        stored = list(session.execute(select(ConsoleSessionRow.id)).scalars())
    assert stored and token not in stored  # only the token's hash is kept
    queue = await client.get("/console/queue")
    assert queue.status == 200 and "ana" in await queue.text()
    assert queue.headers["Cache-Control"] == "no-store"
    assert "'unsafe-inline'" not in queue.headers["Content-Security-Policy"].split("style-src")[0]
    out = await client.post(
        "/console/logout", data={"csrf": await page_csrf(client)}, allow_redirects=False
    )
    assert out.status == 303
    assert (await client.get("/console/queue", allow_redirects=False)).status == 303


async def test_wrong_password_and_a_forged_login_form(client: TestClient) -> None:
    wrong = await login(client, password="not the password")
    assert wrong.status == 401
    assert "Napačno uporabniško ime ali geslo." in await wrong.text()
    forged = await client.post(
        "/console/login",
        data={"csrf": "made-up", "name": "ana", "password": PASSWORD},
        allow_redirects=False,
    )
    assert forged.status == 403


async def test_five_failures_block_the_account_and_the_address(client: TestClient) -> None:
    for _ in range(5):
        assert (await login(client, password="guess guess guess")).status == 401
    blocked = await login(client)  # even the right password, for ten minutes
    assert blocked.status == 429
    assert "10 minut" in await blocked.text()
    other = await login(client, name="bor")  # same address: blocked as well
    assert other.status == 429


async def test_behind_a_proxy_failures_count_per_client_not_per_proxy(
    aiohttp_client: Any, database: Database, accounts: Accounts
) -> None:
    """TRUSTED_PROXY_HOPS=1: the client is the last X-Forwarded-For entry (the proxy's)."""
    client = await aiohttp_client(make_app(database, TRUSTED_PROXY_HOPS="1"))

    async def login_from(address: str, name: str, password: str) -> int:
        client.session.headers["X-Forwarded-For"] = f"6.6.6.6, {address}"  # left part: forged
        return int((await login(client, name=name, password=password)).status)

    for _ in range(5):
        assert await login_from("198.51.100.7", "root", "guess guess guess") == 401
    assert await login_from("198.51.100.7", "bor", PASSWORD) == 429  # that client is blocked
    assert await login_from("203.0.113.9", "ana", PASSWORD) == 303  # another one is not


async def test_without_trusted_proxies_x_forwarded_for_is_ignored(client: TestClient) -> None:
    for n in range(5):  # a new forged address each time does not escape the limit
        client.session.headers["X-Forwarded-For"] = f"192.0.2.{n}"
        assert (await login(client, password="guess guess guess")).status == 401
    client.session.headers["X-Forwarded-For"] = "192.0.2.99"
    assert (await login(client, name="bor")).status == 429


async def test_sessions_expire_when_idle(client: TestClient, database: Database) -> None:
    await login(client)
    assert (await client.get("/console/queue")).status == 200
    with database.session() as session:
        session.execute(update(ConsoleSessionRow).values(last_seen=utcnow() - timedelta(hours=3)))
    assert (await client.get("/console/queue", allow_redirects=False)).status == 303


async def test_production_cookies_are_secure(
    aiohttp_client: Any, database: Database, accounts: Accounts
) -> None:
    env = {
        "APP_ENV": "production",
        "PSEUDONYM_KEY": "Zq8xP2mW9vLk4RtY7nB3cJ6hF1sD5gA0",
        "RASA_AUTH_TOKEN": "Hk3Lm9Qp2Wx7Zr5Tv8Yb1Nc4",
    }
    client = await aiohttp_client(make_app(database, **env))
    page = await client.get("/console/login")
    login_cookie = page.headers["Set-Cookie"]
    assert "Secure" in login_cookie and "HttpOnly" in login_cookie
    token = csrf_of(await page.text())
    response = await client.post(  # over plain http the jar keeps Secure cookies back: send it
        "/console/login",
        data={"csrf": token, "name": "ana", "password": PASSWORD},
        headers={"Cookie": f"pes_console_login={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    cookie = next(h for h in response.headers.getall("Set-Cookie") if h.startswith("pes_console="))
    assert "Secure" in cookie


# --- cases -------------------------------------------------------------------------------


@pytest.fixture
def store(database: Database) -> CaseStore:
    return CaseStore(database)


async def test_forms_without_the_csrf_token_are_refused(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-1", "web", "ar", "request_human")
    await login(client)
    for action in ("claim", "release", "close", "notes", "reply"):
        refused = await client.post(
            f"/console/cases/{case.id}/{action}",
            data={"csrf": "wrong", "text": "x", "outcome": "answered"},
        )
        assert refused.status == 403, action
    after = store.get(case.id)
    assert after is not None and after.counsellor is None and after.state == "waiting"
    assert store.notes(case.id) == []


async def test_the_case_view_escapes_what_people_write_and_shows_translations(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case(
        "web-2", "web", "ar", "request_human", history=[HistoryItem(USER, "بدي موظف", "ar")]
    )
    store.add_message(case.id, USER, EVIL, "ar")
    await login(client)
    html = await (await client.get(f"/console/cases/{case.id}")).text()
    assert "<script>alert" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "بدي موظف" in html and "[ar&gt;sl] بدي موظف" in html  # original and translation
    assert "strojni prevod" in html
    stored = store.messages(case.id)[0]
    assert stored.translation == "[ar>sl] بدي موظف"  # kept for the next counsellor
    live = await (await client.get(f"/console/cases/{case.id}/live")).text()
    assert "<script>alert" not in live and "[ar&gt;sl] بدي موظف" in live

    client.app[HANDOFF].translator = Translator(TranslationConfig(provider="none"))
    other, _ = store.open_case("web-3", "web", "fa", "request_human")
    store.add_message(other.id, USER, "سلام", "fa")
    html = await (await client.get(f"/console/cases/{other.id}")).text()
    assert "Prevod ni na voljo" in html


async def test_claim_reply_close_with_notes_and_audit(
    client: TestClient, store: CaseStore, database: Database
) -> None:
    case, _ = store.open_case("web-4", "web", "ar", "request_human")
    await login(client)
    view = await client.get(f"/console/cases/{case.id}")
    token = csrf_of(await view.text())
    claimed = await client.post(f"/console/cases/{case.id}/claim", data={"csrf": token})
    assert claimed.status == 200
    assert store.get(case.id).counsellor == "ana"  # type: ignore[union-attr]

    # Another counsellor may read the case but not answer it.
    async with second_browser(client, "bor") as bor:
        url = client.make_url(f"/console/cases/{case.id}")
        bor_token = csrf_of(await (await bor.get(url)).text())
        refused = await bor.post(f"{url}/reply", data={"csrf": bor_token, "text": "Jaz bom."})
        assert "Primer je prevzel drug svetovalec." in await refused.text()

    replied = await client.post(
        f"/console/cases/{case.id}/reply",
        data={"csrf": token, "text": "Pridite v sredo.", "language": "sl"},
    )
    assert replied.status == 200
    html = await replied.text()
    assert "Pridite v sredo." in html and "[sl&gt;ar] Pridite v sredo." in html
    queued = Outbox(database).pending("web-4")
    assert [i.kind for i in queued] == ["counsellor_reply"]
    assert queued[0].message["text"].startswith("\u200f[sl>ar] Pridite v sredo.")

    noted = await client.post(
        f"/console/cases/{case.id}/notes", data={"csrf": token, "text": "Needs <b>tolmač</b>"}
    )
    assert "Needs &lt;b&gt;tolmač&lt;/b&gt;" in await noted.text()

    closed = await client.post(
        f"/console/cases/{case.id}/close", data={"csrf": token, "outcome": "answered"}
    )
    assert closed.status == 200 and str(closed.url).endswith("/console/queue")
    final = store.get(case.id)
    assert final is not None and final.state == "closed" and final.outcome == "answered"
    assert [i.kind for i in Outbox(database).pending("web-4")] == [
        "counsellor_reply",
        "case_closed",
    ]
    log = [(e.actor, e.action) for e in reversed(store.audit_log(case.id))]
    assert log == [
        ("assistant", "opened"),
        ("ana", "viewed"),
        ("ana", "claimed"),
        ("bor", "viewed"),
        ("ana", "replied"),
        ("ana", "noted"),
        ("ana", "closed"),
    ]


@contextlib.asynccontextmanager
async def second_browser(client: TestClient, name: str) -> AsyncIterator[aiohttp.ClientSession]:
    """Another counsellor's browser on the same server (its own cookies), logged in."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        page = await browser.get(client.make_url("/console/login"))
        await browser.post(
            client.make_url("/console/login"),
            data={"csrf": csrf_of(await page.text()), "name": name, "password": PASSWORD},
        )
        yield browser


async def test_roles_admin_sees_the_audit_log_and_may_take_over(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-5", "web", "en", "urgent_help")
    store.claim(case.id, "bor")
    await login(client, "ana")
    assert (await client.get("/console/audit")).status == 403
    html = await (await client.get(f"/console/cases/{case.id}")).text()
    assert f'action="/console/cases/{case.id}/reply"' not in html  # not hers to answer
    await client.post("/console/logout", data={"csrf": csrf_of(html)}, allow_redirects=False)

    await login(client, "root")
    audit = await client.get("/console/audit")
    assert audit.status == 200
    text = await audit.text()
    assert "ana" in text and "login" in text
    token = await page_csrf(client, f"/console/cases/{case.id}")
    replied = await client.post(
        f"/console/cases/{case.id}/reply",
        data={"csrf": token, "text": "I am taking this over.", "language": "en"},
    )
    assert replied.status == 200
    assert [m.counsellor for m in store.messages(case.id)] == ["root"]


async def test_a_new_case_appears_live(client: TestClient, store: CaseStore) -> None:
    await login(client)
    events = await client.get("/console/events")
    assert events.headers["Content-Type"].startswith("text/event-stream")
    assert (await events.content.readuntil(b"\n\n")) == b"retry: 3000\n\n"
    store.open_case("web-6", "telegram", "uk", "request_human")  # by the action server
    received = b""
    while b"event: new_case" not in received:
        received += await asyncio.wait_for(events.content.readuntil(b"\n\n"), 5)
    events.close()
    queue = await (await client.get("/console/queue/live")).text()
    assert "uk" in queue and "telegram" in queue and "želi svetovalca" in queue


async def test_console_in_english(client: TestClient) -> None:
    await login(client)
    token = await page_csrf(client)
    switched = await client.post(
        "/console/language", data={"csrf": token, "back": "/console/queue"}
    )
    assert "Counsellor console" in await switched.text()
    login_page = await (await client.get("/console/login?lang=en")).text()
    assert "User name" in login_page


async def test_office_staff_publish_and_delete_slots(
    client: TestClient, database: Database
) -> None:
    from common.clock import local
    from pes.appointments import AppointmentStore

    await login(client)
    token = await page_csrf(client, "/console/slots")
    today = local(utcnow()).date()
    monday = today + timedelta(days=7 - today.weekday())
    form = {
        "csrf": token,
        "office": "maribor",
        "counsellor": "Ana Novak",
        "first_day": monday.isoformat(),
        "days": "2",
        "times": "09:00, 09:30",
        "minutes": "30",
        "languages": "sl, ar",
        "interpreter": "1",
    }
    published = await client.post("/console/slots", data=form)
    assert published.status == 200 and "Objavljenih terminov: 4" in await published.text()
    slots = AppointmentStore(database).list_slots("maribor")
    assert [(local(s.starts_at).strftime("%a %H:%M"), s.languages) for s in slots] == [
        ("Mon 09:00", ("sl", "ar")),
        ("Mon 09:30", ("sl", "ar")),
        ("Tue 09:00", ("sl", "ar")),
        ("Tue 09:30", ("sl", "ar")),
    ]
    assert all(s.interpreter and s.counsellor == "Ana Novak" for s in slots)
    deleted = await client.post(f"/console/slots/{slots[0].id}/delete", data={"csrf": token})
    assert deleted.status == 200
    assert len(AppointmentStore(database).list_slots("maribor")) == 3
    bad = await client.post("/console/slots", data={**form, "times": "nine"})
    assert "&#39;nine&#39; is not a time like 09:30" in await bad.text()
    refused = await client.post("/console/slots", data={**form, "csrf": "forged"})
    assert refused.status == 403
    actions = [e.action for e in CaseStore(database).audit_log()]
    assert "slots_published" in actions and "slot_deleted" in actions
