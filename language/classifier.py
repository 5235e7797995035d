"""Intent classifier for many languages and scripts at once.

A logistic regression over two views of a message: the multilingual-e5-small
sentence embedding (from ``E5Featurizer``: meaning, across languages) and
TF-IDF of character n-grams (spelling: typos, missing diacritics, dialect
words, inflection). Chosen by held-out accuracy; see docs/nlu.md.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from language import modelfile

logger = logging.getLogger(__name__)

MODEL_FILE = "classifier.skops"


def _dense(message: Message, width: int) -> np.ndarray[Any, Any]:
    _, sentence = message.get_dense_features(TEXT)
    if sentence is None:
        return np.zeros(width, dtype=np.float32)
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MultilingualIntentClassifier(modelfile.StoredComponent, GraphComponent, IntentClassifier):
    """Logistic regression on sentence embeddings plus character n-gram TF-IDF."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 10.0,
            "max_iter": 1000,
            "min_ngram": 2,
            "max_ngram": 4,
            "min_df": 2,
            "dense_weight": 1.0,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizer: TfidfVectorizer | None = None,
        model: LogisticRegression | None = None,
        dense_width: int = 0,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._vectorizer = vectorizer
        self._model = model
        self._dense_width = dense_width

    def _matrix(self, messages: list[Message]) -> sp.csr_matrix:
        assert self._vectorizer is not None
        texts = [(m.get(TEXT) or "").lower() for m in messages]
        sparse = self._vectorizer.transform(texts)
        if not self._dense_width:
            return sparse.tocsr()
        dense = np.vstack([_dense(m, self._dense_width) for m in messages])
        dense = dense * float(self._config["dense_weight"])
        return sp.hstack([sp.csr_matrix(dense), sparse]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("fewer than two intents with examples: the classifier is not trained")
            return self._resource
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(int(self._config["min_ngram"]), int(self._config["max_ngram"])),
            min_df=int(self._config["min_df"]),
            sublinear_tf=True,
        )
        self._vectorizer.fit([(m.get(TEXT) or "").lower() for m in examples])
        first = examples[0].get_dense_features(TEXT)[1]
        self._dense_width = 0 if first is None else int(np.asarray(first.features).size)
        self._model = LogisticRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            class_weight="balanced",
            random_state=42,
        )
        self._model.fit(self._matrix(examples), [m.get(INTENT) for m in examples])
        objects = {
            "vectorizer": self._vectorizer,
            "model": self._model,
            "dense_width": self._dense_width,
        }
        modelfile.save(self._storage, self._resource, MODEL_FILE, objects)
        return self._resource

    @classmethod
    def restore(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> MultilingualIntentClassifier:
        saved = modelfile.load(model_storage, resource, MODEL_FILE)
        if saved is None:
            logger.warning("no trained intent classifier in the model")
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            saved["vectorizer"],
            saved["model"],
            int(saved["dense_width"]),
        )

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None or self._vectorizer is None:
            return messages
        probabilities = self._model.predict_proba(self._matrix(messages))
        labels = self._model.classes_
        for message, row in zip(messages, probabilities, strict=True):
            if mashed(str(message.get(TEXT) or "")):
                row = np.zeros_like(row)  # keys mashed: nothing was said; the fallback answers
            order = np.argsort(row)[::-1]
            text = str(message.get(TEXT) or "")
            if greeting_first(labels, row, order, text):
                order = np.concatenate([order[1:2], order[:1], order[2:]])
            best = int(order[0])
            message.set(
                INTENT,
                {"name": str(labels[best]), "confidence": float(row[best])},
                add_to_output=True,
            )
            ranking = [
                {"name": str(labels[i]), "confidence": float(row[i])}
                for i in order[: int(self._config["ranking_length"])]
            ]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


def mashed(text: str) -> bool:
    """Keys mashed rather than words typed ("ززززز قققق", "пппп ттт", "hhhhh"): every
    word is three letters or more of at most two letters repeated. Such a message carries
    no intent, and a confident guess at one (thanks! goodbye!) would answer nobody."""
    words = _LETTERS.findall(text)
    return bool(words) and all(len(w) >= 3 and len(set(w.lower())) <= 2 for w in words)


SMALL_TALK = frozenset({"greet", "goodbye", "thank_you", "nlu_fallback", "out_of_scope"})
GREETING_RUNNER_UP = 0.2  # the question's own confidence after a greeting
GREETING_WORDS = 3  # a greeting alone is shorter ("السلام عليكم", "hello good evening")


def greeting_first(labels: Any, row: Any, order: Any, text: str) -> bool:
    """ "السلام عليكم بدي موعد", "salam, mekhaham kar konam": a greeting, then the
    question. People open with a greeting; the classifier then often ranks greet first
    and the question second. With more than a greeting's words and a question ranked
    next, the question is what to answer (the greeting is answered by answering)."""
    if len(order) < 2 or str(labels[order[0]]) != "greet":
        return False
    second = str(labels[order[1]])
    words = len(_LETTERS.findall(text))
    return (
        second not in SMALL_TALK
        and float(row[order[1]]) >= GREETING_RUNNER_UP
        and words > GREETING_WORDS
    )
