"""Entity extraction by gazetteer: names of programmes, cities, languages, statuses.

Learns the words people use from the annotated training data (every language,
every inflection written there) plus the ids themselves and the language names,
and finds them again in new messages, tolerant of what people do on a phone:
no diacritics (``Ljubljani``/``ljubljani``), Arabic and Persian letter variants
(ي/ی, ك/ک, ة/ه, أ/ا), attached Arabic and Persian prefixes (``بماريبور``,
``بالعربي``) and inflected endings (``Mariboru``, ``Марибора``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from common.text import normalise
from language.languages import LANGUAGES
from language.modelfile import StoredComponent

_ARABIC_PREFIXES = ("وبال", "بال", "وال", "لل", "ال", "وب", "ب", "ل", "و", "ف", "به")
_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_SUFFIX = 4
MIN_PREFIX_MATCH = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text)[0])


def _strip_prefix(token: str) -> list[str]:
    options = [token]
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            options.append(token[len(prefix) :])
    return options


def _token_matches(form: str, token: str, last: bool) -> bool:
    for candidate in _strip_prefix(token):
        if candidate == form:
            return True
        if (
            last
            and len(form) >= MIN_PREFIX_MATCH
            and candidate.startswith(form)
            and len(candidate) - len(form) <= MAX_SUFFIX
        ):
            return True
    return False


@dataclass(frozen=True)
class Form:
    entity: str
    value: str
    tokens: tuple[str, ...]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class GazetteerEntityExtractor(StoredComponent, GraphComponent, EntityExtractorMixin):
    """Finds known names of programmes, cities, languages and protection statuses."""

    FILE = "gazetteer.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["programme", "city", "language", "protection_status"]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        forms: list[Form] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._forms = forms or []
        self._index()

    def _index(self) -> None:
        self._by_first: dict[str, list[Form]] = defaultdict(list)
        for form in self._forms:
            self._by_first[form.tokens[0][:3]].append(form)

    def train(self, training_data: TrainingData) -> Resource:
        wanted = set(self._config["entities"])
        seen: dict[tuple[str, tuple[str, ...]], str] = {}
        for message in training_data.entity_examples:
            text = message.get(TEXT)
            for ent in message.get(ENTITIES) or []:
                if ent["entity"] not in wanted:
                    continue
                tokens = tuple(_tokens(text[ent["start"] : ent["end"]]))
                if tokens:
                    seen[(ent["entity"], tokens)] = str(ent.get("value"))
        if "language" in wanted:
            for info in LANGUAGES.values():
                for name in (info.english_name, info.native_name):
                    for part in re.split(r"[/()]", name):
                        tokens = tuple(_tokens(part))
                        if tokens:
                            seen.setdefault(("language", tokens), info.code)
        self._forms = sorted(
            (Form(entity, value, tokens) for (entity, tokens), value in seen.items()),
            key=lambda f: (f.entity, f.value, f.tokens),
        )
        self._index()
        with self._storage.write_to(self._resource) as directory:
            payload = [[f.entity, f.value, list(f.tokens)] for f in self._forms]
            (directory / self.FILE).write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        return self._resource

    @classmethod
    def restore(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> GazetteerEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                raw = json.loads((directory / cls.FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            raw = []
        forms = [Form(entity, value, tuple(tokens)) for entity, value, tokens in raw]
        return cls(config, model_storage, resource, forms)

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Entities in ``text`` with their original character offsets."""
        normal, index = normalise(text)
        spans = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(normal)]
        found: list[tuple[int, int, Form]] = []
        for i in range(len(spans)):
            candidates = {
                form
                for option in _strip_prefix(spans[i][0])
                for form in self._by_first.get(option[:3], ())
            }
            for form in candidates:
                n = len(form.tokens)
                if i + n > len(spans):
                    continue
                if all(
                    _token_matches(form.tokens[k], spans[i + k][0], last=k == n - 1)
                    for k in range(n)
                ):
                    found.append((i, i + n, form))
        entities: list[dict[str, Any]] = []
        used: set[int] = set()
        for start, end, form in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if used.intersection(range(start, end)):
                continue
            used.update(range(start, end))
            char_start = index[spans[start][1]]
            char_end = index[spans[end - 1][2] - 1] + 1
            entities.append(
                {
                    "entity": form.entity,
                    "value": form.value,
                    "start": char_start,
                    "end": char_end,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
        entities.sort(key=lambda e: int(e["start"]))
        return entities

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            extracted = self.extract(message.get(TEXT) or "")
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
