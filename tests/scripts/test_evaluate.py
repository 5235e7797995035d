"""``make eval`` and ``check_nlu_results`` end to end, with a stand-in for the model.

The stand-in answers each fixture text as a parse of the real model would
(intent, ranking, entities, language detection), so everything but the model runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from scripts import check_nlu_results, evaluate

FIXTURES = Path(__file__).parent / "fixtures" / "eval"


def _parse(
    text: str, intent: str, *, best: str | None = None, programme: str | None = None
) -> dict[str, Any]:
    lang = "sl" if text in ("sef mi ne placa in mi grozi", "zivjo") else "en"
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent}, *([{"name": best}] if best else [])],
        "entities": [{"entity": "programme", "value": programme}] if programme else [],
        "language_detection": {"language": lang, "confidence": 0.9, "words": len(text.split())},
    }


# What the stand-in model makes of each fixture text.
READINGS = {
    "my boss took my passport": ("urgent_help", {}),
    "we sleep on the street tonight": ("nlu_fallback", {"best": "urgent_help"}),
    "cancel my booking please": ("cancel_appointment", {}),
    "erase everything you know about me": ("cancel_appointment", {}),
    "where can i learn slovenian": ("programme_details", {"programme": "slovene_course"}),
    "tell me about the job club": ("programme_details", {"programme": "job_club"}),
    "tell me a joke": ("nlu_fallback", {"best": "out_of_scope"}),
    "sef mi ne placa in mi grozi": ("urgent_help", {}),
    "zivjo": ("greet", {}),
    "fixture unseen urgent one": ("urgent_help", {}),
    "fixture unseen urgent two": ("request_human", {}),
    "fixture unseen may i work": ("work_rights", {}),
}


class StandIn:
    def __init__(self, readings: dict[str, tuple[str, dict[str, Any]]]) -> None:
        self.readings = readings
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        self.calls.append(list(texts))
        return [_parse(t, self.readings[t][0], **self.readings[t][1]) for t in texts]


def _run(tmp_path: Path, parser: StandIn, unseen: Path) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "eval.json"
    status = evaluate.run(
        parser,
        regression=FIXTURES / "regression",
        unseen=unseen,
        out=out,
        markdown=tmp_path / "eval.md",
    )
    return status, json.loads(out.read_text("utf-8"))


def test_both_sets_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = StandIn(READINGS)
    status, result = _run(tmp_path, parser, FIXTURES / "unseen")
    printed = capsys.readouterr().out

    assert len(parser.calls) == 1 and len(parser.calls[0]) == len(READINGS)
    assert status == 1  # urgent messages missed, delete_my_data taken for cancel
    regression, unseen = result["regression"], result["unseen"]
    en = regression["languages"]["en"]
    # Classifier's best: the fallback's urgent and joke count, erase and learn do not.
    assert en["n"] == 7 and en["accuracy"] == pytest.approx(5 / 7)
    assert en["answered_correctly"] == pytest.approx(3 / 7)
    # Answers: the Slovene course card answers "where can I learn Slovenian", the
    # fallback answers the joke, not the urgent message nor the erasure.
    assert en["answers_question"] == pytest.approx(5 / 7)
    assert regression["languages"]["all"]["n"] == 9
    assert regression["urgent_help"]["en"]["recall"] == 0.5
    assert regression["urgent_help"]["sl"]["recall"] == 1.0
    assert regression["urgent_help"]["all"]["recall"] == pytest.approx(2 / 3)
    assert regression["missed_urgent"] == ["en#2"]
    assert unseen["missed_urgent"] == {"en": 1}
    assert unseen["urgent_help"]["all"]["precision"] == 1.0
    pair = next(
        p
        for p in regression["dangerous_pairs"]
        if p["pair"] == ["cancel_appointment", "delete_my_data"]
    )
    assert (pair["b_as_a"], pair["messages"], pair["passed"]) == (1, 2, False)
    assert not result["bounds"]["passed"]
    assert any("unseen: urgent_help recall en 0.500" in b for b in result["bounds"]["broken"])

    # Texts of missed urgent messages: printed for the regression set only.
    assert "en#2 → nlu_fallback: we sleep on the street tonight" in printed
    assert "unseen: 1 missed (en 1; taken as request_human 1); texts are not shown" in printed
    assert "fixture unseen" not in printed
    assert "fixture unseen" not in (tmp_path / "eval.json").read_text("utf-8")
    assert "regression: " in printed and "fixtures/eval/unseen" in printed
    assert "bounds: FAIL" in printed
    assert "| en |" in (tmp_path / "eval.md").read_text("utf-8")


def test_an_absent_unseen_set_is_skipped_and_all_right_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    right = {
        "we sleep on the street tonight": ("urgent_help", {}),
        "erase everything you know about me": ("delete_my_data", {}),
        "tell me a joke": ("out_of_scope", {}),
    }
    status, result = _run(tmp_path, StandIn({**READINGS, **right}), tmp_path / "no-unseen")
    printed = capsys.readouterr().out
    assert status == 0
    assert "unseen set skipped" in printed
    assert "skipped" in result["unseen"]
    assert result["bounds"] == {**result["bounds"], "passed": True, "broken": []}
    assert "en: PASS" not in printed and "bounds: PASS" in printed


def _rasa_results(tmp_path: Path, errors: list[tuple[str, str]], urgent_recall: float) -> Path:
    support = {
        "cancel_appointment": 60,
        "delete_my_data": 60,
        "work_rights": 70,
        "check_eligibility": 70,
    }
    report: dict[str, Any] = {
        name: {"support": n, "recall": 1.0, "precision": 1.0} for name, n in support.items()
    }
    report["urgent_help"] = {"support": 50, "recall": urgent_recall, "precision": 0.9}
    report["accuracy"] = 0.95
    report["macro avg"] = {"f1-score": 0.95, "support": 310}
    (tmp_path / "intent_report.json").write_text(json.dumps(report), "utf-8")
    rows = [
        {"text": "t", "intent": t, "intent_prediction": {"name": p, "confidence": 0.5}}
        for t, p in errors
    ]
    (tmp_path / "intent_errors.json").write_text(json.dumps(rows), "utf-8")
    return tmp_path


def test_ci_check_warns_on_a_broken_pair_and_fails_when_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = _rasa_results(tmp_path, [("delete_my_data", "cancel_appointment")], 1.0)
    assert check_nlu_results.main([str(results)]) == 0
    printed = capsys.readouterr().out
    assert "cancel_appointment ↔ delete_my_data: 1 in 120 messages" in printed
    assert "WARNING: 1 dangerous pair" in printed
    assert check_nlu_results.main([str(results), "--strict-pairs"]) == 1


def test_ci_check_ignores_an_errors_file_older_than_the_report(tmp_path: Path) -> None:
    """Rasa writes no intent_errors.json when nothing is wrong: an old one is not read."""
    results = _rasa_results(tmp_path, [("delete_my_data", "cancel_appointment")], 1.0)
    assert check_nlu_results.main([str(results), "--strict-pairs"]) == 1
    report = results / "intent_report.json"
    os.utime(results / "intent_errors.json", (report.stat().st_mtime - 3600,) * 2)
    assert check_nlu_results.main([str(results), "--strict-pairs"]) == 0
    (results / "intent_errors.json").unlink()
    assert check_nlu_results.main([str(results), "--strict-pairs"]) == 0


def test_ci_check_fails_on_urgent_recall_and_passes_clean_results(tmp_path: Path) -> None:
    clean = _rasa_results(tmp_path, [("work_rights", "find_job")], 1.0)
    assert check_nlu_results.main([str(clean), "--strict-pairs"]) == 0
    low = _rasa_results(tmp_path, [], 0.96)
    assert check_nlu_results.main([str(low)]) == 1


def test_a_second_unseen_set_is_reported_beside_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Set B (tests/unseen_b) is scored as the first one is, and its texts stay hidden."""
    out = tmp_path / "eval.json"
    status = evaluate.run(
        StandIn(READINGS),
        regression=FIXTURES / "regression",
        unseen=tmp_path / "no-unseen",
        unseen_b=FIXTURES / "unseen",
        out=out,
        markdown=tmp_path / "eval.md",
    )
    result = json.loads(out.read_text("utf-8"))
    printed = capsys.readouterr().out
    assert status == 1
    assert result["unseen_b"]["missed_urgent"] == {"en": 1}
    assert any("unseen_b: urgent_help recall en 0.500" in b for b in result["bounds"]["broken"])
    assert "unseen set skipped" in printed
    assert "fixture unseen" not in printed
