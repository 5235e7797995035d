from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.entities import GazetteerEntityExtractor, normalise


def example(text: str, entities: list[tuple[str, str, str]]) -> Message:
    spans = []
    for surface, entity, value in entities:
        start = text.index(surface)
        spans.append(
            {"start": start, "end": start + len(surface), "entity": entity, "value": value}
        )
    return Message(data={"text": text, "intent": "x", "entities": spans})


@pytest.fixture
def extractor(tmp_path: Path) -> GazetteerEntityExtractor:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("gazetteer")
    component = GazetteerEntityExtractor({}, storage, resource)
    component.train(
        TrainingData(
            [
                example("kje je urad v Mariboru", [("Mariboru", "city", "maribor")]),
                example("office in novo mesto", [("novo mesto", "city", "novo_mesto")]),
                example("أين مكتب ماريبور", [("ماريبور", "city", "maribor")]),
                example(
                    "расскажи про обучение на рабочем месте",
                    [("обучение на рабочем месте", "programme", "on_the_job_training")],
                ),
                example(
                    "i have subsidiary protection",
                    [("subsidiary protection", "protection_status", "subsidiary_protection")],
                ),
            ]
        )
    )
    loaded = GazetteerEntityExtractor.load({}, storage, resource, None)  # type: ignore[arg-type]
    return loaded


def values(extractor: GazetteerEntityExtractor, text: str) -> list[tuple[str, str, str]]:
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in extractor.extract(text)]


def test_inflected_and_diacritic_free_forms(extractor: GazetteerEntityExtractor) -> None:
    assert values(extractor, "urad v mariboru?") == [("city", "maribor", "mariboru")]
    assert values(extractor, "Kdaj je odprt urad Novo Mesto") == [
        ("city", "novo_mesto", "Novo Mesto")
    ]


def test_arabic_prefix_and_letter_variants(extractor: GazetteerEntityExtractor) -> None:
    assert values(extractor, "وين المكتب بماريبور") == [("city", "maribor", "بماريبور")]


def test_multiword_programme(extractor: GazetteerEntityExtractor) -> None:
    found = values(extractor, "что такое обучение на рабочем месте?")
    assert found == [("programme", "on_the_job_training", "обучение на рабочем месте")]


def test_language_names_are_known_without_training(extractor: GazetteerEntityExtractor) -> None:
    assert ("language", "fa", "فارسی") in values(extractor, "لطفا فارسی بنویس")
    assert ("language", "uk", "Українська") in values(extractor, "Українська будь ласка")


def test_short_words_do_not_match_inside_others(extractor: GazetteerEntityExtractor) -> None:
    assert values(extractor, "are you there") == []


def test_normalise_keeps_offsets() -> None:
    text, index = normalise("Čakam v Ljubljani")
    assert text.startswith("cakam")
    assert index[0] == 0 and len(text) == len(index)


def test_process_adds_entities_to_the_message(extractor: GazetteerEntityExtractor) -> None:
    message = Message(data={"text": "urad v Mariboru"})
    extractor.process([message])
    entities: list[dict[str, Any]] = message.get("entities")
    assert (
        entities[0]["value"] == "maribor" and entities[0]["extractor"] == "GazetteerEntityExtractor"
    )
