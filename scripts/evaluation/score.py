"""One set's scores: per language and overall, urgent help, dangerous pairs, answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from language.resolution import resolve
from scripts.evaluation import metrics
from scripts.evaluation.sets import Example, Prediction, TestSet
from scripts.evaluation.spec import (
    MAX_PAIR_RATE,
    MIN_URGENT_RECALL,
    TARGET_ALL,
    TARGET_LANGUAGE,
    URGENT,
    Reply,
    Spec,
)

ALL = "all"


@dataclass(frozen=True)
class LanguageScore:
    n: int
    accuracy: float  # the classifier's best intent
    macro_f1: float
    answered_correctly: float  # the intent acted on (after the fallback) is the true one
    answers_question: float  # the reply acted on answers the question (answer groups)
    language_identification: float
    reply_language: float  # first messages of 3+ words answered in their own language
    target: float

    @property
    def passed(self) -> bool:
        return self.accuracy >= self.target and self.macro_f1 >= self.target


@dataclass(frozen=True)
class SetScore:
    test_set: TestSet
    languages: dict[str, LanguageScore]  # each language present, then ALL
    urgent: dict[str, metrics.LabelScore]  # on the intent acted on
    missed_urgent: tuple[Example, ...]
    predicted_for_missed: tuple[str, ...]
    pairs: tuple[metrics.PairScore, ...]

    def broken_bounds(self) -> list[str]:
        """The bounds that fail the run, in words."""
        broken = [
            f"{self.test_set.name}: {URGENT} recall {lang} {score.recall:.3f} < {MIN_URGENT_RECALL}"
            for lang, score in self.urgent.items()
            if score.recall is not None and score.recall < MIN_URGENT_RECALL
        ]
        broken += [
            f"{self.test_set.name}: {p.pair.label} confused {p.confused} in {p.messages}"
            for p in self.pairs
            if not p.passed
        ]
        return broken


def _reply_language(lang: str, prediction: Prediction) -> bool | None:
    """For a first message of 3+ words: is the reply in its language? None for shorter ones."""
    if prediction.detection.words < 3:
        return None
    got = resolve(
        current=None, current_source=None, chosen=None, hint=None, detection=prediction.detection
    )
    return got.language == lang


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def _language_score(
    examples: list[Example], predictions: Mapping[str, Prediction], spec: Spec, target: float
) -> LanguageScore:
    truth = [e.intent for e in examples]
    got = [predictions[e.text] for e in examples]
    top = [p.top for p in got]
    shown = [p.shown for p in got]
    answered = [
        metrics.answers(
            # An unannotated true programme is the one recognised in the message's text.
            Reply(e.intent, e.programme or p.programme),
            Reply(p.shown, p.programme),
            spec.groups,
        )
        for e, p in zip(examples, got, strict=True)
    ]
    replies = [_reply_language(e.lang, p) for e, p in zip(examples, got, strict=True)]
    return LanguageScore(
        n=len(examples),
        accuracy=metrics.accuracy(truth, top),
        macro_f1=metrics.macro_f1(truth, top),
        answered_correctly=metrics.accuracy(truth, shown),
        answers_question=_share(answered),
        language_identification=_share(
            [p.detection.language == e.lang for e, p in zip(examples, got, strict=True)]
        ),
        reply_language=_share([r for r in replies if r is not None]),
        target=target,
    )


def score_set(test_set: TestSet, predictions: Mapping[str, Prediction], spec: Spec) -> SetScore:
    groups: dict[str, list[Example]] = {
        lang: [e for e in test_set.examples if e.lang == lang] for lang in test_set.languages()
    }
    groups[ALL] = list(test_set.examples)
    languages = {
        lang: _language_score(
            examples, predictions, spec, TARGET_ALL if lang == ALL else TARGET_LANGUAGE
        )
        for lang, examples in groups.items()
    }
    urgent = {
        lang: metrics.label_score(
            [e.intent for e in examples], [predictions[e.text].shown for e in examples], URGENT
        )
        for lang, examples in groups.items()
    }
    everything = groups[ALL]
    truth = [e.intent for e in everything]
    shown = [predictions[e.text].shown for e in everything]
    missed = metrics.missed(truth, shown, URGENT)
    pairs = metrics.pair_scores(
        spec.pairs,
        metrics.confusions(zip(truth, shown, strict=True)),
        Counter(truth),
        MAX_PAIR_RATE,
    )
    return SetScore(
        test_set=test_set,
        languages=languages,
        urgent=urgent,
        missed_urgent=tuple(everything[i] for i in missed),
        predicted_for_missed=tuple(shown[i] for i in missed),
        pairs=tuple(pairs),
    )
