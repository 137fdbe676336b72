"""The whole parse of a message: normalisation, entities, then the learned intent classifier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import MappingProxyType

from nlu.classifier import IntentClassifier
from nlu.entities import extract_entities
from nlu.intents import Intent
from nlu.normalize import normalize
from nlu.result import ParseResult

_RANKING_SIZE = 3
_ALTERNATIVES = 2
# Looking a member up on an enum class is slow enough to matter here.
_UNKNOWN = Intent.UNKNOWN


class Parser:
    """Understands messages with a trained `IntentClassifier` and the rule-based entities."""

    def __init__(self, classifier: IntentClassifier) -> None:
        """Parse with this classifier and its calibration."""
        self.classifier = classifier
        self._classes = classifier.classes

    def parse(self, text: str, today: date, areas: Sequence[str] = ()) -> ParseResult:
        """The intent, confidence, runner-ups and entities of one message."""
        normalized = normalize(text)
        entities = extract_entities(text, normalized, today, areas)
        if not normalized:
            # Emoji, punctuation or nothing: no words to understand.
            return ParseResult(text=text, intent=Intent.UNKNOWN, confidence=1.0)
        values = self.classifier.probabilities(normalized, entities).tolist()
        order = sorted(range(len(values)), key=values.__getitem__, reverse=True)
        classes = self._classes
        ranking = [(classes[row], values[row]) for row in order[: _RANKING_SIZE + 1]]
        (best, best_value), (second, second_value) = ranking[0], ranking[1]
        calibration = self.classifier.calibration
        if best is _UNKNOWN or best_value < calibration.unknown_below:
            known = second_value if best is _UNKNOWN else best_value
            intent = _UNKNOWN
            confidence = max(1.0 - known, best_value if best is _UNKNOWN else 0.0)
            unsure = False
        else:
            intent, confidence = best, best_value
            unsure = second is not _UNKNOWN and best_value - second_value < calibration.ask_margin
        if intent is not Intent.SERVICE_REQUEST:
            # The service asked for: a request's progress or an outage names none to file.
            entities.pop("service_type", None)
        alternatives = tuple(
            (other, _unit(value)) for other, value in ranking if other is not intent
        )[:_ALTERNATIVES]
        return ParseResult(
            text=text,
            intent=intent,
            confidence=_unit(confidence),
            entities=MappingProxyType(entities),
            ranking=tuple((other, _unit(value)) for other, value in ranking[:_RANKING_SIZE]),
            alternatives=alternatives,
            unsure=unsure,
        )


def _unit(value: float) -> float:
    """A probability with three decimals, for display and logs."""
    return round(min(max(float(value), 0.0), 1.0), 3)
