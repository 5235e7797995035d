"""A person asks for a counsellor in Arabic in the web chat; a counsellor logs in to the console,
reads the message translated into Slovenian, answers in Slovenian, and the person's page shows
the answer in Arabic. A Persian message shows its automatic summary (the gist: language,
topic, status, city) beside the original. Real headless Chromium, the real stack (NLU,
rules, action server, gateway) with the loopback translation stand-in as its provider.

Screenshots go to var/artefacts/. Chromium comes from scripts/browser-deps.sh; where it
cannot be installed, ``PES_BROWSER_TESTS_OPTIONAL=1`` lets these tests skip instead of fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from language.catalogue import Catalogue
from pes.cases import CaseStore
from pes.db import Database
from tests.browser.conftest import (
    ARTEFACTS,
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNSELLOR_PASSWORD,
    CounsellorStack,
    counsellor_stack,
)
from tests.standins.translation_api import translation_api

pytestmark = pytest.mark.browser

REQUEST = "أريد أن أتحدث مع موظف حقيقي من فضلك"
REQUEST_SL = "Rad bi govoril s pravim uslužbencem, prosim."
FOLLOW_UP = "أبحث عن عمل كسائق"
FOLLOW_UP_SL = "Iščem delo kot voznik."
REPLY_SL = "Pozdravljeni, sem Ana. Kakšno delo ste opravljali doma?"
REPLY_AR = "مرحبًا، أنا آنا. ما العمل الذي كنت تقوم به في بلدك؟"
WIDGET = "#pes-chat-widget"
PERSIAN_REQUEST = "می‌خواهم با یک آدم صحبت کنم"
PERSIAN = "من پناهنده هستم و در ماریبور زندگی می‌کنم. آیا اجازه کار دارم؟"
PERSIAN_FOLLOW_UP = "ممنون، منتظر جواب می‌مونم"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CounsellorStack]:
    with translation_api() as translations:
        translations.dictionary.update(
            {
                ("ar", "sl", REQUEST): REQUEST_SL,
                ("ar", "sl", FOLLOW_UP): FOLLOW_UP_SL,
                ("sl", "ar", REPLY_SL): REPLY_AR,
                ("fa", "sl", PERSIAN_REQUEST): "Rad bi govoril s človekom.",
                ("fa", "sl", PERSIAN): "Sem begunec in živim v Mariboru. Ali smem delati?",
            }
        )
        with counsellor_stack(
            tmp_path_factory.mktemp("handoff-stack"), "google", translations
        ) as running:
            yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("PES_BROWSER_TESTS_OPTIONAL") == "1":
            pytest.skip("Chromium is missing and PES_BROWSER_TESTS_OPTIONAL=1")
        pytest.fail("Chromium is missing: run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox")
    box.fill(text)
    box.press("Enter")


def bot_rows(page: Page, text: str) -> object:
    return page.locator(f"{WIDGET} [role=log] .row.bot").filter(has_text=text)


def test_arabic_request_slovenian_counsellor_arabic_reply(
    chromium: Browser, stack: CounsellorStack
) -> None:
    catalogue = Catalogue.load()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    # The person, on a phone set to Arabic, asks for a person in the web chat.
    person = chromium.new_context(viewport={"width": 360, "height": 740}, locale="ar")
    person.set_default_timeout(60_000)
    chat = person.new_page()
    chat_errors = watch_errors(chat)
    chat.goto(stack.url + "/")
    chat.get_by_role("button", name=re.compile("chat", re.IGNORECASE)).click()
    expect(chat.get_by_role("textbox")).to_be_focused()
    send(chat, REQUEST)
    opened = catalogue.text("handoff.opened", "ar", wait="").split(".")[0]
    expect(bot_rows(chat, opened)).to_have_count(1)  # type: ignore[attr-defined]
    send(chat, FOLLOW_UP)  # from now on this goes to the counsellor, not the assistant
    forwarded = catalogue.text("handoff.forwarded", "ar").split(".")[0]
    expect(bot_rows(chat, forwarded)).to_have_count(1)  # type: ignore[attr-defined]

    database = Database(stack.database_url)
    try:
        cases = CaseStore(database).queue()
        assert [(c.language, c.channel, c.reasons) for c in cases] == [
            ("ar", "web", ("request_human",))
        ]
        case_id = cases[0].id
    finally:
        database.dispose()

    # The counsellor logs in and opens the case from the live queue.
    counsellor = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="sl")
    counsellor.set_default_timeout(30_000)
    console = counsellor.new_page()
    console_errors = watch_errors(console)
    console.goto(stack.url + "/console")
    console.get_by_label("Uporabniško ime").fill("ana")
    console.get_by_label("Geslo").fill(COUNSELLOR_PASSWORD)
    console.get_by_role("button", name="Prijava").click()
    expect(console.get_by_role("heading", name="Čakalna vrsta")).to_be_visible()
    console.get_by_role("link", name=f"Odpri #{case_id}").click()

    # Each message of the person: the Arabic original and the Slovenian translation side by side.
    request_row = console.locator(".msg.user").filter(has_text=REQUEST)
    expect(request_row.locator(".original")).to_contain_text(REQUEST)
    expect(request_row.locator(".translation")).to_contain_text(REQUEST_SL)
    expect(request_row.locator(".translation")).to_contain_text("strojni prevod")
    follow_up_row = console.locator(".msg.user").filter(has_text=FOLLOW_UP)
    expect(follow_up_row.locator(".translation")).to_contain_text(FOLLOW_UP_SL)

    # The counsellor answers in Slovenian.
    console.get_by_label("Odgovor", exact=True).fill(REPLY_SL)
    expect(console.get_by_label("Pišem v jeziku")).to_have_value("sl")
    console.get_by_role("button", name="Pošlji").click()
    sent_row = console.locator(".msg.counsellor").filter(has_text=REPLY_SL)
    expect(sent_row.locator(".translation")).to_contain_text(REPLY_AR)  # what the person got
    console.screenshot(path=str(ARTEFACTS / "console-case-ar.png"), full_page=True)

    # The person's page shows the reply, in Arabic, marked as machine translated.
    reply = chat.locator(f"{WIDGET} [role=log] .row.counsellor")
    expect(reply).to_contain_text(REPLY_AR, timeout=30_000)
    expect(reply).to_contain_text(catalogue.text("handoff.reply_translated", "ar"))
    expect(reply).to_have_attribute("dir", "rtl")
    chat.screenshot(path=str(ARTEFACTS / "widget-counsellor-reply-ar.png"))
    expect(sent_row).to_contain_text("dostavljeno", timeout=15_000)  # live update of the view

    # Closing the case hands the person back to the assistant.
    console.get_by_label("Zaključi z izidom").select_option("answered")
    console.get_by_role("button", name="Zaključi", exact=True).click()
    expect(console.get_by_role("heading", name="Čakalna vrsta")).to_be_visible()
    closed = catalogue.text("handoff.closed", "ar").split(".")[0]
    expect(chat.locator(f"{WIDGET} [role=log]")).to_contain_text(closed, timeout=30_000)

    asked = [r for r in stack.translations.requests if r.get("q") in (REQUEST, REPLY_SL)]
    assert {r["q"] for r in asked} == {REQUEST, REPLY_SL}
    assert chat_errors == [] and console_errors == []
    person.close()
    counsellor.close()


def open_case(chromium: Browser, stack: CounsellorStack, case_id: int) -> Page:
    """The counsellor's console, logged in, on case ``case_id`` (CSP off for axe-core)."""
    counsellor = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="sl", bypass_csp=True
    )
    counsellor.set_default_timeout(30_000)
    console = counsellor.new_page()
    console.goto(stack.url + "/console")
    console.get_by_label("Uporabniško ime").fill("ana")
    console.get_by_label("Geslo").fill(COUNSELLOR_PASSWORD)
    console.get_by_role("button", name="Prijava").click()
    expect(console.get_by_role("heading", name="Čakalna vrsta")).to_be_visible()
    # Counts every time the live region's content is put in place again.
    console.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
            window.liveSwaps = 0;
            const live = document.getElementById("live");
            if (live) new MutationObserver(() => window.liveSwaps++).observe(live, {childList: true});
        });"""
    )
    with console.expect_response(re.compile(r"/console/cases/\d+/live$")):
        console.goto(f"{stack.url}/console/cases/{case_id}")  # the stream opens: a refresh
    return console


def live_swaps(console: Page) -> int:
    """How often the live region was replaced, read after its pending refresh has settled."""
    swaps = console.evaluate("() => new Promise(r => setTimeout(() => r(window.liveSwaps), 300))")
    assert isinstance(swaps, int)
    return swaps


def test_a_persian_message_shows_its_automatic_summary(
    chromium: Browser, stack: CounsellorStack
) -> None:
    person = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fa")
    person.set_default_timeout(60_000)
    chat = person.new_page()
    chat.goto(stack.url + "/")
    chat.get_by_role("button", name=re.compile("chat", re.IGNORECASE)).click()
    send(chat, PERSIAN_REQUEST)
    opened = Catalogue.load().text("handoff.opened", "fa", wait="").split(".")[0]
    expect(bot_rows(chat, opened)).to_have_count(1, timeout=30_000)  # type: ignore[attr-defined]
    send(chat, PERSIAN)
    forwarded = Catalogue.load().text("handoff.forwarded", "fa").split(".")[0]
    expect(bot_rows(chat, forwarded)).to_have_count(1, timeout=30_000)  # type: ignore[attr-defined]
    database = Database(stack.database_url)
    try:
        [case] = [c for c in CaseStore(database).queue() if c.language == "fa"]
    finally:
        database.dispose()

    console = open_case(chromium, stack, case.id)
    # The refresh when the event stream opens fetched the same conversation: nothing is
    # replaced, so a screen reader does not read it again and a selection is not lost.
    assert live_swaps(console) == 0
    gist = console.locator(".msg.user").filter(has_text=PERSIAN).locator(".gist")
    expect(gist).to_contain_text("Samodejni povzetek")  # marked as automatic, in words
    expect(gist).to_contain_text("perzijščina")
    expect(gist).to_contain_text("Pravica do dela")
    expect(gist).to_contain_text("status begunca")
    expect(gist).to_contain_text("Maribor")
    expect(gist).to_have_attribute("lang", "sl")
    console.add_script_tag(path=str(AXE))
    found = console.evaluate(
        """async () => (await axe.run('.gist', {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"""
    )
    assert found == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    gist.first.screenshot(path=str(ARTEFACTS / "console-gist-fa.png"))
    console.locator(".msg.user").filter(has_text=PERSIAN).screenshot(
        path=str(ARTEFACTS / "handoff-gist.png")
    )
    send(chat, PERSIAN_FOLLOW_UP)  # a real change is still put in place, live
    expect(console.locator(".msg.user").filter(has_text=PERSIAN_FOLLOW_UP)).to_have_count(1)
    assert live_swaps(console) >= 1
    person.close()
    console.context.close()
