"""Evaluation of the matcher on labelled messages: intent accuracy, confusions, entities."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from nlu.intents import Intent
from nlu.matcher import Matcher
from nlu.normalize import fold, has_diacritics


class EvaluationError(ValueError):
    """A labelled file is malformed; the message names the line."""


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
class Report:
    """What `dienbot nlu eval` prints."""

    overall: Score
    with_diacritics: Score
    without_diacritics: Score
    per_intent: Mapping[Intent, Score]
    unknown_precision: Score
    unknown_recall: Score
    entities: Score
    confusions: Sequence[tuple[Intent, Intent, int]]
    mistakes: Sequence[tuple[int, str, Intent, Intent]] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        """The report as a JSON object."""

        def shown(score: Score) -> dict[str, object]:
            return {"right": score.right, "total": score.total, "accuracy": round(score.ratio, 4)}

        return {
            "intent_accuracy": shown(self.overall),
            "with_diacritics": shown(self.with_diacritics),
            "without_diacritics": shown(self.without_diacritics),
            "unknown_precision": shown(self.unknown_precision),
            "unknown_recall": shown(self.unknown_recall),
            "entity_accuracy": shown(self.entities),
            "per_intent": {
                intent.value: shown(score) for intent, score in self.per_intent.items()
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


def evaluate(matcher: Matcher, messages: Sequence[LabelledMessage], today: date) -> Report:
    """Score the matcher on labelled messages; `today` serves lines that name no date.

    Each message with diacritics is also tried with its diacritics removed.
    """
    overall = with_marks = without_marks = Score()
    unknown_precision = unknown_recall = entity_score = Score()
    per_intent: dict[Intent, Score] = {}
    confusions: Counter[tuple[Intent, Intent]] = Counter()
    mistakes: list[tuple[int, str, Intent, Intent]] = []
    for message in messages:
        day = message.today or today
        result = matcher.parse(message.text, day, message.areas)
        right = result.intent is message.intent
        overall = overall.add(right)
        per_intent[message.intent] = per_intent.get(message.intent, Score()).add(right)
        if not right:
            confusions[(message.intent, result.intent)] += 1
            mistakes.append((message.line, message.text, message.intent, result.intent))
        if result.intent is Intent.UNKNOWN:
            unknown_precision = unknown_precision.add(right)
        if message.intent is Intent.UNKNOWN:
            unknown_recall = unknown_recall.add(right)
        if has_diacritics(message.text):
            with_marks = with_marks.add(right)
            folded = matcher.parse(fold(message.text), day, message.areas)
            without_marks = without_marks.add(folded.intent is message.intent)
        else:
            without_marks = without_marks.add(right)
        if message.entities is not None:
            entity_score = _score_entities(entity_score, message.entities, result.entities)
    return Report(
        overall=overall,
        with_diacritics=with_marks,
        without_diacritics=without_marks,
        per_intent=dict(sorted(per_intent.items())),
        unknown_precision=unknown_precision,
        unknown_recall=unknown_recall,
        entities=entity_score,
        confusions=[(a, b, n) for (a, b), n in confusions.most_common()],
        mistakes=tuple(mistakes),
    )


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
