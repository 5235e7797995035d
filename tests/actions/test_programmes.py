from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.base import catalogue
from actions.programmes import ActionListProgrammes, ActionProgrammeDetails
from pes.content import PROGRAMME_IDS
from tests.actions.snapshots import tracker


async def test_list_has_one_button_per_programme_in_the_language() -> None:
    dispatcher = CollectingDispatcher()
    await ActionListProgrammes().run(dispatcher, tracker("programme_details_none_sl"), {})
    message = dispatcher.messages[0]
    assert message["response"] == "programmes.list_intro"
    assert [b["payload"] for b in message["buttons"]] == [
        f'/programme_details{{"programme": "{pid}"}}' for pid in PROGRAMME_IDS
    ]
    assert message["buttons"][1]["title"] == catalogue().text(
        "programme.on_the_job_training.name", "sl"
    )


async def test_details_of_a_named_programme() -> None:
    t = tracker(
        "programme_details_none_sl",
        entities=[{"entity": "programme", "value": "on_the_job_training"}],
    )
    dispatcher = CollectingDispatcher()
    events = await ActionProgrammeDetails().run(dispatcher, t, {})
    card = dispatcher.messages[0]
    assert card["response"] == "programmes.card"
    assert card["name"] == catalogue().text("programme.on_the_job_training.name", "sl")
    assert card["source"].startswith("https://")
    assert events[0]["name"] == "programme" and events[0]["value"] == "on_the_job_training"
    rendered = catalogue().render(
        "programmes.card", "sl", **{k: v for k, v in card.items() if k != "response"}
    )
    assert card["summary"] in rendered["text"]


async def test_details_without_a_programme_ask_which() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionProgrammeDetails().run(
        dispatcher, tracker("programme_details_none_sl"), {}
    )
    assert dispatcher.messages[0]["response"] == "programmes.ask_which"
    assert len(dispatcher.messages[0]["buttons"]) == len(PROGRAMME_IDS)
    assert events == []


async def test_english_for_languages_without_native_replies() -> None:
    t = tracker(
        "programme_details_none_sl",
        slots={"language": "ps"},
        entities=[{"entity": "programme", "value": "job_club"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionProgrammeDetails().run(dispatcher, t, {})
    assert dispatcher.messages[0]["name"] == "Job club"
