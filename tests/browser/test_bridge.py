"""Answering in the person's language, in real Chromium against the real stack: a Ukrainian,
a Persian and an Arabic person ask for a counsellor in the web chat; the counsellor reads each
message translated into Slovenian, answers with a phrase of the phrasebook (a human
translation, no machine notice) and with free text (checked first with the back-translation
preview); each person reads both in their own language. With the provider down, a phrase
still arrives in Persian and free text arrives as written with the interpreter notice.

One stack for the whole module, with LibreTranslate (``TRANSLATION_PROVIDER=libre``) played by
the loopback stand-in ``tests/standins/translation_api.py``. Screenshots go to
``var/artefacts/``; with ``PES_DOCS_SCREENSHOTS=1`` also to ``docs/img/`` for docs/handoff.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from language.catalogue import Catalogue
from pes.cases import CaseStore
from pes.db import Database
from pes.phrasebook import Phrasebook
from tests.browser.conftest import (
    ARTEFACTS,
    COUNSELLOR_PASSWORD,
    CounsellorStack,
    counsellor_stack,
)
from tests.browser.test_widget import axe, serious
from tests.conftest import ROOT
from tests.standins.translation_api import translation_api

pytestmark = pytest.mark.browser

WIDGET = "#pes-chat-widget"
DOCS_IMG = ROOT / "docs" / "img"
VALUES = {"date": "2026-12-02", "time": "09:30", "office": "ljubljana"}
SLOW = 30_000  # ms: a turn through Rasa, a delivery through the outbox
REPLY_SL = "Pozdravljeni, sem Ana. Kakšno delo ste opravljali doma?"


@dataclass(frozen=True)
class Person:
    lang: str
    request: str  # asks for a person (a training example of request_human)
    request_sl: str
    message: str
    message_sl: str
    reply: str  # REPLY_SL in their language
    back_sl: str  # ``reply`` translated back


PEOPLE = {
    "ar": Person(
        "ar",
        "أريد أن أتحدث مع موظف حقيقي من فضلك",
        "Rad bi govoril s pravim uslužbencem, prosim.",
        "أبحث عن عمل كسائق",
        "Iščem delo kot voznik.",
        "مرحبًا، أنا آنا. ما العمل الذي كنت تقوم به في بلدك؟",
        "Pozdravljeni, jaz sem Ana. Kakšno delo ste opravljali v svoji državi?",
    ),
    "uk": Person(
        "uk",
        "хочу поговорити з людиною",
        "Želim govoriti s človekom.",
        "Я шукаю роботу на складі",
        "Iščem delo v skladišču.",
        "Вітаю, я Ана. Яку роботу ви виконували вдома?",
        "Pozdravljeni, jaz sem Ana. Kakšno delo ste opravljali doma?",
    ),
    "fa": Person(
        "fa",
        "می‌خواهم با یک آدم صحبت کنم",
        "Želim govoriti s človekom.",
        "من دنبال کار در آشپزخانه هستم",
        "Iščem delo v kuhinji.",
        "سلام، من آنا هستم. در کشور خودتان چه کاری می‌کردید؟",
        "Pozdravljeni, jaz sem Ana. Kakšno delo ste opravljali v svoji državi?",
    ),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CounsellorStack]:
    with translation_api() as translations:
        for p in PEOPLE.values():
            translations.dictionary.update(
                {
                    (p.lang, "sl", p.request): p.request_sl,
                    (p.lang, "sl", p.message): p.message_sl,
                    ("sl", p.lang, REPLY_SL): p.reply,
                    (p.lang, "sl", p.reply): p.back_sl,
                }
            )
        with counsellor_stack(
            tmp_path_factory.mktemp("bridge-stack"), "libre", translations
        ) as running:
            yield running


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), full_page=full_page)
    if os.environ.get("PES_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / name), full_page=full_page)


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def send(chat: Page, text: str) -> None:
    box = chat.get_by_role("textbox")
    box.fill(text)
    box.press("Enter")


def rows(chat: Page, who: str) -> Locator:
    return chat.locator(f"{WIDGET} [role=log] .row.{who}")


def first_sentence(key: str, lang: str, **values: object) -> str:
    return re.split(r"[.،؟]", Catalogue.load().text(key, lang, **values))[0]


def ask_for_a_person(browser: Browser, stack: CounsellorStack, p: Person) -> tuple[Page, int]:
    """The person opens the widget in their language, asks for a person and writes a
    message; the case's number."""
    person = browser.new_context(viewport={"width": 360, "height": 740}, locale=p.lang)
    person.set_default_timeout(30_000)
    chat, _ = watched(person)
    chat.goto(stack.url + "/")
    chat.get_by_role("button", name=re.compile("chat", re.IGNORECASE)).click()
    expect(chat.get_by_role("textbox")).to_be_focused()
    send(chat, p.request)
    opened = first_sentence("handoff.opened", p.lang, wait="")
    expect(rows(chat, "bot").filter(has_text=opened)).to_have_count(1, timeout=SLOW)
    send(chat, p.message)
    forwarded = first_sentence("handoff.forwarded", p.lang)
    expect(rows(chat, "bot").filter(has_text=forwarded)).to_have_count(1, timeout=SLOW)
    database = Database(stack.database_url)
    try:
        ids = [c.id for c in CaseStore(database).queue() if c.language == p.lang]
    finally:
        database.dispose()
    return chat, max(ids)  # this person's: the newest case in their language


