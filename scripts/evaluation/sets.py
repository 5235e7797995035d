"""The two test sets and the model's reading of them.

A set is a folder of Rasa NLU files, one per core language (``tests/nlu/en.yml``).
The regression set has been looked at while choosing settings and examples; the
unseen set must not steer anything, so its texts are never printed: not by us,
and not by Rasa's loader warnings either (they can quote an example).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from language.detect import Detection
from language.languages import CORE
from scripts.evaluation.spec import FALLBACK

# Texts in, Rasa parse results out (same order): the model, or a stand-in in tests.
Parser = Callable[[Sequence[str]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Example:
    lang: str
    index: int  # 1-based, in the order of its file
    text: str
    intent: str
    programme: str | None  # as annotated, when it is

    @property
    def id(self) -> str:
        return f"{self.lang}#{self.index}"


@dataclass(frozen=True)
class TestSet:
    name: str
    path: Path
    examples: tuple[Example, ...]
    problems: tuple[str, ...]  # why a language is missing, without any message text
    show_texts: bool  # False: ids and counts only

    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in CORE if any(e.lang == lang for e in self.examples))


@dataclass(frozen=True)
class Prediction:
    top: str  # the classifier's best intent, even under the fallback threshold
    shown: str  # the intent the assistant acts on (nlu_fallback below the threshold)
    programme: str | None  # the programme recognised in the message
    detection: Detection


def _programme(entities: Any) -> str | None:
    for entity in entities or []:
        if isinstance(entity, dict) and entity.get("entity") == "programme":
            return str(entity.get("value"))
    return None


def _load_file(path: Path, lang: str) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = load_data(str(path))
    return [
        Example(lang, i, str(m.get("text")), str(m.get("intent")), _programme(m.get("entities")))
        for i, m in enumerate(data.intent_examples, start=1)
    ]


def load_set(name: str, directory: Path, *, show_texts: bool) -> TestSet | None:
    """The set in ``directory`` (``<lang>.yml`` per core language); None when it has none.

    A file that cannot be read is left out with its error type, not its content: files
    of the unseen set may still be half-written while the set grows."""
    examples: list[Example] = []
    problems: list[str] = []
    for lang in CORE:
        path = directory / f"{lang}.yml"
        if not path.is_file():
            problems.append(f"{lang}: no {path.name}")
            continue
        try:
            examples += _load_file(path, lang)
        except Exception as exc:
            problems.append(f"{lang}: {path.name} could not be read ({type(exc).__name__})")
    if not examples:
        return None
    return TestSet(name, directory, tuple(examples), tuple(problems), show_texts)


def prediction(parse: dict[str, Any]) -> Prediction:
    intent = parse.get("intent") or {}
    shown = str(intent.get("name")) if isinstance(intent, dict) else ""
    top = shown
    if shown == FALLBACK:
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK]
        top = str(ranking[0]["name"]) if ranking else shown
    raw = parse.get("language_detection") or {}
    detection = Detection(
        raw.get("language"), float(raw.get("confidence") or 0), int(raw.get("words") or 0)
    )
    return Prediction(top, shown, _programme(parse.get("entities")), detection)


def predict(parser: Parser, sets: Sequence[TestSet]) -> dict[str, Prediction]:
    """Every distinct text of every set parsed once, in one call."""
    texts = list(dict.fromkeys(e.text for s in sets for e in s.examples))
    parses = parser(texts) if texts else []
    if len(parses) != len(texts):
        raise RuntimeError(f"the parser returned {len(parses)} results for {len(texts)} texts")
    return {text: prediction(p) for text, p in zip(texts, parses, strict=True)}


def model_parser(model: Path) -> Parser:
    """Loads the trained model once and parses as a Rasa replica does (runtime/replica.py)."""

    def parse(texts: Sequence[str]) -> list[dict[str, Any]]:
        return asyncio.run(_parse_all(model, texts))

    return parse


async def _parse_all(model: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    import structlog
    from rasa.core.agent import Agent
    from rasa.model import get_local_model

    from language import translation
    from language.components import serving_threads
    from pes.settings import settings

    # Rasa's structured debug log would print every message text.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    config = settings()
    translation.configure(config.translation)
    serving_threads(config.rasa.e5_threads)
    agent = Agent.load(get_local_model(str(model)))
    return [await agent.parse_message(text) for text in texts]
