"""What ``make eval`` prints, and its JSON and markdown files.

The two sets stand side by side so a gain on the regression set that the unseen
set does not share is plain to see. Texts of missed urgent messages are printed
for the regression set only (they help whoever writes training data); the unseen
set gets counts, so that its messages cannot steer the training data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scripts.evaluation.metrics import LabelScore, PairScore
from scripts.evaluation.score import ALL, LanguageScore, SetScore
from scripts.evaluation.spec import (
    MAX_PAIR_RATE,
    MIN_URGENT_RECALL,
    TARGET_ALL,
    TARGET_LANGUAGE,
    URGENT,
    Spec,
)

Cells = Callable[[SetScore, str], list[str]]


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _where(path: Path) -> str:
    """The set's folder, relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _side_by_side(
    first: str, rows: Sequence[str], scores: Sequence[SetScore], headers: list[str], cells: Cells
) -> list[str]:
    """A table whose columns repeat for each set; "-" where a set lacks a row."""
    width = max(len(first), *(len(r) for r in rows))
    widths = [max(len(h), 9) for h in headers]

    def block(values: list[str]) -> str:
        return "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True))

    titles = [f"{s.test_set.name}: {_where(s.test_set.path)}" for s in scores]
    span = len(block(headers))
    lines = [" " * width + " | " + " | ".join(t.ljust(span) for t in titles)]
    lines.append(first.ljust(width) + " | " + " | ".join(block(headers) for _ in scores))
    for row in rows:
        parts = [
            block(cells(s, row)) if row in s.languages else block(["-"] * len(headers))
            for s in scores
        ]
        lines.append(row.ljust(width) + " | " + " | ".join(parts))
    return lines


def _rows(scores: Sequence[SetScore]) -> list[str]:
    langs = dict.fromkeys(lang for s in scores for lang in s.languages if lang != ALL)
    return [*langs, ALL]


def _intent_cells(score: SetScore, lang: str) -> list[str]:
    s = score.languages[lang]
    return [
        str(s.n),
        f"{s.accuracy:.3f}",
        f"{s.macro_f1:.3f}",
        f"{s.answers_question:.3f}",
        f"{s.answered_correctly:.3f}",
        verdict(s.passed),
    ]


def _language_cells(score: SetScore, lang: str) -> list[str]:
    s = score.languages[lang]
    return [f"{s.language_identification:.3f}", f"{s.reply_language:.3f}"]


def _urgent_cells(score: SetScore, lang: str) -> list[str]:
    u = score.urgent[lang]
    bound = "-" if u.recall is None else verdict(u.recall >= MIN_URGENT_RECALL)
    return [str(u.support), _num(u.recall), _num(u.precision), bound]


def pair_line(p: PairScore) -> str:
    """One dangerous pair, as both make eval and check_nlu_results print it:
    ``a ↔ b: 1 in 110 messages (a→b 0, b→a 1), rate 0.0091 > 0.0050 FAIL``."""
    if p.rate is None:
        return f"{p.pair.label}: no messages of these intents"
    sign = "<=" if p.passed else ">"
    return (
        f"{p.pair.label}: {p.confused} in {p.messages} messages (a→b {p.a_as_b}, "
        f"b→a {p.b_as_a}), rate {p.rate:.4f} {sign} {MAX_PAIR_RATE:.4f} {verdict(p.passed)}"
    )


def _missed_lines(score: SetScore) -> list[str]:
    if not score.missed_urgent:
        return [f"  {score.test_set.name}: no {URGENT} message missed"]
    if not score.test_set.show_texts:
        by_lang = Counter(e.lang for e in score.missed_urgent)
        taken = Counter(score.predicted_for_missed)
        counts = ", ".join(f"{lang} {n}" for lang, n in by_lang.items())
        as_what = ", ".join(f"{intent} {n}" for intent, n in taken.most_common())
        return [
            f"  {score.test_set.name}: {len(score.missed_urgent)} missed ({counts}; taken as "
            f"{as_what}); texts are not shown for this set"
        ]
    return [f"  {score.test_set.name}: {len(score.missed_urgent)} missed"] + [
        f"    {e.id} → {predicted}: {e.text}"
        for e, predicted in zip(score.missed_urgent, score.predicted_for_missed, strict=True)
    ]


