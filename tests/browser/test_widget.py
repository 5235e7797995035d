"""The chat widget in real headless Chromium against the real assistant (tests/browser/conftest.py).

A Persian conversation laid out right to left (screenshot kept in var/artefacts/), a reload
that keeps the conversation, quick-reply buttons, an offline/online cycle with a queued
message, keyboard use and focus, and an axe-core scan with no serious or critical violations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from language.catalogue import Catalogue
from pes.db import Database
from pes.outbox import Outbox
from pes.privacy import pseudonym
from pes.settings import from_env
from tests.browser.conftest import AXE
from tests.standins.stack import Stack

pytestmark = pytest.mark.browser

CHAT = re.compile("chat", re.IGNORECASE)
WIDGET = "#pes-chat-widget"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def launcher(page: Page) -> Locator:
    return page.get_by_role("button", name=CHAT)


def rows(page: Page, who: str = "bot") -> Locator:
    return page.locator(f"{WIDGET} [role=log] .row.{who}")


def wait_for_answer(page: Page, before: int) -> Locator:
    """Wait until a turn is answered (more assistant messages, typing indicator gone)."""
    try:
        page.wait_for_function(
            """(before) => {
                const root = document.getElementById('pes-chat-widget').shadowRoot;
                return root.querySelectorAll('.row.bot').length > before
                    && root.querySelector('.typing').hidden;
            }""",
            arg=before,
            timeout=60_000,
        )
    except PlaywrightTimeout:
        state = page.evaluate("sessionStorage.getItem('pes-widget')")
        pytest.fail(f"no answer after {before} assistant messages; widget state: {state}")
    return rows(page).nth(before)


def ask(page: Page, text: str) -> Locator:
    """Type a message, press Enter, return the first assistant message that answers it."""
    before = rows(page).count()
    box = page.get_by_role("textbox")
    box.fill(text)
    box.press("Enter")
    return wait_for_answer(page, before)


def open_chat(page: Page, stack: Stack) -> None:
    page.goto(stack.url + "/")
    launcher(page).click()
    expect(page.get_by_role("textbox")).to_be_focused()
    wait_for_answer(page, 0)  # the greeting


def direction(locator: Locator) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).direction"))


def test_persian_conversation_is_right_to_left(
    page: Page, stack: Stack, catalogue: Catalogue, artefacts: Path
) -> None:
    open_chat(page, stack)
    page.get_by_role("button", name=catalogue.text("widget.privacy_ok", "en")).click()
    picker = page.get_by_role("combobox", name=catalogue.text("widget.language_label", "en"))
    before = rows(page).count()
    picker.select_option("fa")
    changed = wait_for_answer(page, before)
    expect(changed).to_contain_text(catalogue.text("language.changed", "fa"))
    # the widget's own words are Persian now, and the panel is right to left
    box = page.get_by_role("textbox", name=catalogue.text("widget.input_label", "fa"))
    expect(box).to_have_attribute("placeholder", catalogue.text("widget.placeholder", "fa"))
    panel = page.get_by_role("dialog")
    expect(panel).to_have_attribute("dir", "rtl")
    assert direction(panel) == "rtl"

    question = "کدام برنامه‌ها را برای پناهندگان دارید؟"
    answer = ask(page, question)
    expect(answer).to_contain_text(catalogue.text("programmes.list_intro", "fa"))
    expect(answer).to_have_attribute("dir", "rtl")
    assert direction(answer) == "rtl" and direction(answer.locator(".msg")) == "rtl"
    persian_buttons = answer.locator(".quick button")
    assert persian_buttons.count() >= 4
    assert all(re.search("[\u0600-\u06ff]", t) for t in persian_buttons.all_inner_texts())
    # right to left on screen: the assistant starts at the right edge, the user at the left
    log_box = page.get_by_role("log").bounding_box()
    user_box = rows(page, "user").last.bounding_box()
    answer_box = answer.bounding_box()
    assert log_box and user_box and answer_box
    assert answer_box["x"] + answer_box["width"] > log_box["x"] + log_box["width"] - 30
    assert user_box["x"] < log_box["x"] + 30
    assert user_box["x"] + user_box["width"] < log_box["x"] + log_box["width"] - 30
    # every message element carries a direction (the contract)
    for row in page.locator(f"{WIDGET} [role=log] > *").all():
        assert row.get_attribute("dir") in ("auto", "rtl", "ltr")
    shot = artefacts / "widget-fa-rtl.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_a_reload_keeps_the_conversation(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    answer = ask(page, "where is your office in Maribor?")
    expect(answer).to_contain_text("Maribor")
    transcript = page.get_by_role("log").inner_text()
    count = page.locator(f"{WIDGET} [role=log] > *").count()
    session = page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).session")

    page.reload()
    expect(page.get_by_role("textbox")).to_be_visible()  # still open
    expect(page.locator(f"{WIDGET} [role=log] > *")).to_have_count(count)  # no duplicates
    assert page.get_by_role("log").inner_text() == transcript
    assert "where is your office in Maribor?" in transcript
    assert page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).session") == session
    # the conversation goes on in the same session
    expect(ask(page, "thank you")).not_to_be_empty()
    assert page.locator(f"{WIDGET} [role=log] > *").count() > count


def test_a_quick_reply_button_sends_its_payload(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    greeting = rows(page).first
    button = greeting.get_by_role("button", name="Programmes", exact=True)
    before = rows(page).count()
    button.click()
    answer = wait_for_answer(page, before)
    expect(rows(page, "user").last).to_have_text(re.compile("Programmes"))
    expect(answer).to_contain_text("programmes for refugees")
    expect(greeting.locator(".quick")).to_have_count(0)  # the old choices are gone
    expect(page.get_by_role("textbox")).to_be_focused()
    # a programme's button opens its card
    before = rows(page).count()
    answer.get_by_role("button", name="On-the-job training for refugees").click()
    expect(wait_for_answer(page, before)).to_contain_text("On-the-job training")


def test_a_message_written_offline_is_sent_when_back_online(
    page: Page, context: BrowserContext, stack: Stack, catalogue: Catalogue
) -> None:
    open_chat(page, stack)
    context.set_offline(True)
    status = page.locator(f"{WIDGET} .status")
    expect(status).to_have_text(catalogue.text("widget.offline", "en"))
    before = rows(page).count()
    box = page.get_by_role("textbox")
    box.fill("where is your office in Celje?")
    box.press("Enter")
    queued = rows(page, "user").last
    expect(queued).to_have_attribute("data-state", "queued")
    expect(queued).to_contain_text(catalogue.text("widget.queued", "en"))
    page.wait_for_timeout(1500)
    assert rows(page).count() == before  # nothing went out, nothing came back
    queue = page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).queue")
    assert [q["text"] for q in queue] == ["where is your office in Celje?"]

    context.set_offline(False)
    answer = wait_for_answer(page, before)
    expect(answer).to_contain_text("Celje")
    expect(queued).not_to_have_attribute("data-state", "queued")
    expect(status).to_have_text("")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).queue") == []


def test_a_counsellor_reply_arrives_live(page: Page, stack: Stack, catalogue: Catalogue) -> None:
    open_chat(page, stack)
    session = page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).session")
    user_id = pseudonym(from_env().gateway.pseudonym_key, "web", session)
    database = Database(stack.database_url)
    try:
        Outbox(database).put(
            user_id,
            "web",
            {"text": "Hello, this is Ana, your counsellor."},
            kind="counsellor_reply",
        )
    finally:
        database.dispose()
    reply = page.locator(f"{WIDGET} [role=log] .row.counsellor")
    expect(reply).to_contain_text("this is Ana", timeout=20_000)  # the gateway polls every 5 s
    expect(reply.locator(".who")).to_have_text(catalogue.text("widget.counsellor", "en"))
    expect(reply).to_have_attribute("dir", "ltr")


def test_keyboard_and_focus(page: Page, stack: Stack, catalogue: Catalogue) -> None:
    page.goto(stack.url + "/")
    button = launcher(page)
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name=catalogue.text("widget.input_label", "en"))
    expect(box).to_be_focused()  # focus moves into the chat on open
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    wait_for_answer(page, 0)
    page.keyboard.type("hello")
    before = rows(page).count()
    page.keyboard.press("Enter")
    wait_for_answer(page, before)
    page.keyboard.press("Tab")  # to Send, with a visible focus ring
    send = page.get_by_role("button", name=catalogue.text("widget.send", "en"))
    expect(send).to_be_focused()
    assert send.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Escape")  # closes, focus back on the launcher
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_focused()
    page.keyboard.press("Shift+Tab")  # backwards through the panel: log, then the header
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    close = page.get_by_role("button", name=catalogue.text("widget.close", "en"))
    for _ in range(4):
        if close.evaluate("e => e.getRootNode().activeElement === e"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(button).to_be_focused()
    # 360 px wide: nothing sticks out sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def axe(page: Page) -> dict[str, Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    assert isinstance(result, dict)
    return result


def serious(result: dict[str, Any]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_no_serious_violations(
    browser: Browser, stack: Stack, artefacts: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(stack.url + "/")
        expect(launcher(page)).to_be_visible()
        closed = axe(page)
        launcher(page).click()
        wait_for_answer(page, 0)
        page.get_by_role("combobox").select_option("ar")
        wait_for_answer(page, 1)  # a right-to-left reply in the log
        opened = axe(page)
        (artefacts / f"axe-{width}.json").write_text(
            json.dumps({"closed": closed["violations"], "open": opened["violations"]}, indent=1),
            "utf-8",
        )
        assert serious(closed) == []
        assert serious(opened) == []
    finally:
        context.close()


def test_delete_my_data_also_clears_the_browsers_copy(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    session = page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).session")
    ask(page, "please delete everything you know about me")
    ask(page, "yes")
    page.wait_for_function(
        "(old) => JSON.parse(sessionStorage.getItem('pes-widget')).session !== old",
        arg=session,
        timeout=30_000,
    )
    state = page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget'))")
    assert "delete everything" not in json.dumps(state)
    assert state["transcript"] == [] or all(m.get("who") != "user" for m in state["transcript"])
