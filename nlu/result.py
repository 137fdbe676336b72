"""The outcome of parsing one message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nlu.intents import Intent


@dataclass(frozen=True, slots=True)
class ParseResult:
    """One message understood: its intent, how sure the NLU is, and its entities.

    Attributes:
        text: the message as received.
        intent: the intent understood, or `Intent.UNKNOWN`.
        confidence: 0.0-1.0, the calibrated probability of `intent` (for `unknown`, how
            clearly no intent fits).
        entities: entity name -> normalised value (names and values as in `intents.md`).
        ranking: the most probable intents with their probabilities, best first, for logs.
        alternatives: the runner-up intents (not `intent`) with their probabilities.
        unsure: the best two intents are too close to choose: the conversation should ask
            which one was meant (`intent` or the first alternative).
    """

    text: str
    intent: Intent
    confidence: float
    entities: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    ranking: tuple[tuple[Intent, float], ...] = ()
    alternatives: tuple[tuple[Intent, float], ...] = ()
    unsure: bool = False

    def to_json(self) -> dict[str, object]:
        """The contract's object: text, intent, confidence, entities, and the runner-ups."""
        return {
            "text": self.text,
            "intent": self.intent.value,
            "confidence": self.confidence,
            "entities": dict(self.entities),
            "alternatives": [
                {"intent": intent.value, "confidence": value}
                for intent, value in self.alternatives
            ],
        }
