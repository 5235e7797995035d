"""Hostile text: cleaned before Rasa sees it; floods slowed down politely."""

from __future__ import annotations

import unicodedata
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st

from bot.app import create_app
from bot.conversation import User
from bot.ratelimit import RateLimiter
from bot.security import InputGuard, clean_text
from language.catalogue import Catalogue
from pes.settings import from_env
from tests.standins.rasa_rest import FakeRasa

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = "\u200b\u2060\ufeff\u00ad\U000e0041" + BIDI


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  hello  ", "hello"),
        ("he\u200bllo", "hello"),
        ("pay \u202eevil\u202c now", "pay evil now"),
        ("\u2067سلام\u2069 friend", "سلام friend"),
        ("می\u200cخواهم کار کنم", "می\u200cخواهم کار کنم"),  # ZWNJ is Persian spelling
        ("می\u200c\u200c\u200cخواهم", "می\u200cخواهم"),
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # ZWJ joins an emoji family
        ("help!!!!!!!!!!!!", "help!!!"),
        ("😭" * 500, "😭😭😭"),
        ("❤️" * 40, "❤️❤️❤️"),
        ("call 0801722 or 1000000", "call 0801722 or 1000000"),  # digits are never cut
        ("a\x00b\x07c\x1bd", "abcd"),
        ("line\r\nline\u2028line", "line\nline\nline"),
        ("one\n\n\n\n\ntwo", "one\n\ntwo"),
        ("tab\tand   spaces", "tab and spaces"),
        ("\ud800broken", "broken"),
        ("\u200c\u200b\ufeff", ""),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # escaping is the page's job
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_zalgo_keeps_four_marks() -> None:
    cleaned = clean_text("Z" + "".join(chr(0x300 + i) for i in range(40)) + "ok")
    assert cleaned.endswith("ok") and len(cleaned) == 1 + 4 + 2


@given(st.text(max_size=300))
def test_clean_text_leaves_nothing_invisible_and_is_stable(raw: str) -> None:
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert not any(c in cleaned for c in INVISIBLE)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") and c != "\n" for c in cleaned)
    assert cleaned == cleaned.strip()
    cleaned.encode("utf-8")  # storable and sendable


PERSIAN_WORD = st.lists(
    st.sampled_from(["می", "خواهم", "کار", "ها", "نمی", "توانم"]), min_size=1, max_size=3
).map("\u200c".join)


@given(st.lists(PERSIAN_WORD, min_size=1, max_size=8))
def test_persian_spelling_survives(words: list[str]) -> None:
    """Words written with a ZWNJ inside (می‌خواهم, کارها) come out exactly as written."""
    sentence = " ".join(words)
    assert clean_text(sentence) == unicodedata.normalize("NFC", sentence)


def test_flood_limiter_warns_once_then_drops() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=3, clock=lambda: now[0])
    verdicts = [limiter.take_or_warn("a") for _ in range(6)]
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert limiter.take_or_warn("b") == "ok"  # one sender's flood is theirs alone
    now[0] += 10.0  # one message a 10 s refills
    assert limiter.take_or_warn("a") == "ok"
    assert limiter.take_or_warn("a") == "warn"


async def test_guard_answers_in_the_users_language() -> None:
    catalogue = Catalogue.load()
    guard = InputGuard(catalogue, 2000, RateLimiter(per_minute=1, burst=1))
    user = User("telegram", "telegram-abc", "1", "ar")
    assert await guard(user, "مرحبا") is None
    warned = await guard(user, "مرحبا")
    assert (
        warned is not None and warned[0].text == catalogue.render("gateway.too_fast", "ar")["text"]
    )
    assert await guard(user, "مرحبا") == []  # told once; the rest of the flood is dropped
    other = User("web", "web-xyz", None, None)
    assert [m.text for m in (await guard(other, "") or [])] == [
        catalogue.render("gateway.empty", lang)["text"] for lang in ("en", "sl")
    ]


@pytest.fixture
async def client(aiohttp_client: Any) -> tuple[TestClient, FakeRasa]:
    fake = FakeRasa()
    app = create_app(
        from_env({}).gateway, rasa=fake.client(), http=httpx.AsyncClient(transport=fake.transport)
    )
    return await aiohttp_client(app), fake


async def test_chat_sends_rasa_clean_text(client: tuple[TestClient, FakeRasa]) -> None:
    http, fake = client
    body = {"session": "hostile-0001", "message": "\u202eI need\u200b work!!!!!!", "lang": "en"}
    response = await http.post("/api/chat", json=body)
    assert response.status == 200
    assert fake.requests[-1]["message"] == "I need work!!!"


@pytest.mark.parametrize("message", ["\u200b\u200b", "\u202e\u202c", " \x00 "])
async def test_invisible_only_is_empty(client: tuple[TestClient, FakeRasa], message: str) -> None:
    http, fake = client
    response = await http.post("/api/chat", json={"session": "hostile-0002", "message": message})
    assert response.status == 400 and fake.requests == []


async def test_a_flood_is_slowed_down_politely(client: tuple[TestClient, FakeRasa]) -> None:
    http, fake = client
    statuses, texts = [], []
    for _ in range(25):
        response = await http.post(
            "/api/chat", json={"session": "flooder-0001", "message": "hi", "lang": "sl"}
        )
        statuses.append(response.status)
        texts.append([m["text"] for m in (await response.json())["messages"]])
    assert set(statuses) == {200}
    assert len(fake.requests) == 10  # the burst; nobody waits a minute in a test
    too_fast = Catalogue.load().render("gateway.too_fast", "sl")["text"]
    assert texts.count([too_fast]) == 1 and texts.count([]) == 14
    other = await http.post("/api/chat", json={"session": "calm-0001", "message": "hi"})
    assert len((await other.json())["messages"]) == 2  # others are not slowed down


async def test_ten_thousand_characters(client: tuple[TestClient, FakeRasa]) -> None:
    http, fake = client
    for message in ("x" * 10_000, "ب" * 10_000, "😀" * 10_000):
        response = await http.post("/api/chat", json={"session": "long-0001", "message": message})
        assert response.status == 413 and (await response.json())["messages"]
    huge = await http.post("/api/chat", json={"session": "long-0001", "message": "y" * 200_000})
    assert huge.status == 413 and (await huge.json())["messages"]
    assert fake.requests == []
