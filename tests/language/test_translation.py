"""The translator (cache, breaker, protection, the NLU and the replies) against a local stand-in.

Each provider's protocol: tests/language/test_translation_providers.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from language.components import LanguageResolver
from language.nlg import NOTICE_FLAG, LocalisedNLG
from language.translation import (
    CircuitBreaker,
    TranslationConfig,
    TranslationUnavailable,
    Translator,
    protect,
    restore,
)
from tests.standins.translation_api import StandIn, translation_api


@pytest.fixture
def api() -> Iterator[StandIn]:
    with translation_api() as stand_in:
        yield stand_in


def google(api: StandIn, timeout: float = 2.0) -> Translator:
    return Translator(TranslationConfig(provider="google", api_url=api.url, timeout=timeout))


def test_google_protocol(api: StandIn) -> None:
    api.dictionary[("tr", "en", "iş arıyorum")] = "I am looking for work"
    assert google(api).translate("iş arıyorum", "tr", "en") == "I am looking for work"
    assert api.requests[0]["method"] == "GET"
    assert api.requests[0]["sl"] == "tr" and api.requests[0]["tl"] == "en"


def test_libre_protocol(api: StandIn) -> None:
    translator = Translator(TranslationConfig(provider="libre", api_url=api.url, api_key="k"))
    assert translator.translate("Bonjour", "fr", "en") == "en:Bonjour"
    [sent] = api.translations("/translate")
    assert sent["method"] == "POST" and sent["source"] == "fr" and sent["api_key"] == "k"


def test_cached_second_time(api: StandIn) -> None:
    translator = google(api)
    translator.translate("merhaba", "tr", "en")
    translator.translate("merhaba", "tr", "en")
    assert len(api.requests) == 1
    assert translator.forget({"merhaba"}) == 1
    translator.translate("merhaba", "tr", "en")
    assert len(api.requests) == 2


def test_timeout_then_breaker_stops_calling(api: StandIn) -> None:
    api.delay = 1.0
    translator = google(api, timeout=0.2)
    for _ in range(3):
        started = time.monotonic()
        with pytest.raises(TranslationUnavailable):
            translator.translate(f"text {_}", "tr", "en")
        assert time.monotonic() - started < 0.9
    calls = len(api.requests)
    with pytest.raises(TranslationUnavailable, match="breaker"):
        translator.translate("another", "tr", "en")
    time.sleep(1.1)
    assert len(api.requests) == calls  # the open breaker sent nothing


def test_server_error_is_unavailable(api: StandIn) -> None:
    api.fail = True
    with pytest.raises(TranslationUnavailable):
        google(api).translate("salam", "ps", "en")


def test_no_provider_never_calls_out() -> None:
    translator = Translator(TranslationConfig(provider="none"))
    assert not translator.enabled
    with pytest.raises(TranslationUnavailable):
        translator.translate("salam", "ps", "en")


def test_links_numbers_and_placeholders_are_protected() -> None:
    text = "Call +386 1 475 85 00 or see www.ess.gov.si about {name}."
    protected, tokens = protect(text)
    assert "475" not in protected and "www" not in protected and "{name}" not in protected
    assert restore(protected, tokens) == text
    assert restore(protected.replace("[1]", ""), tokens) is None


def test_breaker_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=lambda: now[0])
    breaker.failure()
    assert breaker.allow()
    breaker.failure()
    assert not breaker.allow()
    now[0] = 11
    assert breaker.allow()
    breaker.success()
    assert breaker.allow()


def test_extended_language_input_is_translated_before_the_nlu(api: StandIn) -> None:
    text = "merhaba iş arıyorum yardım eder misiniz"
    api.dictionary[("tr", "en", text)] = "hello I am looking for work can you help"
    message = Message(data={"text": text})
    LanguageResolver(translator=google(api)).process([message])
    assert message.get("text") == "hello I am looking for work can you help"
    assert message.get("language_detection")["translated_from"] == "tr"


def test_core_language_input_is_never_sent_out(api: StandIn) -> None:
    message = Message(data={"text": "kje je urad v mariboru in kdaj je odprt"})
    LanguageResolver(translator=google(api)).process([message])
    assert api.requests == []
    assert message.get("text").startswith("kje je urad")


def conversation(lang: str, *events: Event) -> DialogueStateTracker:
    """A conversation in ``lang`` whose latest user message starts the turn."""
    return DialogueStateTracker.from_events(
        "person",
        [SlotSet("language", lang), UserUttered("hello", {"name": "greet"}), *events],
        slots=[TextSlot("language", mappings=[{}])],
    )


async def test_replies_in_an_extended_language_are_machine_translated(api: StandIn) -> None:
    nlg = LocalisedNLG(translator=google(api))
    message = await nlg.generate("utter_goodbye", conversation("ps"), "rest")  # type: ignore[arg-type]
    assert message is not None
    assert message["text"].startswith("\u200fps:Goodbye")  # Pashto is right to left
    # The notice is the one written in Pashto, not a machine translation of it.
    assert nlg.catalogue.text("translation.notice", "ps") in message["text"]
    assert "Translated by machine" not in message["text"]


async def test_machine_translated_notice_for_a_language_without_its_own(api: StandIn) -> None:
    nlg = LocalisedNLG(translator=google(api))
    del nlg.catalogue.locales["tr"]
    message = await nlg.generate("utter_goodbye", conversation("tr"), "rest")  # type: ignore[arg-type]
    assert message is not None
    assert "tr:(Translated by machine" in message["text"]


async def test_without_translation_english_and_slovenian_with_an_interpreter_offer() -> None:
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    message = await nlg.generate("utter_help", conversation("so"), "rest")  # type: ignore[arg-type]
    assert message is not None
    text = message["text"]
    assert nlg.catalogue.text("translation.unavailable", "so") in text  # written in Somali
    assert "I can: explain" in text
    assert text.index("I can") < text.index("Lahko")  # English, then Slovenian
    assert message["buttons"][0]["payload"] == "/list_programmes"


async def test_the_notice_comes_once_per_turn_on_its_first_message(api: StandIn) -> None:
    nlg = LocalisedNLG(translator=google(api))
    notice = nlg.catalogue.text("translation.notice", "ps")
    turn = conversation("ps")
    first = await nlg.generate("utter_urgent_help", turn, "rest")
    second = await nlg.generate("handoff.opened_urgent", turn, "rest", wait="soon")
    assert first is not None and second is not None
    assert notice in first["text"] and first[NOTICE_FLAG] is True
    assert notice not in second["text"] and NOTICE_FLAG not in second
    # The next turn is told again.
    later = conversation("ps", BotUttered("...", metadata={NOTICE_FLAG: True}))
    later.update(UserUttered("thanks", {"name": "thank_you"}))
    again = await nlg.generate("utter_you_are_welcome", later, "rest")
    assert again is not None and notice in again["text"]


async def test_a_notice_earlier_in_the_turn_is_seen_in_the_tracker(api: StandIn) -> None:
    """Another action of the same turn (or another replica) told already: not again."""
    nlg = LocalisedNLG(translator=google(api))
    told = conversation("ps", BotUttered("ps:...", metadata={NOTICE_FLAG: True}))
    message = await nlg.generate("utter_goodbye", told, "rest")
    assert message is not None
    assert nlg.catalogue.text("translation.notice", "ps") not in message["text"]
    untold = conversation("ps", BotUttered("ps:...", metadata={}))
    message = await nlg.generate("utter_goodbye", untold, "rest")
    assert message is not None
    assert nlg.catalogue.text("translation.notice", "ps") in message["text"]


async def test_without_translation_the_line_in_the_persons_language_comes_once_per_turn() -> None:
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    offer = nlg.catalogue.text("translation.unavailable", "so")
    turn = conversation("so")
    first = await nlg.generate("utter_urgent_help", turn, "rest")
    second = await nlg.generate("handoff.opened_urgent", turn, "rest", wait="soon")
    assert first is not None and second is not None
    assert offer in first["text"] and offer not in second["text"]
    assert "If you are in danger" in first["text"] and "Če ste v nevarnosti" in first["text"]


@pytest.mark.parametrize("key", ["language.changed", "language.not_supported"])
async def test_without_translation_both_lines_say_the_same(key: str) -> None:
    """ "I will continue in English" over "Nadaljeval bom v slovenščini" said two things."""
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    message = await nlg.generate(key, conversation("so"), "rest")
    assert message is not None
    english = nlg.catalogue.text(f"{key}.en_sl", "en")
    slovene = nlg.catalogue.text(f"{key}.en_sl", "sl")
    assert english in message["text"] and slovene in message["text"]
    assert "English and Slovenian" in english and "angleščini in slovenščini" in slovene
    for alone in (nlg.catalogue.text(key, "en"), nlg.catalogue.text(key, "sl")):
        assert alone not in message["text"]


async def test_without_translation_the_slovenian_line_gets_the_slovenian_values() -> None:
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    wait = {"en": "People waiting before you: 5.", "sl": "Pred vami čaka 5 ljudi."}
    message = await nlg.generate(
        "handoff.opened",
        conversation("ps"),
        "rest",
        wait=wait["en"],
        by_language={"sl": {"wait": wait["sl"]}},
    )
    assert message is not None
    english, slovene = message["text"].split("\n\n")[1:3]
    assert wait["en"] in english and wait["sl"] in slovene
    assert "People" not in slovene