def counsellor_console(browser: Browser, stack: CounsellorStack) -> tuple[Page, list[str]]:
    counsellor = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="sl", bypass_csp=True
    )
    counsellor.set_default_timeout(15_000)
    console, errors = watched(counsellor)
    console.goto(stack.url + "/console")
    console.get_by_label("Uporabniško ime").fill("ana")
    console.get_by_label("Geslo").fill(COUNSELLOR_PASSWORD)
    console.get_by_role("button", name="Prijava").click()
    expect(console.get_by_role("heading", name="Čakalna vrsta")).to_be_visible()
    return console, errors


def send_phrase(console: Page, query: str, title: str, values: dict[str, str]) -> Locator:
    """Find a phrase by its Slovenian words (the live search), fill it in, preview it; the
    preview box (not sent yet)."""
    console.get_by_label("Poišči frazo (slovenske ali angleške besede)").fill(query)
    console.locator("#phrase-hits").get_by_role("link", name=title).click()
    if "date" in values:
        console.get_by_label("Datum", exact=True).fill(values["date"])
    if "time" in values:
        console.get_by_label("Ura", exact=True).fill(values["time"])
    if "office" in values:
        console.get_by_label("Urad", exact=True).select_option(values["office"])
    console.get_by_role("button", name="Predogled fraze").click()
    preview = console.locator("#phrase-preview")
    expect(preview).to_be_visible()
    return preview


