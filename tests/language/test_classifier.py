"""The intent classifier trains, saves, loads and predicts (without the embedding)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.classifier import MultilingualIntentClassifier, greeting_first, mashed

EXAMPLES = {
    "greet": ["hello", "hi there", "zivjo", "привіт", "salam alaikum", "good morning"],
    "find_job": [
        "i need a job",
        "iscem delo",
        "шукаю роботу",
        "any work for me",
        "job please",
        "work as driver",
    ],
}


def test_train_save_load_predict(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    data = TrainingData(
        [
            Message(data={"text": t, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for t in texts
        ]
    )
    MultilingualIntentClassifier({"min_df": 1}, storage, resource).train(data)
    loaded = MultilingualIntentClassifier.load({"min_df": 1}, storage, resource, None)  # type: ignore[arg-type]
    messages = [
        Message(data={"text": "hello friend"}),
        Message(data={"text": "i need work as a driver"}),
    ]
    loaded.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["greet", "find_job"]
    ranking = messages[1].get("intent_ranking")
    assert ranking[0]["name"] == "find_job"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_an_untrained_model_leaves_messages_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    loaded = MultilingualIntentClassifier.load({}, storage, Resource("none"), None)  # type: ignore[arg-type]
    message = Message(data={"text": "hello"})
    loaded.process([message])
    assert message.get("intent") is None


@pytest.mark.parametrize("text", ["ززززز قققق", "пппп ттт", "hhhhh", "ههههههه"])
def test_mashed_keys_carry_no_intent(text: str) -> None:
    assert mashed(text)


@pytest.mark.parametrize("text", ["ok", "لا", "hmm, no", "kje je urad", "بدي موعد", "zzz maribor"])
def test_words_are_not_mashed(text: str) -> None:
    assert not mashed(text)


LABELS = np.array(["book_appointment", "greet", "thank_you", "work_rights"])


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("السلام عليكم بدي موعد", [0.32, 0.63, 0.0, 0.05], True),  # the question comes next
        ("salam, mekhaham kar konam", [0.0, 0.39, 0.0, 0.34], True),
        ("السلام عليكم", [0.32, 0.63, 0.0, 0.05], False),  # a greeting alone
        ("hello hello good evening my friend", [0.0, 0.6, 0.3, 0.1], False),  # small talk next
        ("hello there how are you doing", [0.1, 0.8, 0.0, 0.1], False),  # the question unsure
        ("i want an appointment please now", [0.9, 0.1, 0.0, 0.0], False),  # not greet first
    ],
)
def test_a_greeting_then_a_question_answers_the_question(
    text: str, row: list[float], expected: bool
) -> None:
    scores = np.array(row)
    assert greeting_first(LABELS, scores, np.argsort(scores)[::-1], text) is expected
