"""The whole parse of a message: normalisation, entities, then the learned intent classifier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import MappingProxyType

import numpy as np

from nlu.classifier import IntentClassifier
from nlu.entities import extract_entities
from nlu.intents import Intent
from nlu.normalize import normalize
from nlu.result import ParseResult

_RANKING_SIZE = 3
_ALTERNATIVES = 2


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
        probabilities = self.classifier.probabilities(normalized, entities)
        order = np.argsort(-probabilities, kind="stable")[: _RANKING_SIZE + 1]
        classes = self._classes
        ranking = tuple((classes[int(row)], _unit(probabilities[row])) for row in order)
        best, best_value = ranking[0]
        calibration = self.classifier.calibration
        if best is Intent.UNKNOWN or best_value < calibration.unknown_below:
            known = next((value for intent, value in ranking if intent is not Intent.UNKNOWN), 0.0)
            intent = Intent.UNKNOWN
            confidence = _unit(max(1.0 - known, best_value if best is Intent.UNKNOWN else 0.0))
        else:
            intent, confidence = best, best_value
        if intent is not Intent.SERVICE_REQUEST:
            # The service asked for: a request's progress or an outage names none to file.
            entities.pop("service_type", None)
        alternatives = tuple(pair for pair in ranking if pair[0] is not intent)[:_ALTERNATIVES]
        runner_up = alternatives[0][0] if alternatives else Intent.UNKNOWN
        unsure = (
            intent is not Intent.UNKNOWN
            and runner_up is not Intent.UNKNOWN
            and float(probabilities[classes.index(intent)])
            - float(probabilities[classes.index(runner_up)])
            < calibration.ask_margin
        )
        return ParseResult(
            text=text,
            intent=intent,
            confidence=confidence,
            entities=MappingProxyType(entities),
            ranking=ranking[:_RANKING_SIZE],
            alternatives=alternatives,
            unsure=unsure,
        )


def _unit(value: float) -> float:
    """A probability with three decimals, for display and logs."""
    return round(min(max(float(value), 0.0), 1.0), 3)
