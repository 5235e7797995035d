"""The harm file (``data/nlu/evaluation.yml``): dangerous pairs and answer groups, checked.

Which confusions harm people and which replies answer which questions are
decisions about content, not code, so they live in a data file that names intents;
a misspelt intent would silently drop a bound, hence every name is checked against
domain.yml and an error names the file and the line.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.datafile import ContentError, Node, load
from pes.content import PROGRAMME_IDS

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = ROOT / "data" / "nlu" / "evaluation.yml"
DOMAIN_FILE = ROOT / "domain.yml"

URGENT = "urgent_help"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
# They answer nothing but an out-of-scope message (answers() builds that in).
SILENT = frozenset({OUT_OF_SCOPE, FALLBACK})
NO_PROGRAMME = "none"

# Bounds and targets of issue 18.
MAX_PAIR_RATE = 1 / 200  # a dangerous pair: at most one confusion in 200 of its messages
MIN_URGENT_RECALL = 0.98
TARGET_ALL = 0.95  # intent accuracy and macro F1, all languages together
TARGET_LANGUAGE = 0.92  # the same, each language

_MEMBER = re.compile(r"^([a-z_]+)(?:\{([a-z_]+)\})?$")


@dataclass(frozen=True)
class Reply:
    """What decides the reply: the intent and, for programme_details, the programme."""

    intent: str
    programme: str | None = None


@dataclass(frozen=True)
class Pair:
    """Two intents that must not be taken for one another (either way)."""

    a: str
    b: str
    why: str

    @property
    def label(self) -> str:
        return f"{self.a} ↔ {self.b}"


@dataclass(frozen=True)
class Member:
    """An intent, or an intent with one programme (``NO_PROGRAMME``: none recognised)."""

    intent: str
    programme: str | None = None  # None: any programme or none

    def matches(self, reply: Reply) -> bool:
        if reply.intent != self.intent:
            return False
        if self.programme is None:
            return True
        return (reply.programme or NO_PROGRAMME) == self.programme

    def __str__(self) -> str:
        return self.intent if self.programme is None else f"{self.intent}{{{self.programme}}}"


@dataclass(frozen=True)
class AnswerGroup:
    """Replies that answer each other's questions."""

    name: str
    members: tuple[Member, ...]
    why: str

    def covers(self, reply: Reply) -> bool:
        return any(m.matches(reply) for m in self.members)


@dataclass(frozen=True)
class Spec:
    pairs: tuple[Pair, ...]
    groups: tuple[AnswerGroup, ...]


def domain_intents(path: Path = DOMAIN_FILE) -> frozenset[str]:
    """The intents domain.yml lists (plain names or ``{name: {...}}`` entries)."""
    listed = (yaml.safe_load(path.read_text("utf-8")) or {}).get("intents") or []
    return frozenset(next(iter(i)) if isinstance(i, dict) else str(i) for i in listed)


def _intent(node: Node, intents: frozenset[str], what: str) -> str:
    name = node.text(what)
    if name not in intents:
        raise node.error(f"unknown intent '{name}' in {what}; domain.yml lists the intents")
    return name


def _pairs(root: dict[str, Node], intents: frozenset[str]) -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    seen: set[frozenset[str]] = set()
    for entry in root["dangerous"].items("dangerous"):
        fields = entry.mapping("a dangerous entry")
        for key in ("intents", "why"):
            if key not in fields:
                raise entry.error(f"a dangerous entry needs '{key}'")
        why = fields["why"].text("why")
        names: list[str] = []
        for item in fields["intents"].items("intents"):
            name = _intent(item, intents, "a dangerous entry")
            if name in names:
                raise item.error(f"'{name}' appears twice in this entry")
            names.append(name)
        if len(names) < 2:
            raise fields["intents"].error("a dangerous entry needs at least two intents")
        for a, b in itertools.combinations(names, 2):
            if frozenset((a, b)) in seen:
                raise fields["intents"].error(f"the pair {a}, {b} is already listed")
            seen.add(frozenset((a, b)))
            pairs.append(Pair(a, b, why))
    return tuple(pairs)


def _member(node: Node, intents: frozenset[str]) -> Member:
    text = node.text("an answer group member")
    match = _MEMBER.match(text)
    if not match:
        raise node.error(f"'{text}' is not an intent or intent{{programme}}")
    intent, programme = match.group(1), match.group(2)
    if intent not in intents:
        raise node.error(
            f"unknown intent '{intent}' in an answer group; domain.yml lists the intents"
        )
    if intent in SILENT:
        raise node.error(f"{intent} cannot be in an answer group: it answers only out_of_scope")
    if programme is not None and programme not in (*PROGRAMME_IDS, NO_PROGRAMME):
        raise node.error(
            f"unknown programme '{programme}'; use one of {', '.join(PROGRAMME_IDS)} or none"
        )
    return Member(intent, programme)


def _groups(
    root: dict[str, Node], intents: frozenset[str], pairs: tuple[Pair, ...]
) -> tuple[AnswerGroup, ...]:
    groups: list[AnswerGroup] = []
    dangerous = {frozenset((p.a, p.b)) for p in pairs}
    for entry in root["answer_groups"].items("answer_groups"):
        fields = entry.mapping("an answer group")
        for key in ("name", "members", "why"):
            if key not in fields:
                raise entry.error(f"an answer group needs '{key}'")
        name = fields["name"].text("name")
        if any(g.name == name for g in groups):
            raise fields["name"].error(f"answer group '{name}' appears twice")
        members: list[Member] = []
        for item in fields["members"].items("members"):
            member = _member(item, intents)
            if member in members:
                raise item.error(f"'{member}' appears twice in this group")
            for other in members:
                if frozenset((member.intent, other.intent)) in dangerous:
                    raise item.error(
                        f"{member.intent} and {other.intent} are a dangerous pair: "
                        "they cannot answer each other"
                    )
            members.append(member)
        if len(members) < 2:
            raise fields["members"].error("an answer group needs at least two members")
        groups.append(AnswerGroup(name, tuple(members), fields["why"].text("why")))
    return tuple(groups)


def load_spec(path: Path = SPEC_FILE, intents: frozenset[str] | None = None) -> Spec:
    """The file's pairs and groups; a ContentError names the file and line of a mistake."""
    known = domain_intents() if intents is None else intents
    top = load(path)
    root = top.mapping("the evaluation file")
    for key in ("dangerous", "answer_groups"):
        if key not in root:
            raise ContentError(path, 1, f"needs a '{key}' list")
    pairs = _pairs(root, known)
    return Spec(pairs, _groups(root, known, pairs))
