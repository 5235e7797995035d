"""The phrasebook and the translation previews on a case page: search, preview, send a
phrase (human translation, no machine notice) and the back-translation of a free-text
reply; extended languages, no provider and a provider that is down."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console import HANDOFF
from bot.console.auth import Accounts
from bot.keys import PHRASEBOOK
from language.catalogue import Catalogue
from language.translation import TranslationConfig, Translator
from pes.cases import CaseStore
from pes.db import Database
from pes.outbox import Outbox
from pes.phrasebook import Phrasebook
from tests.bot.test_console import PASSWORD, csrf_of, login, make_app
from tests.conftest import ROOT

VALUES = {"date": "2026-12-02", "time": "09:30", "office": "ljubljana"}
FORM = {f"v_{name}": value for name, value in VALUES.items()}
JSON = {"Accept": "application/json"}


@pytest.fixture
async def client(aiohttp_client: Any, database: Database) -> TestClient:
    accounts = Accounts(database)
    accounts.add("ana", "counsellor", PASSWORD)
    accounts.add("bor", "counsellor", PASSWORD)
    return await aiohttp_client(make_app(database))


@pytest.fixture
def store(database: Database) -> CaseStore:
    return CaseStore(database)


def book(client: TestClient) -> Phrasebook:
    return client.app[PHRASEBOOK]


def note(key: str, lang: str) -> str:
    """A handoff notice as the person gets it (right-to-left marked for ar and fa)."""
    return str(Catalogue.load().render(key, lang)["text"])


def failing(text: str, source: str, target: str) -> str:
    raise ConnectionError("the provider is down")


async def token(client: TestClient, case_id: int) -> str:
    return csrf_of(await (await client.get(f"/console/cases/{case_id}")).text())


async def test_search_by_slovenian_or_english_words(client: TestClient) -> None:
    assert (await client.get("/console/phrasebook?q=x", allow_redirects=False)).status == 303
    await login(client)
    found = await (await client.get("/console/phrasebook?q=tolmac")).json()
    ids = [hit["id"] for hit in found["hits"]]
    assert "appointment_interpreter" in ids
    hit = next(h for h in found["hits"] if h["id"] == "appointment_interpreter")
    assert hit["needs"] == {"language": "language"} and "tolmač" in hit["text"]
    english = await (await client.get("/console/phrasebook?q=interpreter")).json()
    assert "appointment_interpreter" in [hit["id"] for hit in english["hits"]]
    assert (await (await client.get("/console/phrasebook?q=")).json()) == {"hits": []}


async def test_the_case_page_searches_and_shows_a_phrase_form_without_javascript(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-p1", "web", "fa", "request_human")
    await login(client)
    html = await (
        await client.get(f"/console/cases/{case.id}?q=termin&phrase=appointment_details")
    ).text()
    assert "phrase=appointment_details" in html  # a hit links to its form
    assert 'type="date"' in html and 'type="time"' in html and 'name="v_office"' in html
    assert 'value="ljubljana"' in html and 'name="v_address"' not in html
    assert "Fraze so prevedli ljudje" in html


async def test_preview_shows_exactly_what_the_person_reads(
    client: TestClient, store: CaseStore
) -> None:
    uk, _ = store.open_case("web-p2", "web", "uk", "request_human")
    fa, _ = store.open_case("web-p3", "web", "fa", "request_human")
    await login(client)
    csrf = await token(client, uk.id)
    form = {"csrf": csrf, "phrase": "appointment_details", **FORM}
    shown = await (
        await client.post(f"/console/cases/{uk.id}/phrase/preview", data=form, headers=JSON)
    ).json()
    assert shown["sent"] == book(client).render("appointment_details", "uk", VALUES)
    assert shown["own"] == book(client).render("appointment_details", "sl", VALUES)
    assert shown["dir"] == "ltr" and shown["human"] and not shown["machine"]
    persian = await (
        await client.post(f"/console/cases/{fa.id}/phrase/preview", data=form, headers=JSON)
    ).json()
    assert persian["sent"].startswith("\u200f") and persian["dir"] == "rtl"
    assert persian["lang"] == "fa" and "۹:۳۰" in persian["sent"]
    page = await (await client.post(f"/console/cases/{fa.id}/phrase/preview", data=form)).text()
    assert 'dir="rtl"' in page and "۹:۳۰" in page  # without JavaScript: the page
    assert Outbox(store.db).pending("web-p3") == []  # a preview sends nothing


async def test_a_phrase_reaches_a_ukrainian_as_a_human_translation(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-p4", "web", "uk", "request_human")
    await login(client)
    form = {"csrf": await token(client, case.id), "phrase": "appointment_details", **FORM}
    sent = await client.post(f"/console/cases/{case.id}/phrase", data=form)
    assert sent.status == 200 and str(sent.url).endswith(f"/console/cases/{case.id}")
    ukrainian = book(client).render("appointment_details", "uk", VALUES)
    queued = Outbox(store.db).pending("web-p4")
    assert [item.message["text"] for item in queued] == [ukrainian]
    assert note("handoff.reply_translated", "uk") not in queued[0].message["text"]
    message = store.messages(case.id)[-1]
    assert message.text == book(client).render("appointment_details", "sl", VALUES)
    assert message.language == "sl" and message.translation == ukrainian
    assert not message.machine_translated


async def test_provider_down_phrase_still_in_ukrainian_free_text_as_written(
    client: TestClient, store: CaseStore
) -> None:
    client.app[HANDOFF].translator = Translator(
        TranslationConfig(provider="libre"), backend=failing
    )
    case, _ = store.open_case("web-p5", "web", "uk", "request_human")
    await login(client)
    csrf = await token(client, case.id)
    await client.post(
        f"/console/cases/{case.id}/reply", data={"csrf": csrf, "text": "Pridite jutri."}
    )
    await client.post(f"/console/cases/{case.id}/phrase", data={"csrf": csrf, "phrase": "bring_cv"})
    texts = [item.message["text"] for item in Outbox(store.db).pending("web-p5")]
    assert texts == [
        f"Pridite jutri.\n\n{note('handoff.reply_untranslated', 'uk')}",  # nothing lost
        book(client).render("bring_cv", "uk"),
    ]


async def test_extended_languages_get_the_english_phrase_machine_translated(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-p6", "web", "ps", "request_human")
    await login(client)
    csrf = await token(client, case.id)
    await client.post(f"/console/cases/{case.id}/phrase", data={"csrf": csrf, "phrase": "bring_cv"})
    english = book(client).render("bring_cv", "en")
    (queued,) = Outbox(store.db).pending("web-p6")
    translated_note = f"[en>ps] {note('handoff.reply_translated', 'en')}"
    assert queued.message["text"] == f"\u200f[en>ps] {english}\n\n\u200f{translated_note}"
    assert store.messages(case.id)[-1].machine_translated

    client.app[HANDOFF].translator = Translator(TranslationConfig(provider="none"))
    await client.post(f"/console/cases/{case.id}/phrase", data={"csrf": csrf, "phrase": "bring_cv"})
    last = Outbox(store.db).pending("web-p6")[-1]
    assert last.message["text"] == f"{english}\n\n{note('handoff.reply_untranslated', 'en')}"


async def test_with_no_provider_a_phrase_still_arrives_in_persian(
    client: TestClient, store: CaseStore
) -> None:
    client.app[HANDOFF].translator = Translator(TranslationConfig(provider="none"))
    case, _ = store.open_case("web-p7", "web", "fa", "request_human")
    await login(client)
    form = {
        "csrf": await token(client, case.id),
        "phrase": "appointment_interpreter",
        "v_language": "fa",
    }
    await client.post(f"/console/cases/{case.id}/phrase", data=form)
    (queued,) = Outbox(store.db).pending("web-p7")
    persian = book(client).render("appointment_interpreter", "fa", {"language": "fa"})
    assert queued.message["text"] == persian and "فارسی" in persian
    assert note("handoff.reply_untranslated", "fa") not in queued.message["text"]


async def test_a_bad_value_is_shown_at_its_input_and_nothing_is_sent(
    client: TestClient, store: CaseStore
) -> None:
    case, _ = store.open_case("web-p8", "web", "uk", "request_human")
    await login(client)
    csrf = await token(client, case.id)
    bad = {"csrf": csrf, "phrase": "appointment_details", **FORM, "v_date": "2. 12."}
    refused = await client.post(f"/console/cases/{case.id}/phrase", data=bad)
    assert refused.status == 422
    html = await refused.text()
    assert "Fraza ni bila poslana" in html and "Napaka: Vpišite datum." in html
    assert (
        'id="phrase-v_date" name="v_date" type="date" value="2. 12." required aria-invalid' in html
    )
    assert Outbox(store.db).pending("web-p8") == []
    assert [m.author for m in store.messages(case.id)] == []
    errors = await (
        await client.post(f"/console/cases/{case.id}/phrase/preview", data=bad, headers=JSON)
    ).json()
    assert errors == {"ok": False, "errors": {"date": "Vpišite datum."}}
    unknown = await client.post(
        f"/console/cases/{case.id}/phrase", data={"csrf": csrf, "phrase": "no_such_phrase"}
    )
    assert unknown.status == 400


async def test_phrases_are_guarded_like_replies(client: TestClient, store: CaseStore) -> None:
    case, _ = store.open_case("web-p9", "web", "uk", "request_human")
    await login(client)
    for path in ("phrase", "phrase/preview", "preview"):
        refused = await client.post(
            f"/console/cases/{case.id}/{path}", data={"csrf": "wrong", "phrase": "bring_cv"}
        )
        assert refused.status == 403, path
    store.claim(case.id, "bor")
    csrf = await token(client, case.id)
    taken = await client.post(
        f"/console/cases/{case.id}/phrase", data={"csrf": csrf, "phrase": "bring_cv"}
    )
    assert "Primer je prevzel drug svetovalec." in await taken.text()
    assert Outbox(store.db).pending("web-p9") == []


async def test_back_translation_preview(client: TestClient, store: CaseStore) -> None:
    case, _ = store.open_case("web-p10", "web", "ar", "request_human")
    await login(client)
    form = {"csrf": await token(client, case.id), "text": "Pridite v sredo.", "language": "sl"}
    url = f"/console/cases/{case.id}/preview"
    shown = await (await client.post(url, data=form, headers=JSON)).json()
    assert shown["translation"] == "\u200f[sl>ar] Pridite v sredo."
    assert shown["back"] == "[ar>sl] [sl>ar] Pridite v sredo."
    assert shown["problem"] is None and shown["dir"] == "rtl"
    page = await (await client.post(url, data=form)).text()  # without JavaScript
    assert "[ar&gt;sl] [sl&gt;ar] Pridite v sredo." in page
    assert ">Pridite v sredo.</textarea>" in page  # the draft is kept
    assert Outbox(store.db).pending("web-p10") == []

    client.app[HANDOFF].translator = Translator(
        TranslationConfig(provider="libre"), backend=failing
    )
    down = await (await client.post(url, data=form, headers=JSON)).json()
    assert down["translation"] is None and "ne deluje" in down["problem"]
    client.app[HANDOFF].translator = Translator(TranslationConfig(provider="none"))
    none = await (await client.post(url, data=form, headers=JSON)).json()
    assert none["translation"] is None and "ni na voljo" in none["problem"]


async def test_a_slow_provider_loses_nothing(client: TestClient, store: CaseStore) -> None:
    def slow(text: str, source: str, target: str) -> str:
        time.sleep(0.3)  # longer than the timeout below
        return f"[{source}>{target}] {text}"

    client.app[HANDOFF].translator = Translator(
        TranslationConfig(provider="libre", timeout=0.05), backend=slow
    )
    case, _ = store.open_case("web-p11", "web", "ar", "request_human")
    await login(client)
    csrf = await token(client, case.id)
    await client.post(
        f"/console/cases/{case.id}/reply", data={"csrf": csrf, "text": "Pridite jutri."}
    )
    (queued,) = Outbox(store.db).pending("web-p11")
    assert queued.message["text"] == (
        f"Pridite jutri.\n\n{note('handoff.reply_untranslated', 'ar')}"
    )
    assert store.messages(case.id)[-1].text == "Pridite jutri."


def commonest() -> list[str]:
    """The phrase ids of docs/handoff.md's table "The ten commonest questions"."""
    text = (ROOT / "docs" / "handoff.md").read_text(encoding="utf-8")
    table = text.split("### The ten commonest questions", 1)[1].split("\n\n", 3)[2]
    rows = table.splitlines()[2:]  # the header and the |---| line
    return [re.findall(r"`(\w+)`", row.split("|")[2])[0] for row in rows]


SAMPLE = {
    "date": "2026-12-02",
    "time": "09:30",
    "office": "maribor",
    "programme": "slovene_course",
    "language": "ar",
    "documents": "potni list\nodločba o statusu",
}


@pytest.mark.parametrize("lang", ["uk", "ru", "ar", "fa"])
async def test_with_no_provider_the_ten_commonest_questions_get_answers_in_the_persons_language(
    client: TestClient, store: CaseStore, lang: str
) -> None:
    ids = commonest()
    assert len(ids) == 10
    client.app[HANDOFF].translator = Translator(TranslationConfig(provider="none"))
    handoff, phrases = client.app[HANDOFF], book(client)
    case, _ = store.open_case(f"web-ten-{lang}", "web", lang, "request_human")
    for phrase_id in ids:
        values = {name: SAMPLE[kind] for name, kind in phrases.needs(phrase_id).items()}
        composed = await handoff.compose_phrase(case, phrase_id, values, "sl")
        assert composed.sent == phrases.render(phrase_id, lang, values), phrase_id
        assert not composed.machine and composed.sent != composed.own, phrase_id
        assert note("handoff.reply_untranslated", lang) not in composed.sent, phrase_id
