"""The outcome of parsing one message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nlu.intents import Intent


@dataclass(frozen=True, slots=True)
class ParseResult:
    """One message understood: its intent, how sure the matcher is, and its entities.

    Attributes:
        text: the message as received.
        intent: the intent that scored best, or `Intent.UNKNOWN`.
        confidence: 0.0-1.0; for `unknown`, how clearly nothing matched.
        entities: entity name -> normalised value (names and values as in `intents.md`).
        ranking: the best-scoring intents with their scores, for logs.
    """

    text: str
    intent: Intent
    confidence: float
    entities: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    ranking: tuple[tuple[Intent, float], ...] = ()

    def to_json(self) -> dict[str, object]:
        """The contract's object: text, intent, confidence and entities."""
        return {
            "text": self.text,
            "intent": self.intent.value,
            "confidence": self.confidence,
            "entities": dict(self.entities),
        }
