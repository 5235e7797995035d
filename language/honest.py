"""The honest answer for languages the model cannot understand well enough offline.

With no translation provider, a message in Somali, Tigrinya or Kurdish reaches the
classifier untranslated. The encoder knows these languages too little for the model
to understand them (docs/nlu.md has the figures), and a confident wrong answer about
the right to work is worse than none. So ``HonestFallback`` (after the
``FallbackClassifier``) turns such a message's intent into ``nlu_fallback``, and the
localising NLG answers ``utter_default`` in that language with a line written by
people (``offline.honest`` in ``data/locales/<lang>.yml``): it cannot understand them
yet, a counsellor can get an interpreter, the offices, and 112.

Intents whose answer helps even when the guess is wrong, or whose miss costs most,
are kept (``keep``): urgent help (112 and a case for a counsellor), asking for a
person, and the small talk of a conversation. Buttons' payloads (``/request_human``)
do not pass through the pipeline, so they always work.

A message that a provider translated (``translated_from`` in the detection) is left
alone: the model then reads English.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from language.detect import DETECTION_KEY
from language.languages import EXTENDED

HONEST_KEY = "offline.honest"  # the line, in data/locales/<lang>.yml
HONEST_BUTTON_KEY = "offline.human"  # its button to a counsellor
HONEST_OFFICES_KEY = "offline.offices"  # its button to the offices
HONEST_FLAG = "honest"  # set in the detection when the intent was replaced


def honest_language(detection: Any, languages: frozenset[str]) -> str | None:
    """The language of a message that must get the honest answer, else None: the one it
    is surely written in, or, when too short to tell, the one the person's phone or
    browser is set to (the channel's hint)."""
    if not isinstance(detection, dict):
        return None
    language = detection.get("language") if detection.get("reliable") else detection.get("hint")
    if language not in languages or detection.get("translated_from"):
        return None
    return str(language)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HonestFallback(GraphComponent, IntentClassifier):
    """Replaces the intent of an untranslated message in a language not understood."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "languages": ["so", "ti", "ku", "ckb"],
            "keep": ["urgent_help", "request_human", "greet", "goodbye", "thank_you"],
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HonestFallback:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        merged = {**self.get_default_config(), **config}
        unknown = set(merged["languages"]) - set(EXTENDED)
        if unknown:
            raise ValueError(f"HonestFallback: not extended languages: {sorted(unknown)}")
        self.languages = frozenset(str(code) for code in merged["languages"])
        self.keep = frozenset(str(intent) for intent in merged["keep"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            detection = message.get(DETECTION_KEY)
            if honest_language(detection, self.languages) is None:
                continue
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) in self.keep:
                continue
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: confidence,
            }
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
            detection[HONEST_FLAG] = True
        return messages
