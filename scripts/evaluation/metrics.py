"""The numbers of ``make eval``, as pure functions of true and predicted labels.

Kept apart from the model so that tests can check them on hand-made predictions,
and so that ``check_nlu_results`` can apply the same pair bound to Rasa's own
report in CI without loading anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scripts.evaluation.spec import OUT_OF_SCOPE, SILENT, AnswerGroup, Pair, Reply


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth) if truth else 0.0


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the intents the set has messages of.

    Not over every predicted label too: a set written without some intents
    (the unseen set has no ``inform``) would otherwise count each such intent the
    model predicts as one more class with F1 0, besides the recall it already
    costs the true intent, and sets with different intents could not be compared."""
    from sklearn.metrics import f1_score

    if not truth:
        return 0.0
    labels = sorted(set(truth))
    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


@dataclass(frozen=True)
class LabelScore:
    """How one intent is found: ``recall`` is None without true messages of it,
    ``precision`` None when it was never predicted."""

    support: int  # messages whose true intent it is
    found: int  # of those, predicted as it
    predicted: int  # messages predicted as it

    @property
    def recall(self) -> float | None:
        return self.found / self.support if self.support else None

    @property
    def precision(self) -> float | None:
        return self.found / self.predicted if self.predicted else None


def label_score(truth: Sequence[str], predicted: Sequence[str], label: str) -> LabelScore:
    pairs = list(zip(truth, predicted, strict=True))
    return LabelScore(
        support=sum(t == label for t, _ in pairs),
        found=sum(t == label == p for t, p in pairs),
        predicted=sum(p == label for _, p in pairs),
    )


def missed(truth: Sequence[str], predicted: Sequence[str], label: str) -> list[int]:
    """Positions of the messages of ``label`` predicted as something else."""
    return [i for i, (t, p) in enumerate(zip(truth, predicted, strict=True)) if t == label != p]


def confusions(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """(true, predicted) counts of the wrong predictions."""
    return Counter((t, p) for t, p in pairs if t != p)


@dataclass(frozen=True)
class PairScore:
    """One dangerous pair on one set: confusions each way over the pair's messages."""

    pair: Pair
    a_as_b: int
    b_as_a: int
    messages: int  # true messages of either intent
    max_rate: float

    @property
    def confused(self) -> int:
        return self.a_as_b + self.b_as_a

    @property
    def rate(self) -> float | None:
        return self.confused / self.messages if self.messages else None

    @property
    def passed(self) -> bool:
        rate = self.rate
        return rate is None or rate <= self.max_rate


def pair_scores(
    pairs: Iterable[Pair],
    confused: Mapping[tuple[str, str], int],
    support: Mapping[str, int],
    max_rate: float,
) -> list[PairScore]:
    """Each pair's confusions, from (true, predicted) counts and true-intent counts:
    the same whether they come from our parses or Rasa's intent_errors.json."""
    return [
        PairScore(
            pair=p,
            a_as_b=int(confused.get((p.a, p.b), 0)),
            b_as_a=int(confused.get((p.b, p.a), 0)),
            messages=int(support.get(p.a, 0)) + int(support.get(p.b, 0)),
            max_rate=max_rate,
        )
        for p in pairs
    ]


def answers(truth: Reply, predicted: Reply, groups: Iterable[AnswerGroup]) -> bool:
    """Whether the reply to ``predicted`` answers a question of ``truth``.

    The right intent answers (a wrong programme within it is the entity report's
    business). "I did not understand" and "I cannot help with that" answer only an
    out-of-scope message; otherwise a wrong intent answers when one answer group holds both.
    """
    if truth.intent == OUT_OF_SCOPE:
        return predicted.intent in SILENT
    if predicted.intent in SILENT:
        return False
    if predicted.intent == truth.intent:
        return True
    return any(g.covers(truth) and g.covers(predicted) for g in groups)
