from __future__ import annotations

import dataclasses

from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue
from actions.institutions import ActionInstitutionInfo, card_values
from actions.offices import ActionOfficeInfo
from pes import content, institutions
from tests.actions.snapshots import tracker

CARD = ("intro", "title", "does", "details")


async def run(t) -> list[dict]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionInstitutionInfo().run(dispatcher, t, {})
    assert events == []
    return dispatcher.messages


def rendered(message: dict, lang: str) -> str:
    return str(
        catalogue().render(message["response"], lang, **{k: message[k] for k in CARD})["text"]
    )


async def test_uoim_gets_the_uoim_card_not_an_ess_office() -> None:
    messages = await run(tracker("institution_info_uoim_en"))
    assert len(messages) == 1
    card = messages[0]
    assert card["response"] == "institutions.card"
    text = rendered(card, "en")
    assert text.startswith("Government Office for Migrants (UOIM)\nUrad Vlade Republike Slovenije")
    assert "Address: Cesta v Gorice 15, 1000 Ljubljana" in text
    assert (
        "https://www.gov.si/drzavni-organi/vladne-sluzbe/urad-vlade-za-oskrbo-in-integracijo-migrantov/"
        in text
    )
    assert "integration house" in text
    for office in content.default().offices.values():
        assert office.address not in text and office.name not in text
    # Asking where UOIM is is not a question the ESS should have answered: no "not for us".
    assert catalogue().text("institutions.not_for_ess", "en") not in text
    # Not yet checked by staff: people are asked to check the website first.
    assert catalogue().text("institutions.check_first", "en") in text


async def test_a_topic_of_another_institution_says_so_first_in_slovenian() -> None:
    t = tracker(
        "institution_info_uoim_en",
        slots={"language": "sl"},
        text="kje podaljsam dovoljenje za prebivanje",
        entities=[{"entity": "institution_topic", "value": "residence_permit"}],
    )
    messages = await run(t)
    text = rendered(messages[0], "sl")
    assert text.splitlines()[:2] == ["Tega ne ureja Zavod za zaposlovanje, ampak:", "Upravna enota"]
    assert "Upravne enote" not in text  # Slovenian readers get the name once
    assert "Urade imajo v mnogih krajih" in text
    assert "Naslov:" not in text


async def test_the_card_reads_right_to_left_in_persian() -> None:
    t = tracker(
        "institution_info_uoim_en",
        slots={"language": "fa"},
        entities=[{"entity": "institution_topic", "value": "asylum_decision"}],
    )
    messages = await run(t)
    message = catalogue().render("institutions.card", "fa", **{k: messages[0][k] for k in CARD})
    lines = [line for line in message["text"].split("\n") if line]
    assert all(line.startswith("\u200f") for line in lines)
    assert "وزارت داخله" in message["text"] and "+386 1 428 40 00" in message["text"]


async def test_no_institution_asks_with_a_button_for_each() -> None:
    messages = await run(tracker("institution_info_uoim_en", entities=[]))
    assert messages[0]["response"] == "institutions.ask_which"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/institution_info{"institution": "uoim"}' in payloads
    assert '/institution_info{"institution": "enic_naric"}' in payloads
    assert len(payloads) == len(institutions.default().by_id)
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "Government Office for Migrants (UOIM)" in titles


async def test_unknown_institution_asks_which() -> None:
    t = tracker("institution_info_uoim_en", entities=[{"entity": "institution", "value": "nasa"}])
    messages = await run(t)
    assert messages[0]["response"] == "institutions.ask_which"


def test_verified_card_with_hours() -> None:
    pic = institutions.default().by_id["pic"]
    checked = dataclasses.replace(
        pic, verified=True, hours={"mon": ("09:00-12:00",), "thu": ("09:00-12:00", "13:00-15:00")}
    )
    values = card_values(checked, "uk", not_for_ess=True)
    text = catalogue().text("institutions.card", "uk", **values)
    assert text.startswith("Цим займається не Служба зайнятості, а:\nPIC – безкоштовна юридична")
    assert "Понеділок: 09:00-12:00" in text and "Четвер: 09:00-12:00, 13:00-15:00" in text
    assert catalogue().text("institutions.check_first", "uk") not in text


async def test_office_question_naming_another_institution_goes_to_its_card() -> None:
    """The tester's report: "where is the UOIM office" got an ESS office card."""
    t = tracker("office_info_maribor_fa", entities=[{"entity": "institution", "value": "uoim"}])
    dispatcher = CollectingDispatcher()
    events = await ActionOfficeInfo().run(dispatcher, t, {})
    assert dispatcher.messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "action_institution_info"}]
