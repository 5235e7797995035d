"""Per-language NLU evaluation on the held-out files (``make eval``).

Prints, for each core language, on ``tests/nlu/<lang>.yml`` (never trained
on, short and long messages): intent accuracy and macro F1; language
identification accuracy (LID, every message, one word included); and how
often the first message of a conversation of three words or more is
answered in its own language ("reply lang"), using the model in ``models/``.

Usage: python -m scripts.evaluate [--model models] [--out var/results/eval.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from language import translation
from language.detect import Detection
from language.languages import CORE
from language.resolution import resolve
from pes.settings import settings

ROOT = Path(__file__).resolve().parent.parent


async def _parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    import structlog
    from rasa.core.agent import Agent

    from language.components import serving_threads

    # Rasa's structured debug log would print every message text.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    # What a Rasa replica sets up at start-up (runtime/replica.py), without its stores.
    config = settings()
    translation.configure(config.translation)
    serving_threads(config.rasa.e5_threads)
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def _intent(parse: dict[str, Any], below_threshold: bool = False) -> str:
    """The predicted intent; with ``below_threshold``, the classifier's best even under nlu_fallback."""
    intent = parse.get("intent") or {}
    name = str(intent.get("name")) if isinstance(intent, dict) else ""
    if below_threshold and name == "nlu_fallback":
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        return str(ranking[0]["name"]) if ranking else name
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "results" / "eval.json")
    args = parser.parse_args(argv)

    from rasa.model import get_local_model
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import accuracy_score, f1_score

    rows: list[tuple[str, str, str]] = []
    for lang in CORE:
        data = load_data(str(ROOT / "tests" / "nlu" / f"{lang}.yml"))
        rows += [(lang, m.get("text"), m.get("intent")) for m in data.intent_examples]
    parsed = asyncio.run(_parse_all(Path(get_local_model(str(args.model))), [r[1] for r in rows]))

    report: dict[str, dict[str, float]] = {}
    print(
        f"{'language':9s} {'n':>5s} {'accuracy':>9s} {'macro F1':>9s} {'answered':>9s} "
        f"{'LID':>6s} {'reply lang':>11s}"
    )
    for lang in (*CORE, "all"):
        idx = [i for i, r in enumerate(rows) if lang in (r[0], "all")]
        truth = [rows[i][2] for i in idx]
        top = [_intent(parsed[i], below_threshold=True) for i in idx]
        shown = [_intent(parsed[i]) for i in idx]
        identified, first = [], []
        for i in idx:
            raw = parsed[i].get("language_detection") or {}
            detection = Detection(
                raw.get("language"), float(raw.get("confidence") or 0), int(raw.get("words") or 0)
            )
            identified.append(detection.language == rows[i][0])
            if detection.words >= 3:
                got = resolve(
                    current=None, current_source=None, chosen=None, hint=None, detection=detection
                )
                first.append(got.language == rows[i][0])
        result = {
            "n": float(len(idx)),
            "accuracy": float(accuracy_score(truth, top)),
            "macro_f1": float(f1_score(truth, top, average="macro", zero_division=0)),
            "answered_correctly": float(accuracy_score(truth, shown)),
            "language_identification": sum(identified) / len(identified),
            "reply_language": sum(first) / len(first) if first else 0.0,
        }
        report[lang] = result
        print(
            f"{lang:9s} {len(idx):5d} {result['accuracy']:9.3f} {result['macro_f1']:9.3f} "
            f"{result['answered_correctly']:9.3f} {result['language_identification']:6.3f} "
            f"{result['reply_language']:11.3f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
