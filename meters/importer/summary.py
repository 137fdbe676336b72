"""What an import did, as printed by `dienbot import`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Counts:
    """How many rows were new, changed, or already stored as they are."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The outcome of a successful import; `warnings` are report lines for flagged rows."""

    kind: str
    rows: int
    counts: Counts
    flagged: int = 0
    warnings: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        """The JSON object of the command line contract."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "inserted": self.counts.inserted,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "flagged": self.flagged,
        }
