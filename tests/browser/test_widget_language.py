"""The widget's own words follow the conversation's language, unless the person chose one.

Real Chromium against the shared real stack (tests/browser/conftest.py): a person whose
browser is in English writes Persian, and the title, placeholder, buttons, labels, picker
and layout turn Persian and right to left (screenshot in var/artefacts/); after choosing
English in the picker, the words stay English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from language.catalogue import Catalogue
from tests.browser.test_widget import WIDGET, ask, direction, open_chat, rows, wait_for_answer
from tests.standins.stack import Stack

pytestmark = pytest.mark.browser

QUESTION = "کدام برنامه‌ها را برای پناهندگان دارید؟"  # which programmes do you have for refugees?


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def title(page: Page) -> Locator:
    return page.locator(f"{WIDGET} h2")


def expect_words(page: Page, catalogue: Catalogue, lang: str, direction_: str) -> None:
    """The widget's own words are ``lang``'s and the panel runs ``direction_``."""

    def text(key: str) -> str:
        return catalogue.text(f"widget.{key}", lang)

    expect(title(page)).to_have_text(text("title"))
    box = page.get_by_role("textbox", name=text("input_label"))
    expect(box).to_have_attribute("placeholder", text("placeholder"))
    expect(page.get_by_role("button", name=text("send"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=text("close"), exact=True)).to_be_visible()
    expect(page.get_by_role("log")).to_have_attribute("aria-label", text("log_label"))
    expect(page.get_by_role("combobox", name=text("language_label"))).to_have_value(lang)
    panel = page.get_by_role("dialog")
    expect(panel).to_have_attribute("dir", direction_)
    expect(panel).to_have_attribute("lang", lang)
    assert direction(panel) == direction_


def test_the_widgets_words_follow_a_persian_conversation(
    page: Page, stack: Stack, catalogue: Catalogue, artefacts: Path
) -> None:
    open_chat(page, stack)  # the browser is in English: so is the widget
    expect_words(page, catalogue, "en", "ltr")
    page.get_by_role("button", name=catalogue.text("widget.privacy_ok", "en")).click()

    answer = ask(page, QUESTION)
    expect(answer).to_contain_text(catalogue.text("programmes.list_intro", "fa"))
    expect_words(page, catalogue, "fa", "rtl")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).picked") is None
    shot = artefacts / "widget-follows-fa.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    page.reload()  # the words come back as they were
    expect_words(page, catalogue, "fa", "rtl")


def test_a_choice_in_the_picker_keeps_the_words(
    page: Page, stack: Stack, catalogue: Catalogue
) -> None:
    """With the real assistant, a choice of English makes its replies English as well, so
    the widget would stay English without remembering the choice; the socket is passed
    through a proxy that marks the replies after the choice as Persian (as when the
    person asks in words for Persian), so this test fails if the choice is not kept."""
    marked = {"on": False}

    def proxy(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if marked["on"] and isinstance(message, str):
                frame: dict[str, Any] = json.loads(message)
                if frame.get("type") == "message":
                    frame["lang"] = "fa"
                message = json.dumps(frame)
            ws.send(message)

        server.on_message(to_page)
        ws.on_message(server.send)

    page.route_web_socket(re.compile(r"/api/ws$"), proxy)
    open_chat(page, stack)
    expect(ask(page, QUESTION)).to_contain_text(catalogue.text("programmes.list_intro", "fa"))
    expect_words(page, catalogue, "fa", "rtl")

    picker = page.get_by_role("combobox", name=catalogue.text("widget.language_label", "fa"))
    before = rows(page).count()
    picker.select_option("en")
    expect(wait_for_answer(page, before)).to_contain_text(catalogue.text("language.changed", "en"))
    expect_words(page, catalogue, "en", "ltr")

    marked["on"] = True
    ask(page, QUESTION)
    expect_words(page, catalogue, "en", "ltr")
    page.reload()
    expect_words(page, catalogue, "en", "ltr")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('pes-widget')).picked") == "en"