def lines(text: str) -> list[str]:
    """A phrase's lines as the page shows them: without the direction marks."""
    return [line.replace("\u200f", "").strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("lang", ["ar", "uk", "fa"])  # Arabic first: its screenshot is the docs'
def test_each_person_reads_a_phrase_and_a_free_text_reply_in_their_language(
    browser: Browser, stack: CounsellorStack, lang: str
) -> None:
    p, book = PEOPLE[lang], Phrasebook.load()
    chat, case_id = ask_for_a_person(browser, stack, p)
    console, console_errors = counsellor_console(browser, stack)
    console.goto(f"{stack.url}/console/cases/{case_id}")

    # A phrase: the preview shows exactly the person's text, right to left for ar and fa.
    preview = send_phrase(console, "termin", "Vaš termin: datum, ura in kraj", VALUES)
    phrase = book.render("appointment_details", lang, VALUES)
    sent = preview.locator("[data-field=sent]")
    for line in lines(phrase):
        expect(sent).to_contain_text(line)
    expect(sent).to_have_attribute("lang", lang)
    expect(sent).to_have_attribute("dir", "rtl" if lang in ("ar", "fa") else "ltr")
    expect(preview).to_contain_text("prevedel človek")
    if lang == "fa":
        assert serious(axe(console)) == []
        shot(console, "handoff-phrasebook.png", full_page=True)
    console.get_by_role("button", name="Pošlji frazo").click()
    sent_row = console.locator(".msg.counsellor").filter(has_text="Vaš termin pri svetovalcu")
    expect(sent_row.locator(".translation")).to_contain_text(lines(phrase)[0])
    expect(sent_row).not_to_contain_text("strojni prevod")
    got = rows(chat, "counsellor").filter(has_text=lines(phrase)[0])
    expect(got).to_contain_text(lines(phrase)[-1], timeout=SLOW)
    expect(got).not_to_contain_text(Catalogue.load().text("handoff.reply_translated", lang))
    if lang == "fa":
        expect(got).to_have_attribute("dir", "rtl")
        shot(chat, "handoff-widget-fa.png")

    # The person's messages, translated for the counsellor.
    mine = console.locator(".msg.user").filter(has_text=p.message)
    expect(mine.locator(".translation")).to_contain_text(p.message_sl, timeout=SLOW)

    # Free text: translation and back-translation first, then sent.
    console.get_by_label("Odgovor", exact=True).fill(REPLY_SL)
    console.get_by_role("button", name="Predogled prevoda").click()
    back = console.locator("#back-translation")
    expect(back.locator("[data-field=translation]")).to_contain_text(p.reply)
    expect(back.locator("[data-field=back]")).to_contain_text(p.back_sl)
    if lang == "ar":
        back.scroll_into_view_if_needed()
        shot(console, "handoff-back-translation.png")
    console.get_by_role("button", name="Pošlji", exact=True).click()
    free = console.locator(".msg.counsellor").filter(has_text=REPLY_SL)
    expect(free.locator(".translation")).to_contain_text(p.reply)
    reply = rows(chat, "counsellor").filter(has_text=p.reply)
    expect(reply).to_contain_text(
        Catalogue.load().text("handoff.reply_translated", lang), timeout=SLOW
    )
    assert console_errors == []
    chat.context.close()
    console.context.close()


def test_with_the_provider_down_a_phrase_still_arrives_in_persian(
    browser: Browser, stack: CounsellorStack
) -> None:
    stack.translations.fail = True
    try:
        p, book = PEOPLE["fa"], Phrasebook.load()
        chat, case_id = ask_for_a_person(browser, stack, p)
        console, console_errors = counsellor_console(browser, stack)
        console.goto(f"{stack.url}/console/cases/{case_id}")
        asked = len(stack.translations.requests)
        preview = send_phrase(console, "osebni", "Prinesite osebni dokument", {})
        expect(preview.locator("[data-field=sent]")).to_contain_text(
            lines(book.render("bring_id", "fa"))[0]
        )
        console.get_by_role("button", name="Pošlji frazo").click()
        got = rows(chat, "counsellor").filter(has_text=lines(book.render("bring_id", "fa"))[0])
        expect(got).to_have_count(1, timeout=SLOW)

        # Free text with the provider down: the original, with the interpreter notice.
        console.get_by_label("Odgovor", exact=True).fill(REPLY_SL)
        console.get_by_role("button", name="Pošlji", exact=True).click()
        untranslated = Catalogue.load().text("handoff.reply_untranslated", "fa")
        reply = rows(chat, "counsellor").filter(has_text=REPLY_SL)
        expect(reply).to_contain_text(untranslated[:40], timeout=SLOW)
        phrase_requests = [r for r in stack.translations.requests[asked:] if "q" in r]
        assert all(r["q"] != book.render("bring_id", "fa") for r in phrase_requests)
        assert console_errors == []
        chat.context.close()
        console.context.close()
    finally:
        stack.translations.fail = False
