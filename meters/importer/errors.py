"""Problems found in an import file, reported as `FILE:LINE: column: problem`."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

REPORT_LIMIT = 100


class FieldError(ValueError):
    """One value of one column is wrong; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at one line of the file."""

    line: int
    column: str
    message: str


class ProblemLog:
    """The problems of one file, counted; the `limit` first ones in file order are kept.

    "First" is by line, then by the order of reporting, whatever order the lines were
    checked in (the readings import checks a chunk of lines at a time).
    """

    def __init__(self, file_name: str, limit: int = REPORT_LIMIT) -> None:
        self.file_name = file_name
        self.limit = limit
        self.count = 0
        # a max-heap on (line, order) through negated keys: the root is the last one kept
        self._kept: list[tuple[int, int, Problem]] = []

    def add(self, line: int, column: str, message: str) -> None:
        """Record one problem."""
        self.count += 1
        entry = (-line, -self.count, Problem(line, column, message))
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)
        elif entry[:2] > self._kept[0][:2]:
            heapq.heapreplace(self._kept, entry)

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self, suffix: str = "") -> tuple[str, ...]:
        """The report, ordered by line, with a last line counting what was left out."""
        kept = [problem for _, _, problem in sorted(self._kept, reverse=True)]
        report = [
            f"{self.file_name}:{problem.line}: {problem.column}: {problem.message}{suffix}"
            for problem in kept
        ]
        if self.count > len(kept):
            report.append(f"{self.file_name}: and {self.count - len(kept)} more")
        return tuple(report)


class ImportRejected(Exception):
    """The file has bad rows; nothing was written. `lines` is the report for the operator."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
