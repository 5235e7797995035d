"""Eligibility from the command line (see ../shared/CONTRACT.md).

    echo '{"protection_status": "asylum_seeker", "application_date": "2026-03-01"}' \
        | python -m actions.eligibility [--as-of 2026-11-25]

Prints one JSON object with, for each key, {"eligible": ..., "reasons": [...]}.
Bad input exits with status 2 and one line on standard error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from common.datafile import ContentError
from pes.eligibility import Facts, FactsError, evaluate


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-25") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"eligibility: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(
        prog="python -m actions.eligibility", description="Decide eligibility from facts on stdin."
    )
    parser.add_argument(
        "--as-of", type=_date, default=None, help="the day to decide for (default: today)"
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or dt.date.today()
    try:
        raw = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        print(f"eligibility: standard input is not valid JSON ({exc.msg})", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print("eligibility: standard input is not UTF-8 text", file=sys.stderr)
        return 2
    try:
        facts = Facts.from_mapping(raw)
        decisions = evaluate(facts, as_of)
    except (FactsError, ContentError) as exc:
        print(f"eligibility: {exc}", file=sys.stderr)
        return 2
    json.dump({key: d.as_dict() for key, d in decisions.items()}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
