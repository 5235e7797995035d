"""The eligibility rules engine: pure Python, rules from data/content/eligibility.yml.

``evaluate(facts, rules, as_of)`` answers, for the right to work and for each
programme, ``yes``, ``no``, ``unknown`` or ``from:YYYY-MM-DD`` with the reasons,
the source (its title in each language that has one, Slovenian always) and the
date the rule is valid from. A fact a rule needs but does
not have gives ``unknown``, never a guess; a fact a rule does not need is not
looked at (``needed_facts`` tells the conversation what to ask).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from common import datafile
from language.languages import CORE, WORKING

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "content" / "eligibility.yml"
KEYS = (
    "work",
    "labour_market_integration",
    "on_the_job_training",
    "slovene_course",
    "qualification_recognition",
    "job_club",
)
STATUSES = ("refugee", "subsidiary_protection", "temporary_protection", "asylum_seeker", "other")
FACTS = ("protection_status", "application_date", "registered_unemployed", "age")
OUTCOMES = ("yes", "no", "unknown", "conditions")

# Reason codes; their words are in data/locales/<lang>.yml as eligibility.reason.<code>.
REASON_TEXT_EN = {
    "status_allows": "allowed with this protection status",
    "status_excludes": "not open to people with this protection status",
    "status_unclear": "with this status a counsellor must decide",
    "open_to_everyone": "open to everyone",
    "waiting_period_over": "9 months have passed since the application for protection",
    "waiting_period": "asylum seekers may work 9 months after applying",
    "registered": "registered as unemployed",
    "register_first": "register first: you must be registered as unemployed at the ESS",
    "age_ok": "18 or older",
    "too_young": "only for people aged 18 or older",
    "missing_protection_status": "we need to know your protection status",
    "missing_application_date": "we need the date you applied for protection",
    "missing_registered_unemployed": "we need to know if you are registered as unemployed",
    "missing_age": "we need to know your age",
}


class FactsError(ValueError):
    """Facts that cannot be right: an unknown status, a malformed date, a negative age."""


@dataclass(frozen=True)
class Facts:
    protection_status: str | None = None
    application_date: dt.date | None = None
    registered_unemployed: bool | None = None
    age: int | None = None

    @classmethod
    def from_mapping(cls, raw: Any) -> Facts:
        """Check and convert facts given as JSON-like values."""
        if not isinstance(raw, dict):
            raise FactsError("facts must be a JSON object")
        unknown = sorted(set(raw) - set(FACTS))
        if unknown:
            raise FactsError(f"unknown fact(s): {', '.join(unknown)}; known: {', '.join(FACTS)}")
        status = raw.get("protection_status")
        if status is not None and status not in STATUSES:
            raise FactsError(
                f"unknown protection_status {status!r}; use one of {', '.join(STATUSES)}"
            )
        date = raw.get("application_date")
        if date is not None:
            if not isinstance(date, str):
                raise FactsError("application_date must be a date like 2026-03-01")
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                raise FactsError(
                    f"application_date {raw['application_date']!r} is not a date like 2026-03-01"
                ) from None
        registered = raw.get("registered_unemployed")
        if registered is not None and not isinstance(registered, bool):
            raise FactsError("registered_unemployed must be true or false")
        age = raw.get("age")
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int) or age < 0 or age > 130
        ):
            raise FactsError(f"age must be a whole number from 0 to 130, not {age!r}")
        return cls(status, date, registered, age)


Source = dict[str, str]  # language -> the source's title in it; Slovenian always


@dataclass(frozen=True)
class Rule:
    key: str
    valid_from: dt.date
    source: Source
    status: dict[str, Any]  # status -> outcome or {"wait_months": n}
    any_status: bool
    registered_unemployed: bool | None
    min_age: int | None


@dataclass(frozen=True)
class Decision:
    key: str
    eligible: str  # yes | no | unknown | from:YYYY-MM-DD
    reasons: tuple[str, ...]
    source: Source
    valid_from: dt.date
    missing: tuple[str, ...] = field(default=())
    used: tuple[str, ...] = field(default=())  # the facts the decision looked at

    def as_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "reasons": [REASON_TEXT_EN[r] for r in self.reasons]}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    result: dt.date = day + relativedelta(months=months)  # dateutil clips to the month's end
    return result


def _parse_source(key: str, node: datafile.Node) -> Source:
    """``source``: the title in each language that has one; Slovenian is required."""
    if isinstance(node.value, str):
        raise node.error(
            f"rule '{key}': source needs its title per language, at least "
            f"'{WORKING}': the law's Slovenian name (and 'en', the official English one)"
        )
    titles = {
        lang: value.text(f"rule '{key}' source in {lang}")
        for lang, value in node.mapping(f"rule '{key}' source").items()
    }
    if WORKING not in titles:
        raise node.error(f"rule '{key}': source needs at least '{WORKING}'")
    unknown = sorted(set(titles) - set(CORE))
    if unknown:
        raise node.error(f"rule '{key}': source has unknown language(s) {unknown}")
    return titles


def _parse_rule(key: str, node: datafile.Node) -> Rule:
    fields = node.mapping(f"rule '{key}'")
    for required in ("valid_from", "source"):
        if required not in fields:
            raise node.error(f"rule '{key}' needs '{required}'")
    valid_from = fields["valid_from"].value
    if not isinstance(valid_from, dt.date):
        raise fields["valid_from"].error(f"rule '{key}': valid_from must be a date like 2026-01-01")
    any_status = bool(fields["any_status"].value) if "any_status" in fields else False
    statuses: dict[str, Any] = {}
    if not any_status:
        if "status" not in fields:
            raise node.error(f"rule '{key}' needs 'status' for every status, or any_status: true")
        for status, value in fields["status"].mapping("status").items():
            if status not in STATUSES:
                raise value.error(f"rule '{key}': unknown status '{status}'")
            outcome = value.value
            if isinstance(outcome, dict):
                months = outcome.get("wait_months")
                if set(outcome) != {"wait_months"} or not isinstance(months, int) or months < 0:
                    raise value.error(f"rule '{key}' {status}: use {{wait_months: N}}")
            elif outcome not in OUTCOMES:
                raise value.error(
                    f"rule '{key}' {status}: '{outcome}' must be one of {', '.join(OUTCOMES)}"
                )
            statuses[status] = outcome
        missing = [s for s in STATUSES if s not in statuses]
        if missing:
            raise fields["status"].error(f"rule '{key}' says nothing for {', '.join(missing)}")
    conditions = fields["conditions"].mapping("conditions") if "conditions" in fields else {}
    unknown = set(conditions) - {"registered_unemployed", "min_age"}
    if unknown:
        raise fields["conditions"].error(f"rule '{key}': unknown condition(s) {sorted(unknown)}")
    registered = (
        conditions["registered_unemployed"].value if "registered_unemployed" in conditions else None
    )
    min_age = conditions["min_age"].value if "min_age" in conditions else None
    if registered is not None and registered is not True:
        raise conditions["registered_unemployed"].error("registered_unemployed can only be true")
    if min_age is not None and (not isinstance(min_age, int) or min_age < 0):
        raise conditions["min_age"].error("min_age must be a whole number")
    if "conditions" in statuses.values() and not conditions:
        raise node.error(f"rule '{key}' uses 'conditions' but has none")
    return Rule(
        key,
        valid_from,
        _parse_source(key, fields["source"]),
        statuses,
        any_status,
        registered,
        min_age,
    )


def load_rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    """Read and check the rules file; errors name the file and line."""
    root = datafile.load(path).mapping("the eligibility file")
    # The key is not "rules": Rasa reads every YAML file under data/ and would
    # take a top-level "rules" for dialogue rules.
    if "eligibility" not in root:
        raise datafile.ContentError(path, 1, "needs 'eligibility' (the rules)")
    section = root["eligibility"]
    rules = {key: _parse_rule(key, node) for key, node in section.mapping("eligibility").items()}
    for key in rules:
        if key not in KEYS:
            raise section.error(f"unknown rule '{key}'; use {', '.join(KEYS)}")
    missing = [key for key in KEYS if key not in rules]
    if missing:
        raise section.error(f"missing rule(s): {', '.join(missing)}")
    return rules


@lru_cache(maxsize=1)
def default_rules() -> dict[str, Rule]:
    return load_rules()


def _conditions(rule: Rule, facts: Facts) -> tuple[str, list[str], list[str]]:
    """Outcome of the conditions: (yes|no|unknown, reasons, missing facts)."""
    reasons: list[str] = []
    missing: list[str] = []
    failed = False
    if rule.registered_unemployed:
        if facts.registered_unemployed is None:
            missing.append("registered_unemployed")
        elif facts.registered_unemployed:
            reasons.append("registered")
        else:
            reasons.append("register_first")
            failed = True
    if rule.min_age is not None:
        if facts.age is None:
            missing.append("age")
        elif facts.age >= rule.min_age:
            reasons.append("age_ok")
        else:
            reasons.append("too_young")
            failed = True
    if failed:
        return "no", [r for r in reasons if r in ("register_first", "too_young")], []
    if missing:
        return "unknown", reasons + [f"missing_{m}" for m in missing], missing
    return "yes", reasons, []


def decide(rule: Rule, facts: Facts, as_of: dt.date) -> Decision:
    """One rule applied to the facts on the day ``as_of``."""
    condition_facts = tuple(
        fact
        for fact, needed in (
            ("registered_unemployed", rule.registered_unemployed),
            ("age", rule.min_age is not None),
        )
        if needed
    )

    def done(
        eligible: str, reasons: list[str], used: tuple[str, ...], missing: list[str] | None = None
    ) -> Decision:
        return Decision(
            rule.key,
            eligible,
            tuple(reasons),
            rule.source,
            rule.valid_from,
            tuple(missing or ()),
            used,
        )

    if rule.any_status:
        if not condition_facts:
            return done("yes", ["open_to_everyone"], ())
        outcome, reasons, missing = _conditions(rule, facts)
        return done(outcome, reasons, condition_facts, missing)
    status_only = ("protection_status",)
    if facts.protection_status is None:
        return done("unknown", ["missing_protection_status"], status_only, ["protection_status"])
    outcome = rule.status[facts.protection_status]
    if outcome == "yes":
        return done("yes", ["status_allows"], status_only)
    if outcome == "no":
        return done("no", ["status_excludes"], status_only)
    if outcome == "unknown":
        return done("unknown", ["status_unclear"], status_only)
    if isinstance(outcome, dict):
        used = (*status_only, "application_date")
        if facts.application_date is None:
            return done("unknown", ["missing_application_date"], used, ["application_date"])
        start = add_months(facts.application_date, int(outcome["wait_months"]))
        if as_of >= start:
            return done("yes", ["waiting_period_over"], used)
        return done(f"from:{start.isoformat()}", ["waiting_period"], used)
    result, reasons, missing = _conditions(rule, facts)
    reasons = ["status_allows", *reasons] if result != "no" else reasons
    return done(result, reasons, (*status_only, *condition_facts), missing)


def evaluate(
    facts: Facts, as_of: dt.date, rules: dict[str, Rule] | None = None, keys: tuple[str, ...] = KEYS
) -> dict[str, Decision]:
    """Every rule in ``keys`` applied to ``facts`` on ``as_of``."""
    rules = rules or default_rules()
    return {key: decide(rules[key], facts, as_of) for key in keys}


def needed_facts(
    facts: Facts, as_of: dt.date, keys: tuple[str, ...], rules: dict[str, Rule] | None = None
) -> list[str]:
    """The facts still missing to decide ``keys``, in the order to ask them."""
    wanted: set[str] = set()
    for decision in evaluate(facts, as_of, rules, keys).values():
        wanted.update(decision.missing)
    return [fact for fact in FACTS if fact in wanted]
