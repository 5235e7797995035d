"""The numbers of ``make eval`` on hand-made predictions, and the harm file's checks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from common.datafile import ContentError
from scripts.evaluation import metrics
from scripts.evaluation.spec import (
    MAX_PAIR_RATE,
    AnswerGroup,
    Member,
    Pair,
    Reply,
    domain_intents,
    load_spec,
)

INTENTS = frozenset(
    {
        "cancel_appointment",
        "reschedule_appointment",
        "delete_my_data",
        "work_rights",
        "check_eligibility",
        "language_course",
        "programme_details",
        "list_programmes",
        "out_of_scope",
        "nlu_fallback",
        "greet",
    }
)


def test_recall_and_precision_of_one_intent() -> None:
    truth = ["urgent_help", "urgent_help", "urgent_help", "greet", "greet"]
    predicted = ["urgent_help", "urgent_help", "nlu_fallback", "urgent_help", "greet"]
    score = metrics.label_score(truth, predicted, "urgent_help")
    assert (score.support, score.found, score.predicted) == (3, 2, 3)
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == pytest.approx(2 / 3)
    assert metrics.missed(truth, predicted, "urgent_help") == [2]


def test_recall_and_precision_are_none_without_messages_or_predictions() -> None:
    assert metrics.label_score(["greet"], ["greet"], "urgent_help").recall is None
    assert metrics.label_score(["urgent_help"], ["greet"], "urgent_help").precision is None
    assert metrics.label_score(["urgent_help"], ["greet"], "urgent_help").recall == 0


def test_accuracy_and_macro_f1() -> None:
    truth = ["a", "a", "b", "b"]
    assert metrics.accuracy(truth, ["a", "a", "b", "a"]) == 0.75
    # F1 of a: 2 * (2/3 * 1) / (2/3 + 1) = 0.8; of b: 2 * (1 * 0.5) / 1.5 = 2/3.
    assert metrics.macro_f1(truth, ["a", "a", "b", "a"]) == pytest.approx((0.8 + 2 / 3) / 2)
    # An intent the set has no messages of (c) costs b's recall, not a class of its own.
    assert metrics.macro_f1(truth, ["a", "a", "b", "c"]) == pytest.approx((1 + 2 / 3) / 2)
    with pytest.raises(ValueError, match="length"):
        metrics.accuracy(truth, ["a"])


PAIR = Pair("cancel_appointment", "delete_my_data", "why")


def _score(confused: dict[tuple[str, str], int], a: int, b: int) -> metrics.PairScore:
    support = {"cancel_appointment": a, "delete_my_data": b}
    return metrics.pair_scores([PAIR], confused, support, MAX_PAIR_RATE)[0]


def test_pair_confusions_count_both_directions() -> None:
    truth = ["cancel_appointment", "cancel_appointment", "delete_my_data", "delete_my_data"]
    predicted = ["delete_my_data", "cancel_appointment", "cancel_appointment", "privacy_info"]
    confused = metrics.confusions(zip(truth, predicted, strict=True))
    score = metrics.pair_scores([PAIR], confused, Counter(truth), MAX_PAIR_RATE)[0]
    assert (score.a_as_b, score.b_as_a, score.confused, score.messages) == (1, 1, 2, 4)
    assert score.rate == 0.5 and not score.passed


def test_pair_bound_is_one_confusion_in_200_messages() -> None:
    one = {("delete_my_data", "cancel_appointment"): 1}
    assert _score(one, 100, 100).passed
    assert not _score(one, 100, 99).passed
    assert _score({**one, ("cancel_appointment", "delete_my_data"): 1}, 200, 200).passed
    assert not _score({**one, ("cancel_appointment", "delete_my_data"): 1}, 200, 199).passed
    assert _score({}, 5, 5).passed


def test_a_pair_without_messages_passes_with_no_rate() -> None:
    score = _score({}, 0, 0)
    assert score.rate is None and score.passed


GROUPS = (
    AnswerGroup(
        "slovene_course",
        (Member("language_course"), Member("programme_details", "slovene_course")),
        "",
    ),
    AnswerGroup("which", (Member("list_programmes"), Member("programme_details", "none")), ""),
)


@pytest.mark.parametrize(
    ("truth", "predicted", "expected"),
    [
        (Reply("language_course"), Reply("programme_details", "slovene_course"), True),
        (Reply("programme_details", "slovene_course"), Reply("language_course"), True),
        (Reply("language_course"), Reply("programme_details", "job_club"), False),
        (Reply("language_course"), Reply("programme_details"), False),
        (Reply("list_programmes"), Reply("programme_details"), True),
        (Reply("programme_details", "job_club"), Reply("list_programmes"), False),
        (
            Reply("programme_details", "job_club"),
            Reply("programme_details", "slovene_course"),
            True,
        ),
        (Reply("language_course"), Reply("list_programmes"), False),
        (Reply("out_of_scope"), Reply("nlu_fallback"), True),
        (Reply("out_of_scope"), Reply("greet"), False),
        (Reply("language_course"), Reply("nlu_fallback"), False),
        (Reply("language_course"), Reply("out_of_scope"), False),
    ],
)
def test_answer_groups(truth: Reply, predicted: Reply, expected: bool) -> None:
    assert metrics.answers(truth, predicted, GROUPS) is expected


def test_the_project_file_loads_and_holds_the_issues_pairs() -> None:
    spec = load_spec()
    pairs = {frozenset((p.a, p.b)) for p in spec.pairs}
    for a, b in [
        ("cancel_appointment", "reschedule_appointment"),
        ("cancel_appointment", "delete_my_data"),
        ("reschedule_appointment", "delete_my_data"),
        ("work_rights", "check_eligibility"),
    ]:
        assert frozenset((a, b)) in pairs
    assert "urgent_help" in domain_intents()
    assert {g.name for g in spec.groups} >= {"slovene_course", "qualification_recognition"}


def _spec_error(tmp_path: Path, text: str) -> ContentError:
    path = tmp_path / "evaluation.yml"
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_spec(path, INTENTS)
    assert caught.value.path == str(path)
    return caught.value


GOOD_GROUPS = "answer_groups:\n- name: g\n  members: [language_course, list_programmes]\n  why: w\n"
GOOD_PAIRS = "dangerous:\n- intents: [work_rights, check_eligibility]\n  why: w\n"


def test_an_unknown_intent_in_a_pair_is_refused_with_its_line(tmp_path: Path) -> None:
    error = _spec_error(
        tmp_path,
        "dangerous:\n- intents:\n  - cancel_appointment\n  - cancel_apointment\n  why: w\n"
        + GOOD_GROUPS,
    )
    assert error.line == 4 and "cancel_apointment" in error.problem


def test_an_unknown_intent_in_a_group_is_refused_with_its_line(tmp_path: Path) -> None:
    error = _spec_error(
        tmp_path,
        GOOD_PAIRS + "answer_groups:\n- name: g\n  why: w\n  members:\n  - language_course\n"
        "  - programme_detail{slovene_course}\n",
    )
    assert error.line == 9 and "programme_detail" in error.problem


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ("[language_course, 'programme_details{slovene}']", "unknown programme"),
        ("[language_course, out_of_scope]", "only out_of_scope"),
        ("[nlu_fallback, greet]", "only out_of_scope"),
        ("[work_rights, check_eligibility]", "dangerous pair"),
        ("[language_course]", "at least two"),
        ("[language_course, language_course]", "twice"),
    ],
)
def test_bad_answer_groups_are_refused(tmp_path: Path, members: str, problem: str) -> None:
    error = _spec_error(
        tmp_path, GOOD_PAIRS + f"answer_groups:\n- name: g\n  members: {members}\n  why: w\n"
    )
    assert problem in error.problem and error.line == 6


def test_missing_lists_and_repeated_pairs_are_refused(tmp_path: Path) -> None:
    assert "answer_groups" in _spec_error(tmp_path, GOOD_PAIRS).problem
    error = _spec_error(
        tmp_path,
        GOOD_PAIRS + "- intents: [check_eligibility, work_rights, greet]\n  why: w\n" + GOOD_GROUPS,
    )
    assert "already listed" in error.problem and error.line == 4
