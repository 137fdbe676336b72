"""What every kind of import needs besides the file: time zone, clock reading, reporting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from meters.importer.errors import FieldError, ProblemLog

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ImportContext:
    """The local time zone of times without an offset, and the moment of the import (UTC)."""

    zone: ZoneInfo
    now: datetime


class Fields:
    """One row's values by column name; parse failures are logged and remembered."""

    __slots__ = ("_line", "_positions", "_problems", "_values", "failed")

    def __init__(
        self,
        line: int,
        values: tuple[str, ...],
        positions: dict[str, int],
        problems: ProblemLog,
    ) -> None:
        self._line = line
        self._values = values
        self._positions = positions
        self._problems = problems
        self.failed = False

    def raw(self, column: str) -> str:
        """The text of a column, as in the file."""
        return self._values[self._positions[column]]

    def take(self, column: str, parse: Callable[[str], T]) -> T:
        """The parsed value of a column.

        When it does not parse, the problem is logged, the row is marked failed and a
        placeholder comes back: callers build their record and then discard it if `failed`.
        """
        try:
            return parse(self._values[self._positions[column]])
        except FieldError as error:
            self.fail(column, str(error))
            return None  # type: ignore[return-value]

    def fail(self, column: str, message: str) -> None:
        """Log a problem of this row that concerns several values (a cross-check)."""
        self.failed = True
        self._problems.add(self._line, column, message)
