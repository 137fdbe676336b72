"""Evaluation of the NLU on labelled messages: accuracy, per-intent P/R/F1, confusions, entities.

The same figures are computed for a labelled file (`evaluate`) and for the out-of-fold
predictions of cross-validation on the training data (`cross_validation_report`), so a model
trained by the learning loop can be compared with the current one on equal terms.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from nlu.intents import Intent
from nlu.normalize import fold, has_diacritics
from nlu.result import ParseResult

# Relative values in a labelled file, resolved against the day of the evaluation.
_DAY_MARKERS = {"@today": 0, "@yesterday": -1, "@tomorrow": 1}
_MONTH_MARKERS = {"@this_month": 0, "@prev_month": -1, "@next_month": 1}
_CALIBRATION_BINS = 10
WORST_MISSES = 15


class EvaluationError(ValueError):
    """A labelled file is malformed; the message names the line."""


class Understands(Protocol):
    """What can be evaluated: anything that parses a message (the parser, the old matcher)."""

    def parse(self, text: str, today: date, areas: Sequence[str] = ()) -> ParseResult:
        """The intent and entities of one message."""
        ...


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    """One line of an evaluation file."""

    line: int
    text: str
    intent: Intent
    entities: Mapping[str, object] | None
    today: date | None
    areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """Right answers out of a total."""

    right: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        """The share of right answers (1.0 when there is nothing to count)."""
        return self.right / self.total if self.total else 1.0

    def add(self, right: bool) -> Score:
        """This score with one more answer counted."""
        return Score(self.right + int(right), self.total + 1)


@dataclass(frozen=True, slots=True)
class IntentScores:
    """How predicted intents compare with the expected ones."""

    accuracy: Score
    recall: Mapping[Intent, Score]  # per expected intent: how many of them were found
    precision: Mapping[Intent, Score]  # per predicted intent: how many of them were right
    confusion: Mapping[tuple[Intent, Intent], int]  # (expected, predicted) -> count

    def f1(self, intent: Intent) -> float:
        """The harmonic mean of the intent's precision and recall (0 when either is 0)."""
        precision = self.precision.get(intent, Score()).ratio
        recall = self.recall.get(intent, Score()).ratio
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def macro_f1(self) -> float:
        """The mean F1 over the expected intents."""
        intents = list(self.recall)
        return sum(map(self.f1, intents)) / len(intents) if intents else 1.0


def intent_scores(pairs: Sequence[tuple[Intent, Intent]]) -> IntentScores:
    """Accuracy, recall, precision and confusions of (expected, predicted) pairs."""
    accuracy = Score()
    recall: dict[Intent, Score] = {}
    precision: dict[Intent, Score] = {}
    confusion: Counter[tuple[Intent, Intent]] = Counter()
    for expected, predicted in pairs:
        right = expected is predicted
        accuracy = accuracy.add(right)
        recall[expected] = recall.get(expected, Score()).add(right)
        precision[predicted] = precision.get(predicted, Score()).add(right)
        confusion[expected, predicted] += 1
    return IntentScores(
        accuracy=accuracy,
        recall=dict(sorted(recall.items())),
        precision=dict(sorted(precision.items())),
        confusion=dict(confusion),
    )


@dataclass(frozen=True, slots=True)
class Miss:
    """A wrong answer: where, what, and how sure the NLU was of it."""

    line: int
    text: str
    expected: Intent
    predicted: Intent
    confidence: float


@dataclass(frozen=True, slots=True)
class Report:
    """What `dienbot nlu eval` prints for one labelled file."""

    overall: Score
    with_diacritics: Score
    without_diacritics: Score
    per_intent: Mapping[Intent, Score]
    unknown_precision: Score
    unknown_recall: Score
    entities: Score
    confusions: Sequence[tuple[Intent, Intent, int]]
    mistakes: Sequence[tuple[int, str, Intent, Intent]] = field(default_factory=tuple)
    scores: IntentScores | None = None
    misses: Sequence[Miss] = ()

    def to_json(self) -> dict[str, object]:
        """The report as a JSON object."""
        result: dict[str, object] = {
            "intent_accuracy": _shown(self.overall),
            "with_diacritics": _shown(self.with_diacritics),
            "without_diacritics": _shown(self.without_diacritics),
            "unknown_precision": _shown(self.unknown_precision),
            "unknown_recall": _shown(self.unknown_recall),
            "entity_accuracy": _shown(self.entities),
            "per_intent": {
                intent.value: _shown(score) for intent, score in self.per_intent.items()
            },
            "confusions": [
                {"expected": expected.value, "predicted": predicted.value, "count": count}
                for expected, predicted, count in self.confusions
            ],
            "mistakes": [
                {"line": line, "text": text, "expected": expected.value, "predicted": got.value}
                for line, text, expected, got in self.mistakes
            ],
        }
        if self.scores is not None:
            result["per_intent_f1"] = _figures_json(self.scores)
            result["macro_f1"] = round(self.scores.macro_f1, 4)
        return result


