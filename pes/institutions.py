"""The other institutions refugees are sent to, read from ``data/content/institutions.yml``.

Which institution handles which topic (a residence permit: the administrative
unit; an asylum decision: the Ministry of the Interior), and which topics are
not the Employment Service's at all, so the assistant can say so. The file is
edited by ESS staff and checked on load: a mistake names the file, the line and
the problem. The action that answers is ``actions/institutions.py``; the words
people use are in ``data/nlu/<lang>/institutions.yml``; the staff's guide is
``docs/institutions.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from common import datafile
from language.languages import CORE
from pes.content import CONTENT_DIR, parse_hours

PATH = CONTENT_DIR / "institutions.yml"

# What people come with, as machine-readable ids (the `institution_topic` entity's
# values and each institution's `topics`).
TOPICS = (
    "integration_support",
    "accommodation",
    "integration_house",
    "private_accommodation_allowance",
    "slovene_course",
    "asylum_application",
    "asylum_decision",
    "protection_extension",
    "residence_permit",
    "permit_renewal",
    "personal_documents",
    "social_assistance",
    "child_benefit",
    "health_insurance_card",
    "diploma_recognition",
    "legal_help",
)
REQUIRED = ("id", "name", "names", "does", "topics", "website", "verified", "source")
OPTIONAL = ("address", "many_offices", "phone", "hours", "checked_on")
MAX_NAME = 60  # a button's title (Telegram cuts at 64)
_URL = re.compile(r"^https://\S+$")


@dataclass(frozen=True)
class Institution:
    id: str
    name: str  # the official Slovenian name
    names: dict[str, str]  # short name per core language
    does: dict[str, str]  # what it does for the person, per core language
    topics: tuple[str, ...]
    website: str
    verified: bool
    source: str
    address: str | None = None
    many_offices: bool = False
    phone: str | None = None
    hours: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checked_on: dt.date | None = None

    def display_name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["sl"]

    def description(self, lang: str) -> str:
        return self.does.get(lang) or self.does["sl"]


@dataclass(frozen=True)
class Answer:
    """Which card answers a question, and whether to say first that it is not the ESS's."""

    institution: Institution | None
    not_for_ess: bool = False


@dataclass(frozen=True)
class Institutions:
    by_id: dict[str, Institution]
    ess_topics: frozenset[str]

    def get(self, institution_id: str | None) -> Institution | None:
        return self.by_id.get(institution_id or "")

    def for_topic(self, topic: str | None) -> tuple[Institution, ...]:
        """The institutions that handle ``topic``, in the file's order."""
        return tuple(i for i in self.by_id.values() if topic in i.topics)

    def not_for_ess(self, topic: str | None) -> bool:
        """Whether ``topic`` belongs to another institution and not to the ESS."""
        return bool(self.for_topic(topic)) and topic not in self.ess_topics

    def answer(self, named: str | None, topic: str | None) -> Answer:
        """The card for a question naming an institution and/or a topic.

        A topic the named institution does not handle goes to the one that does
        ("does UOIM renew residence permits?": the administrative unit).
        """
        institution = self.get(named)
        handlers = self.for_topic(topic)
        if handlers and (institution is None or institution not in handlers):
            institution = handlers[0]
        if institution is None:
            return Answer(None)
        return Answer(institution, bool(handlers) and self.not_for_ess(topic))


def _languages(node: datafile.Node, what: str, iid: str) -> dict[str, str]:
    texts = {k: v.text(f"{iid} {what} in {k}") for k, v in node.mapping(f"{iid} {what}").items()}
    unknown = sorted(set(texts) - set(CORE))
    if unknown:
        raise node.error(f"{iid}: {what} has unknown language(s) {unknown}; use {', '.join(CORE)}")
    missing = [lang for lang in CORE if lang not in texts]
    if missing:
        raise node.error(f"{iid}: {what} needs every core language; missing {', '.join(missing)}")
    return texts


def _topics(node: datafile.Node, what: str) -> tuple[str, ...]:
    topics = []
    for item in node.items(f"{what} topics"):
        topic = item.text(f"a topic of {what}")
        if topic not in TOPICS:
            raise item.error(
                f"{what}: unknown topic '{topic}'; the topics are in docs/institutions.md"
            )
        topics.append(topic)
    return tuple(topics)


def _optional_text(fields: dict[str, datafile.Node], name: str, iid: str) -> str | None:
    return fields[name].text(f"{iid} {name}") if name in fields else None


def _flag(fields: dict[str, datafile.Node], name: str, iid: str) -> bool:
    if name not in fields:
        return False
    value = fields[name].value
    if not isinstance(value, bool):
        raise fields[name].error(f"{iid} {name} must be true or false")
    return value


def _institution(fields: dict[str, datafile.Node], seen: dict[str, Institution]) -> Institution:
    iid = fields["id"].text("id")
    datafile.check_id(
        fields["id"],
        iid,
        label="institution",
        entry="institution",
        example="upravna_enota",
        seen=seen,
    )
    unknown = sorted(set(fields) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise fields[unknown[0]].error(
            f"{iid}: unknown field '{unknown[0]}'; use {', '.join(REQUIRED + OPTIONAL)}"
        )
    names = _languages(fields["names"], "names", iid)
    for lang, name in names.items():
        if len(name) > MAX_NAME:
            raise fields["names"].error(
                f"{iid}: the {lang} name is longer than {MAX_NAME} characters"
            )
    website = fields["website"].text(f"{iid} website")
    if not _URL.match(website):
        raise fields["website"].error(f"{iid} website must be an https:// link")
    verified = _flag(fields, "verified", iid)
    checked_on = fields["checked_on"].value if "checked_on" in fields else None
    if checked_on is not None and not isinstance(checked_on, dt.date):
        raise fields["checked_on"].error(f"{iid} checked_on must be a date like 2026-03-01")
    if verified and checked_on is None:
        raise fields["verified"].error(f"{iid} is verified: add checked_on, the day it was checked")
    return Institution(
        id=iid,
        name=fields["name"].text(f"{iid} name"),
        names=names,
        does=_languages(fields["does"], "does", iid),
        topics=_topics(fields["topics"], iid),
        website=website,
        verified=verified,
        source=fields["source"].text(f"{iid} source"),
        address=_optional_text(fields, "address", iid),
        many_offices=_flag(fields, "many_offices", iid),
        phone=_optional_text(fields, "phone", iid),
        hours=parse_hours(fields["hours"], iid) if "hours" in fields else {},
        checked_on=checked_on,
    )


def load(path: Path = PATH) -> Institutions:
    """Read and check the institutions file."""
    found: dict[str, Institution] = {}
    for _, fields in datafile.entries(path, "institutions", "institution", REQUIRED):
        institution = _institution(fields, found)
        found[institution.id] = institution
    root = datafile.load(path).mapping("the institutions file")
    ess_topics = _topics(root["ess_topics"], "ess_topics") if "ess_topics" in root else ()
    handled = {topic for i in found.values() for topic in i.topics}
    orphans = [topic for topic in TOPICS if topic not in handled]
    if orphans:
        raise datafile.ContentError(
            path, None, f"no institution handles the topic(s) {', '.join(orphans)}"
        )
    return Institutions(found, frozenset(ess_topics))


@lru_cache(maxsize=1)
def default() -> Institutions:
    """The institutions the action server serves (read once)."""
    return load()
