"""The honest answer for Somali, Tigrinya and Kurdish with no translation provider."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from language.catalogue import Catalogue, mark_direction
from language.detect import DETECTION_KEY, DETECTOR
from language.honest import HONEST_BUTTON_KEY, HONEST_KEY, HONEST_OFFICES_KEY, HonestFallback
from language.nlg import NOTICE_FLAG, LocalisedNLG
from language.translation import TranslationConfig, Translator
from tests.conftest import ROOT


def parsed(intent: str, language: str, *, reliable: bool = True, **detection: Any) -> Message:
    """A message as the classifiers leave it, with its language detection."""
    return Message(
        data={
            "text": "...",
            "intent": {"name": intent, "confidence": 0.71},
            "intent_ranking": [{"name": intent, "confidence": 0.71}],
            DETECTION_KEY: {"language": language, "reliable": reliable, **detection},
        }
    )


def intent_after(message: Message) -> str:
    HonestFallback({}).process([message])
    return str(message.get("intent")["name"])


def test_a_somali_question_is_not_answered_from_a_guess() -> None:
    message = parsed("work_rights", "so")
    assert intent_after(message) == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[1]["name"] == "work_rights"  # kept for the logs
    assert message.get(DETECTION_KEY)["honest"] is True


def test_too_short_to_tell_the_phones_language_counts() -> None:
    assert intent_after(parsed("office_info", "en", reliable=False, hint="ti")) == "nlu_fallback"
    assert intent_after(parsed("office_info", "en", reliable=True, hint="ti")) == "office_info"


@pytest.mark.parametrize("intent", ["urgent_help", "request_human", "greet"])
def test_urgent_help_and_asking_for_a_person_are_kept(intent: str) -> None:
    assert intent_after(parsed(intent, "ti")) == intent


@pytest.mark.parametrize(
    "message",
    [
        parsed("work_rights", "fa"),  # a core language
        parsed("work_rights", "ps"),  # understood offline (docs/nlu.md)
        parsed("work_rights", "ku", translated_from="ku"),  # a provider translated it
        parsed("work_rights", "ckb", reliable=False),  # not sure it is Sorani
    ],
    ids=["core", "pashto", "translated", "unsure"],
)
def test_other_messages_are_left_alone(message: Message) -> None:
    assert intent_after(message) == "work_rights"


def test_only_extended_languages_can_be_configured() -> None:
    with pytest.raises(ValueError, match="fa"):
        HonestFallback({"languages": ["so", "fa"]})


def test_the_pipeline_runs_it_after_the_fallback_classifier_for_its_languages() -> None:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    names = [step["name"] for step in pipeline]
    assert names.index("language.honest.HonestFallback") > names.index("FallbackClassifier")


def honest_languages() -> list[str]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    [step] = [s for s in pipeline if s["name"] == "language.honest.HonestFallback"]
    return list(step.get("languages") or HonestFallback.get_default_config()["languages"])


@pytest.mark.parametrize("lang", honest_languages())
def test_each_language_has_its_lines_written_by_people(lang: str) -> None:
    catalogue = Catalogue.load()
    for key in (HONEST_KEY, HONEST_BUTTON_KEY, HONEST_OFFICES_KEY):
        assert catalogue.has_own(lang, key), f"data/locales/{lang}.yml: no {key}"
    assert "112" in catalogue.text(HONEST_KEY, lang)  # danger: the number, in every line
    assert DETECTOR.detect(catalogue.text(HONEST_KEY, lang)).language == lang  # written in it


def conversation(lang: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "person",
        [SlotSet("language", lang), UserUttered("...", {"name": "nlu_fallback"})],
        slots=[TextSlot("language", mappings=[{}])],
    )


async def test_not_understood_gets_the_line_in_the_persons_language() -> None:
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    message = await nlg.generate("utter_default", conversation("ckb"), "rest")  # type: ignore[arg-type]
    assert message is not None
    line = nlg.catalogue.text(HONEST_KEY, "ckb")
    assert message["text"] == mark_direction(line, "ckb")  # Sorani: right to left
    assert message["text"].startswith("\u200f")
    assert "Sorry" not in message["text"]  # not the English and Slovenian block
    assert [b["payload"] for b in message["buttons"]] == ["/request_human", "/office_info"]
    assert message["buttons"][0]["title"].endswith(nlg.catalogue.text(HONEST_BUTTON_KEY, "ckb"))
    assert message[NOTICE_FLAG] is True  # no second notice in this turn
    assert message["language"] == "ckb"


async def test_other_replies_keep_english_and_slovenian_under_the_line() -> None:
    nlg = LocalisedNLG(translator=Translator(TranslationConfig(provider="none")))
    message = await nlg.generate("utter_urgent_help", conversation("so"), "rest")  # type: ignore[arg-type]
    assert message is not None
    assert "112" in message["text"] and "Ključ" in message["text"]
    assert nlg.catalogue.text(HONEST_KEY, "so") not in message["text"]