@dataclass(frozen=True, slots=True)
class CrossValidationReport:
    """Out-of-fold figures on the training data (each message predicted by a model without it)."""

    folds: int
    scores: IntentScores
    unknown_precision: Score
    unknown_recall: Score
    calibration_error: float  # expected calibration error of the chosen intent's probability
    misses: Sequence[Miss] = ()

    def to_json(self) -> dict[str, object]:
        """The figures as a JSON object."""
        return {
            "folds": self.folds,
            "intent_accuracy": _shown(self.scores.accuracy),
            "unknown_precision": _shown(self.unknown_precision),
            "unknown_recall": _shown(self.unknown_recall),
            "macro_f1": round(self.scores.macro_f1, 4),
            "calibration_error": round(self.calibration_error, 4),
            "per_intent_f1": _figures_json(self.scores),
        }


def _shown(score: Score) -> dict[str, object]:
    return {"right": score.right, "total": score.total, "accuracy": round(score.ratio, 4)}


def _figures_json(scores: IntentScores) -> dict[str, dict[str, float]]:
    return {
        intent.value: {
            "precision": round(scores.precision.get(intent, Score()).ratio, 4),
            "recall": round(scores.recall[intent].ratio, 4),
            "f1": round(scores.f1(intent), 4),
        }
        for intent in scores.recall
    }