def text(scores: Sequence[SetScore], skipped: dict[str, str], spec: Spec) -> list[str]:
    """The whole printed report."""
    rows = _rows(scores)
    lines = [f"{name} set skipped: {why}" for name, why in skipped.items()]
    for score in scores:
        lines += [f"{score.test_set.name}: {problem}" for problem in score.test_set.problems]
    lines += [
        "",
        "Intents: accuracy and macro F1 of the classifier's best intent (target: both >= "
        f"{TARGET_LANGUAGE} in each language, >= {TARGET_ALL} for all); 'answers': the reply "
        "acted on (after the fallback) answers the question (answer groups); 'right intent': "
        "the intent acted on is the true one.",
    ]
    lines += _side_by_side(
        "language",
        rows,
        scores,
        ["n", "accuracy", "macro F1", "answers", "right intent", "target"],
        _intent_cells,
    )
    lines += ["", f"{URGENT} on the intent acted on (bound: recall >= {MIN_URGENT_RECALL}):"]
    lines += _side_by_side(
        "language", rows, scores, ["n", "recall", "precision", "bound"], _urgent_cells
    )
    lines += ["missed urgent messages:"]
    for score in scores:
        lines += _missed_lines(score)
    lines += [
        "",
        f"Dangerous pairs (at most one confusion in {round(1 / MAX_PAIR_RATE)} messages):",
    ]
    for score in scores:
        lines += [f"  {score.test_set.name}:"] + [f"    {pair_line(p)}" for p in score.pairs]
    lines += ["", "Answer groups (a mix-up inside one still answers the question):"]
    lines += [f"  {g.name}: {', '.join(str(m) for m in g.members)}" for g in spec.groups]
    lines += ["", "Language: identified (every message), reply in own language (3+ words):"]
    lines += _side_by_side("language", rows, scores, ["LID", "reply lang"], _language_cells)
    broken = [b for s in scores for b in s.broken_bounds()]
    lines += ["", f"bounds: {verdict(not broken)}"] + [f"  broken: {b}" for b in broken]
    return lines


def markdown(scores: Sequence[SetScore]) -> str:
    """Tables to paste into docs/nlu.md: intents and urgent help per language, then pairs."""
    head = "| language |" + "".join(
        f" {s.test_set.name} n | accuracy | macro F1 | answers | {URGENT} recall |" for s in scores
    )
    lines = [head, "|---|" + "---|---|---|---|---|" * len(scores)]
    for lang in _rows(scores):
        cells = []
        for s in scores:
            if lang not in s.languages:
                cells.append(" - | - | - | - | - |")
                continue
            ls, u = s.languages[lang], s.urgent[lang]
            cells.append(
                f" {ls.n:,} | {ls.accuracy:.3f} | {ls.macro_f1:.3f} | "
                f"{ls.answers_question:.3f} | {_num(u.recall)} |"
            )
        lines.append(f"| {lang} |" + "".join(cells))
    lines += ["", "| dangerous pair |" + "".join(f" {s.test_set.name} |" for s in scores)]
    lines.append("|---|" + "---|" * len(scores))
    for i, pair in enumerate(scores[0].pairs if scores else ()):
        counts = "".join(f" {s.pairs[i].confused} in {s.pairs[i].messages} |" for s in scores)
        lines.append(f"| {pair.pair.label} |{counts}")
    return "\n".join(lines) + "\n"


def _language_json(s: LanguageScore) -> dict[str, Any]:
    return {
        "n": s.n,
        "accuracy": s.accuracy,
        "macro_f1": s.macro_f1,
        "answers_question": s.answers_question,
        "answered_correctly": s.answered_correctly,
        "language_identification": s.language_identification,
        "reply_language": s.reply_language,
        "target": s.target,
        "passed": s.passed,
    }


def _urgent_json(u: LabelScore) -> dict[str, Any]:
    return {
        "support": u.support,
        "found": u.found,
        "predicted": u.predicted,
        "recall": u.recall,
        "precision": u.precision,
    }


def _set_json(score: SetScore) -> dict[str, Any]:
    missed: Any
    if score.test_set.show_texts:
        missed = [e.id for e in score.missed_urgent]
    else:
        missed = dict(Counter(e.lang for e in score.missed_urgent))
    return {
        "path": str(score.test_set.path),
        "problems": list(score.test_set.problems),
        "languages": {lang: _language_json(s) for lang, s in score.languages.items()},
        "urgent_help": {lang: _urgent_json(u) for lang, u in score.urgent.items()},
        "missed_urgent": missed,
        "dangerous_pairs": [
            {
                "pair": [p.pair.a, p.pair.b],
                "a_as_b": p.a_as_b,
                "b_as_a": p.b_as_a,
                "messages": p.messages,
                "rate": p.rate,
                "passed": p.passed,
            }
            for p in score.pairs
        ],
    }


def as_json(scores: Sequence[SetScore], skipped: dict[str, str], spec: Spec) -> dict[str, Any]:
    broken = [b for s in scores for b in s.broken_bounds()]
    out: dict[str, Any] = {s.test_set.name: _set_json(s) for s in scores}
    out.update({name: {"skipped": why} for name, why in skipped.items()})
    out["answer_groups"] = {g.name: [str(m) for m in g.members] for g in spec.groups}
    out["bounds"] = {
        "max_pair_rate": MAX_PAIR_RATE,
        "min_urgent_recall": MIN_URGENT_RECALL,
        "passed": not broken,
        "broken": broken,
    }
    return out
