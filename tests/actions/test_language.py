from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionChooseLanguage, ActionResolveLanguage
from tests.actions.snapshots import tracker


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def detection(
    lang: str | None, words: int, confidence: float = 0.95, hint: str | None = None
) -> dict[str, Any]:
    return {
        "language": lang,
        "confidence": confidence,
        "words": words,
        "reliable": True,
        "hint": hint,
    }


async def resolve(**kwargs: Any) -> dict[str, Any]:
    return slots(
        await ActionResolveLanguage().run(
            CollectingDispatcher(), tracker("office_info_maribor_fa", **kwargs), {}
        )
    )


async def test_a_clear_message_sets_the_language() -> None:
    got = await resolve(
        slots={"language": None, "language_source": None}, language_detection=detection("uk", 5)
    )
    assert got == {"language": "uk", "language_source": "message"}


async def test_nothing_changes_when_the_language_is_the_same() -> None:
    assert await resolve() == {}


async def test_explicit_choice_through_choose_language() -> None:
    got = await resolve(
        intent={"name": "choose_language", "confidence": 1.0},
        entities=[{"entity": "language", "value": "ru"}],
    )
    assert got == {"language": "ru", "language_source": "explicit"}


async def test_language_entity_outside_choose_language_is_not_a_choice() -> None:
    got = await resolve(entities=[{"entity": "language", "value": "ru"}])
    assert got == {}


async def test_channel_hint_on_first_contact() -> None:
    got = await resolve(
        slots={"language": None, "language_source": None},
        language_detection=detection("tr", 1, 0.4, hint="ar-SY"),
    )
    assert got == {"language": "ar", "language_source": "channel"}


async def test_a_payload_on_first_contact_takes_the_hint_from_the_metadata() -> None:
    """Buttons, deep links and the widget's silent /greet skip the NLU: no detection,
    but the channel's hint (the browser's language) still decides the first reply."""
    got = await resolve(
        slots={"language": None, "language_source": None},
        language_detection=None,
        metadata={"channel": "web", "language": "sl-SI"},
    )
    assert got == {"language": "sl", "language_source": "channel"}


async def test_choose_language_without_a_language_offers_the_six() -> None:
    dispatcher = CollectingDispatcher()
    await ActionChooseLanguage().run(dispatcher, tracker("office_info_maribor_fa", entities=[]), {})
    message = dispatcher.messages[0]
    assert message["response"] == "language.ask"
    assert [b["payload"] for b in message["buttons"]][-1] == '/choose_language{"language": "fa"}'
    assert len(message["buttons"]) == 6


async def test_choose_language_confirms_or_explains() -> None:
    for code, key in (("uk", "language.changed"), ("ti", "language.not_supported")):
        dispatcher = CollectingDispatcher()
        t = tracker("office_info_maribor_fa", entities=[{"entity": "language", "value": code}])
        await ActionChooseLanguage().run(dispatcher, t, {})
        assert dispatcher.messages[0]["response"] == key
