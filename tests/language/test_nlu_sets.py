"""The two NLU evaluation sets stay evaluation sets (docs/nlu.md):

- ``tests/nlu/<lang>.yml``, the regression set (used to choose settings: no longer unseen);
- ``tests/unseen_b/<lang>.yml``, the second unseen set (B), written persona first by
  other writers after the first one's figures had steered a choice (docs/nlu.md);
- ``tests/unseen/<lang>.yml``, the unseen set, written apart from the project, dialect
  first, by writers who saw no training data; nothing may be tuned on it.

The unseen set shares no message with the regression set, and is not copied into the
training data (``data/nlu/``): a message in both would be measured as unseen when it is not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

from language.languages import CORE
from tests.conftest import ROOT

ANNOTATION = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")


def normal(text: str) -> str:
    """A message as compared: entity annotations dropped, case, marks and spaces folded."""
    text = ANNOTATION.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in text if unicodedata.category(c)[0] in "LN" or c.isspace())
    return " ".join(text.split())


def examples(path: Path) -> dict[str, list[str]]:
    """intent -> its examples, from a Rasa 3 NLU file."""
    found: dict[str, list[str]] = {}
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" not in item:
            continue
        lines = str(item.get("examples") or "").splitlines()
        found.setdefault(item["intent"], []).extend(
            line.strip()[2:] for line in lines if line.strip().startswith("- ")
        )
    return found


@cache
def intents() -> frozenset[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return frozenset(domain["intents"])


@cache
def training() -> frozenset[str]:
    return frozenset(
        normal(text)
        for path in sorted((ROOT / "data" / "nlu").rglob("*.yml"))
        for texts in examples(path).values()
        for text in texts
    )


def messages(folder: str, lang: str) -> dict[str, list[str]]:
    return examples(ROOT / "tests" / folder / f"{lang}.yml")


UNSEEN = ("unseen", "unseen_b")


@pytest.mark.parametrize("folder", ["nlu", *UNSEEN])
@pytest.mark.parametrize("lang", CORE)
def test_a_set_uses_the_domains_intents(folder: str, lang: str) -> None:
    found = messages(folder, lang)
    assert found, f"tests/{folder}/{lang}.yml has no examples"
    assert set(found) <= intents(), set(found) - intents()


@pytest.mark.parametrize("folder", UNSEEN)
@pytest.mark.parametrize("lang", CORE)
def test_the_unseen_set_was_not_copied_into_training(folder: str, lang: str) -> None:
    """Writers who never saw the training data still write some of its sentences ("cancel
    my appointment", "hello"): those stay, as people write them, and ``make eval`` counts
    them. Whole sentences copied from the unseen set into training would not be chance:
    more than one in ten of a language's messages of four words or more is refused."""
    texts = [t for texts in messages(folder, lang).values() for t in texts]
    longer = [t for t in texts if len(normal(t).split()) >= 4]
    copied = [t for t in longer if normal(t) in training()]
    assert len(copied) <= len(longer) // 10, (
        f"{len(copied)} of tests/{folder}/{lang}.yml in data/nlu"
    )


@pytest.mark.parametrize(("folder", "size"), [("unseen", 200), ("unseen_b", 160)])
@pytest.mark.parametrize("lang", CORE)
def test_the_unseen_set_is_new(folder: str, size: int, lang: str) -> None:
    unseen = messages(folder, lang)
    assert sum(map(len, unseen.values())) >= size and len(unseen["urgent_help"]) >= 20
    earlier = {normal(t) for texts in messages("nlu", lang).values() for t in texts}
    if folder == "unseen_b":
        earlier |= {normal(t) for texts in messages("unseen", lang).values() for t in texts}
    shared = [t for texts in unseen.values() for t in texts if normal(t) in earlier]
    assert shared == [], f"tests/{folder}/{lang}.yml repeats {len(shared)} earlier message(s)"


def test_normal_folds_what_does_not_change_a_message() -> None:
    assert normal("Kje je [Maribor](city) urad?") == normal("kje je maribor urad")
    assert normal("Želim  TERMIN!") == "želim termin"
    assert normal("a") != normal("b")
