"""The rules engine and its command line, row by row of the contract's table."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from common.datafile import ContentError
from pes.eligibility import (
    KEYS,
    Facts,
    FactsError,
    add_months,
    evaluate,
    load_rules,
    needed_facts,
)
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 25)


def eligible(facts: Facts, key: str, as_of: dt.date = TODAY) -> str:
    return evaluate(facts, as_of)[key].eligible


PROTECTED = ("refugee", "subsidiary_protection", "temporary_protection")


# --- work ---------------------------------------------------------------


@pytest.mark.parametrize("status", PROTECTED)
def test_work_yes_with_protection(status: str) -> None:
    assert eligible(Facts(protection_status=status), "work") == "yes"


def test_work_asylum_seeker_from_nine_months_after_applying() -> None:
    facts = Facts(protection_status="asylum_seeker", application_date=dt.date(2026, 3, 1))
    assert eligible(facts, "work", dt.date(2026, 11, 30)) == "from:2026-12-01"
    assert eligible(facts, "work", dt.date(2026, 12, 1)) == "yes"
    assert eligible(facts, "work", dt.date(2027, 5, 1)) == "yes"


def test_work_asylum_seeker_without_date_is_unknown() -> None:
    decision = evaluate(Facts(protection_status="asylum_seeker"), TODAY)["work"]
    assert decision.eligible == "unknown"
    assert decision.missing == ("application_date",)


def test_work_other_status_is_for_a_counsellor() -> None:
    assert eligible(Facts(protection_status="other"), "work") == "unknown"


def test_missing_status_is_unknown_never_a_guess() -> None:
    for key in ("work", "labour_market_integration", "on_the_job_training", "slovene_course"):
        assert eligible(Facts(registered_unemployed=True, age=30), key) == "unknown"


# --- nine months -------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied", "start"),
    [
        (dt.date(2025, 12, 31), dt.date(2026, 9, 30)),  # September has no 31st
        (dt.date(2026, 5, 31), dt.date(2027, 2, 28)),  # nor February
        (dt.date(2027, 5, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 15), dt.date(2026, 10, 15)),
        (dt.date(2026, 4, 30), dt.date(2027, 1, 30)),
    ],
)
def test_nine_months_month_ends(applied: dt.date, start: dt.date) -> None:
    assert add_months(applied, 9) == start
    facts = Facts(protection_status="asylum_seeker", application_date=applied)
    assert eligible(facts, "work", start - dt.timedelta(days=1)) == f"from:{start.isoformat()}"
    assert eligible(facts, "work", start) == "yes"


# --- programmes ----------------------------------------------------------------


@pytest.mark.parametrize("status", PROTECTED)
def test_integration_programme(status: str) -> None:
    assert eligible(Facts(status, None, True, 18), "labour_market_integration") == "yes"
    assert eligible(Facts(status, None, True, 17), "labour_market_integration") == "no"
    decision = evaluate(Facts(status, None, False, 30), TODAY)["labour_market_integration"]
    assert decision.eligible == "no"
    assert "register_first" in decision.reasons


def test_integration_programme_not_for_asylum_seekers_other_unknown() -> None:
    assert eligible(Facts("asylum_seeker", None, True, 30), "labour_market_integration") == "no"
    assert eligible(Facts("other", None, True, 30), "labour_market_integration") == "unknown"


def test_integration_programme_missing_facts_are_unknown_and_named() -> None:
    decision = evaluate(Facts("refugee"), TODAY)["labour_market_integration"]
    assert decision.eligible == "unknown"
    assert decision.missing == ("registered_unemployed", "age")


@pytest.mark.parametrize("status", ["refugee", "subsidiary_protection"])
def test_on_the_job_training(status: str) -> None:
    assert eligible(Facts(status, None, True, 25), "on_the_job_training") == "yes"
    assert eligible(Facts(status, None, False, 25), "on_the_job_training") == "no"
    assert eligible(Facts(status, None, True, 16), "on_the_job_training") == "no"


@pytest.mark.parametrize(
    ("status", "answer"),
    [("temporary_protection", "no"), ("asylum_seeker", "no"), ("other", "unknown")],
)
def test_on_the_job_training_other_statuses(status: str, answer: str) -> None:
    assert eligible(Facts(status, None, True, 25), "on_the_job_training") == answer


@pytest.mark.parametrize("status", [*PROTECTED, "asylum_seeker"])
def test_slovene_course(status: str) -> None:
    assert eligible(Facts(protection_status=status), "slovene_course") == "yes"


def test_slovene_course_other_is_unknown() -> None:
    assert eligible(Facts(protection_status="other"), "slovene_course") == "unknown"


def test_qualification_recognition_for_everyone_without_facts() -> None:
    assert eligible(Facts(), "qualification_recognition") == "yes"


def test_job_club_depends_on_registration_only() -> None:
    assert eligible(Facts(registered_unemployed=True), "job_club") == "yes"
    decision = evaluate(Facts(registered_unemployed=False), TODAY)["job_club"]
    assert decision.eligible == "no" and decision.reasons == ("register_first",)
    assert eligible(Facts(protection_status="refugee"), "job_club") == "unknown"


def test_a_fact_a_rule_does_not_need_is_not_asked() -> None:
    assert needed_facts(Facts(), TODAY, ("qualification_recognition",)) == []
    assert needed_facts(Facts(), TODAY, ("slovene_course",)) == ["protection_status"]
    assert needed_facts(Facts("asylum_seeker"), TODAY, ("work",)) == ["application_date"]
    assert needed_facts(Facts("refugee"), TODAY, ("work",)) == []
    # An asylum seeker is excluded by status: registration and age are not asked.
    assert needed_facts(Facts("asylum_seeker"), TODAY, ("on_the_job_training",)) == []
    assert needed_facts(Facts("refugee"), TODAY, ("on_the_job_training",)) == [
        "registered_unemployed",
        "age",
    ]


def test_decisions_carry_source_and_valid_from() -> None:
    for decision in evaluate(Facts("refugee", None, True, 30), TODAY).values():
        assert decision.source and isinstance(decision.valid_from, dt.date)


# --- bad facts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"protection_status": "tourist"}, "protection_status"),
        ({"application_date": "2026-13-01"}, "application_date"),
        ({"application_date": "1.3.2026"}, "application_date"),
        ({"age": -1}, "age"),
        ({"age": "thirty"}, "age"),
        ({"age": True}, "age"),
        ({"registered_unemployed": "yes"}, "registered_unemployed"),
        ({"nationality": "SY"}, "unknown fact"),
        ([], "JSON object"),
    ],
)
def test_bad_facts_are_refused(raw: object, message: str) -> None:
    with pytest.raises(FactsError, match=message):
        Facts.from_mapping(raw)


# --- the rules file ------------------------------------------------------------


def test_broken_rules_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "eligibility.yml"
    shutil.copy(ROOT / "data" / "content" / "eligibility.yml", path)
    text = path.read_text("utf-8")
    line = text[: text.index("asylum_seeker: {wait_months: 9}")].count("\n") + 1
    path.write_text(
        text.replace("asylum_seeker: {wait_months: 9}", "asylum_seeker: maybe"), "utf-8"
    )
    with pytest.raises(ContentError) as err:
        load_rules(path)
    assert err.value.line == line and "maybe" in str(err.value)


def test_sources_need_their_slovenian_title(tmp_path: Path) -> None:
    path = tmp_path / "eligibility.yml"
    text = (ROOT / "data" / "content" / "eligibility.yml").read_text("utf-8")
    start = text.index("  job_club:")
    source = text.index("    source:", start)
    end = text.index("    any_status:", source)
    line = text[:source].count("\n") + 1
    path.write_text(
        text[:source] + '    source: "Labour Market Regulation Act"\n' + text[end:], "utf-8"
    )
    with pytest.raises(ContentError) as err:
        load_rules(path)
    assert err.value.line == line and "'sl'" in str(err.value)
    titles = '    source:\n      en: "Labour Market Regulation Act"\n'
    path.write_text(text[:source] + titles + text[end:], "utf-8")
    with pytest.raises(ContentError, match="at least 'sl'"):
        load_rules(path)
    assert all({"sl", "en"} <= set(rule.source) for rule in load_rules().values())


# --- the command line ------------------------------------------------------


def run_cli(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actions.eligibility", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_prints_every_key() -> None:
    facts = {
        "protection_status": "asylum_seeker",
        "application_date": "2026-03-01",
        "registered_unemployed": False,
        "age": 30,
    }
    result = run_cli(json.dumps(facts), "--as-of", "2026-11-25")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == list(KEYS)
    assert out["work"]["eligible"] == "from:2026-12-01"
    assert out["slovene_course"]["eligible"] == "yes"
    assert out["job_club"] == {"eligible": "no", "reasons": [out["job_club"]["reasons"][0]]}
    assert "register first" in out["job_club"]["reasons"][0]


@pytest.mark.parametrize(
    ("stdin", "args"),
    [
        ('{"protection_status": "tourist"}', ()),
        ('{"application_date": "2026-02-30"}', ()),
        ('{"age": -3}', ()),
        ("{not json", ()),
        ("{}", ("--as-of", "yesterday")),
    ],
)
def test_cli_bad_input_exits_non_zero_with_one_line(stdin: str, args: tuple[str, ...]) -> None:
    result = run_cli(stdin, *args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
