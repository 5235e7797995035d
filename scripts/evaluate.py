"""NLU evaluation on three sets side by side (``make eval``; docs/nlu.md, "Three sets").

The regression set (``tests/nlu/<lang>.yml``) has been used to choose settings and
examples; the unseen sets (``tests/unseen/`` and ``tests/unseen_b/``, ``<lang>.yml``)
never may be, and each is skipped with a line saying so while it does not exist. For each set, per core language
and overall: intent accuracy and macro F1 (targets 0.92 each language, 0.95 all),
how often the reply answers the question (answer groups of
``data/nlu/evaluation.yml``), urgent_help recall and precision, the dangerous pairs'
confusions, language identification and reply language. The model is loaded once
and every distinct message parsed once.

Exit status: 0 when every bound holds on every set; 1 when one is broken
(urgent_help recall below 0.98 in a language or overall, or a dangerous pair
confused more than once in 200 of its messages); 2 when the evaluation file or the
regression set cannot be used. The accuracy targets are printed PASS/FAIL but do
not fail the run: they are aims, the bounds are harms.

Usage: python -m scripts.evaluate [--model models] [--regression tests/nlu]
       [--unseen tests/unseen] [--unseen-b tests/unseen_b] [--spec data/nlu/evaluation.yml]
       [--out var/results/eval.json] [--markdown var/results/eval.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.datafile import ContentError
from scripts.evaluation import report
from scripts.evaluation.score import score_set
from scripts.evaluation.sets import Parser, TestSet, load_set, model_parser, predict
from scripts.evaluation.spec import SPEC_FILE, load_spec

ROOT = Path(__file__).resolve().parent.parent


def run(
    parser: Parser,
    *,
    regression: Path,
    unseen: Path,
    unseen_b: Path | None = None,
    spec_file: Path = SPEC_FILE,
    out: Path,
    markdown: Path,
) -> int:
    """The evaluation with any parser (the model, or a stand-in in tests); the exit status."""
    try:
        spec = load_spec(spec_file)
    except ContentError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    sets: list[TestSet] = []
    skipped: dict[str, str] = {}
    named = [("regression", regression, True), ("unseen", unseen, False)]
    if unseen_b is not None:
        named.append(("unseen_b", unseen_b, False))
    for name, directory, show_texts in named:
        loaded = load_set(name, directory, show_texts=show_texts)
        if loaded is None:
            skipped[name] = f"no readable <lang>.yml in {directory}"
        else:
            sets.append(loaded)
    if "regression" in skipped:
        print(f"evaluate: the regression set is missing ({skipped['regression']})", file=sys.stderr)
        return 2
    predictions = predict(parser, sets)
    scores = [score_set(s, predictions, spec) for s in sets]
    print("\n".join(report.text(scores, skipped, spec)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.as_json(scores, skipped, spec), indent=2), "utf-8")
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(report.markdown(scores), "utf-8")
    print(f"\nwritten: {out}, {markdown}")
    return 1 if any(s.broken_bounds() for s in scores) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models")
    parser.add_argument("--regression", type=Path, default=ROOT / "tests" / "nlu")
    parser.add_argument("--unseen", type=Path, default=ROOT / "tests" / "unseen")
    parser.add_argument("--unseen-b", type=Path, default=ROOT / "tests" / "unseen_b")
    parser.add_argument("--spec", type=Path, default=SPEC_FILE)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "results" / "eval.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "var" / "results" / "eval.md")
    args = parser.parse_args(argv)
    return run(
        model_parser(args.model),
        regression=args.regression,
        unseen=args.unseen,
        unseen_b=args.unseen_b,
        spec_file=args.spec,
        out=args.out,
        markdown=args.markdown,
    )


if __name__ == "__main__":
    sys.exit(main())
