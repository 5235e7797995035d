"""Fail when held-out NLU accuracy from ``rasa test nlu`` falls below the bar.

Usage: ``python -m scripts.check_nlu_results var/results/nlu [--min-accuracy 0.9]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--min-accuracy", type=float, default=0.93)
    args = parser.parse_args(argv)
    report_path = args.results / "intent_report.json"
    try:
        report = json.loads(report_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        print(f"check_nlu_results: cannot read {report_path}: {exc}", file=sys.stderr)
        return 2
    accuracy = float(report["accuracy"])
    macro_f1 = float(report["macro avg"]["f1-score"])
    print(f"held-out intent accuracy {accuracy:.3f}, macro F1 {macro_f1:.3f}")
    if accuracy < args.min_accuracy:
        print(f"check_nlu_results: accuracy below {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