def read_labelled(text: str, source: str) -> list[LabelledMessage]:
    """The labelled messages of a JSON-lines file; errors name `source:LINE`."""
    messages: list[LabelledMessage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise EvaluationError(f'{where}: expected an object with a "text" string')
        try:
            intent = Intent(str(record.get("intent")))
        except ValueError:
            raise EvaluationError(f"{where}: unknown intent {record.get('intent')!r}") from None
        entities = record.get("entities")
        if entities is not None and not isinstance(entities, dict):
            raise EvaluationError(f'{where}: "entities" must be an object')
        try:
            today = date.fromisoformat(record["today"]) if "today" in record else None
        except (TypeError, ValueError):
            raise EvaluationError(f'{where}: "today" must be YYYY-MM-DD') from None
        areas = record.get("areas", [])
        if not isinstance(areas, list) or not all(isinstance(area, str) for area in areas):
            raise EvaluationError(f'{where}: "areas" must be a list of strings')
        messages.append(
            LabelledMessage(number, record["text"], intent, entities, today, tuple(areas))
        )
    return messages


def resolved(value: object, today: date) -> object:
    """An expected entity value with its relative marker ("@yesterday", "@prev_month") resolved."""
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    if value in _DAY_MARKERS:
        return (today + timedelta(days=_DAY_MARKERS[value])).isoformat()
    if value in _MONTH_MARKERS:
        index = today.year * 12 + today.month - 1 + _MONTH_MARKERS[value]
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return value


def evaluate(
    nlu: Understands,
    messages: Sequence[LabelledMessage],
    today: date,
    unannotated: frozenset[str] = frozenset(),
) -> Report:
    """Score the NLU on labelled messages; `today` serves lines that name no date.

    Each message with diacritics is also tried with its diacritics removed. Entities named in
    `unannotated` (a file that does not label areas, say) are not counted either way.
    """
    with_marks = without_marks = Score()
    unknown_precision = unknown_recall = entity_score = Score()
    pairs: list[tuple[Intent, Intent]] = []
    mistakes: list[tuple[int, str, Intent, Intent]] = []
    misses: list[Miss] = []
    for message in messages:
        day = message.today or today
        result = nlu.parse(message.text, day, message.areas)
        right = result.intent is message.intent
        pairs.append((message.intent, result.intent))
        if not right:
            mistakes.append((message.line, message.text, message.intent, result.intent))
            misses.append(
                Miss(message.line, message.text, message.intent, result.intent, result.confidence)
            )
        if result.intent is Intent.UNKNOWN:
            unknown_precision = unknown_precision.add(right)
        if message.intent is Intent.UNKNOWN:
            unknown_recall = unknown_recall.add(right)
        if has_diacritics(message.text):
            with_marks = with_marks.add(right)
            folded = nlu.parse(fold(message.text), day, message.areas)
            without_marks = without_marks.add(folded.intent is message.intent)
        else:
            without_marks = without_marks.add(right)
        if message.entities is not None:
            expected = {name: resolved(value, day) for name, value in message.entities.items()}
            found = {k: v for k, v in result.entities.items() if k not in unannotated}
            entity_score = _score_entities(entity_score, expected, found)
    scores = intent_scores(pairs)
    confusions = Counter({pair: n for pair, n in scores.confusion.items() if pair[0] != pair[1]})
    return Report(
        overall=scores.accuracy,
        with_diacritics=with_marks,
        without_diacritics=without_marks,
        per_intent=scores.recall,
        unknown_precision=unknown_precision,
        unknown_recall=unknown_recall,
        entities=entity_score,
        confusions=[(a, b, n) for (a, b), n in confusions.most_common()],
        mistakes=tuple(mistakes),
        scores=scores,
        misses=tuple(sorted(misses, key=lambda miss: -miss.confidence)),
    )


def cross_validation_report(
    *,
    texts: Sequence[str],
    expected: Sequence[Intent],
    predicted: Sequence[Intent],
    confidences: Sequence[float],
    folds: int,
    calibration: float,
) -> CrossValidationReport:
    """The figures of out-of-fold predictions (`nlu.training.cross_validate`).

    `calibration` is the expected calibration error of the predictions' probabilities.
    """
    pairs = list(zip(expected, predicted, strict=True))
    unknown_precision = unknown_recall = Score()
    for want, got in pairs:
        if got is Intent.UNKNOWN:
            unknown_precision = unknown_precision.add(want is got)
        if want is Intent.UNKNOWN:
            unknown_recall = unknown_recall.add(want is got)
    misses = [
        Miss(number, text, want, got, confidence)
        for number, (text, want, got, confidence) in enumerate(
            zip(texts, expected, predicted, confidences, strict=True), start=1
        )
        if want is not got
    ]
    return CrossValidationReport(
        folds=folds,
        scores=intent_scores(pairs),
        unknown_precision=unknown_precision,
        unknown_recall=unknown_recall,
        calibration_error=calibration,
        misses=tuple(sorted(misses, key=lambda miss: -miss.confidence)),
    )


def calibration_error(confidences: Sequence[float], right: Sequence[bool]) -> float:
    """Expected calibration error: how far stated confidence is from accuracy, in 10 bins."""
    if not confidences:
        return 0.0
    values = np.asarray(confidences, dtype=np.float64)
    hits = np.asarray(right, dtype=np.float64)
    bins = np.minimum((values * _CALIBRATION_BINS).astype(int), _CALIBRATION_BINS - 1)
    error = 0.0
    for number in range(_CALIBRATION_BINS):
        members = bins == number
        if members.any():
            error += members.mean() * abs(values[members].mean() - hits[members].mean())
    return float(error)


def _score_entities(
    score: Score, expected: Mapping[str, object], found: Mapping[str, object]
) -> Score:
    """Count each expected entity (right when equal) and each entity found but not expected."""
    for name, value in expected.items():
        score = score.add(name in found and same_value(value, found[name]))
    for name in found:
        if name not in expected:
            score = score.add(False)
    return score


def same_value(expected: object, found: object) -> bool:
    """Whether two entity values are equal, numbers compared by value."""
    if isinstance(expected, bool) or isinstance(found, bool):
        return type(expected) is type(found) and expected == found
    if isinstance(expected, int | float) and isinstance(found, int | float):
        return float(expected) == float(found)
    if isinstance(expected, dict) and isinstance(found, dict):
        keys = set(expected) | set(found)
        return all(same_value(expected.get(key), found.get(key)) for key in keys)
    return expected == found
