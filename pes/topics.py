"""What a person asks about, named for counsellors: ``data/content/topics.yml``.

One short name in Slovenian and English (the console's languages) per intent of the
model, for the console's automatic summary of a message (``pes/gist.py``). The file
is edited by staff and checked on load: a mistake names the file, the line and the
problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common import datafile
from pes.content import CONTENT_DIR

PATH = CONTENT_DIR / "topics.yml"
LANGS = ("sl", "en")  # the console's languages
MAX_NAME = 40  # one line of the console


@dataclass(frozen=True)
class Topics:
    names: dict[str, dict[str, str]]  # intent -> language -> short name

    def name(self, intent: str | None, lang: str) -> str | None:
        """The topic's short name in ``lang`` (Slovenian for another language)."""
        names = self.names.get(intent or "")
        if names is None:
            return None
        return names.get(lang) or names["sl"]


def load(path: Path = PATH) -> Topics:
    """Read and check the topics file."""
    root = datafile.load(path).mapping("the topics file")
    if "topics" not in root:
        raise datafile.ContentError(path, 1, "needs a 'topics' mapping")
    found: dict[str, dict[str, str]] = {}
    for intent, node in root["topics"].mapping("topics").items():
        datafile.check_id(
            node, intent, label="intent", entry="topic", example="work_rights", seen=()
        )
        names = node.mapping(f"topic {intent}")
        for lang, value in names.items():
            if lang not in LANGS:
                raise value.error(f"{intent}: unknown language '{lang}'; use {', '.join(LANGS)}")
            text = value.text(f"{intent} name in {lang}")
            if len(text) > MAX_NAME:
                raise value.error(f"{intent}: '{text}' is longer than {MAX_NAME} characters")
        missing = [lang for lang in LANGS if lang not in names]
        if missing:
            raise node.error(f"{intent} needs a name in {', '.join(missing)}")
        found[intent] = {lang: names[lang].value.strip() for lang in LANGS}
    return Topics(found)


@lru_cache(maxsize=1)
def default() -> Topics:
    """The project's topics (read once)."""
    return load()
