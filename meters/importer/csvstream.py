"""Reading an import file as a stream of rows with line numbers, header checked."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from meters.importer.errors import ImportRejected, ProblemLog

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

ProgressCallback = Callable[[int], None]

MAX_LINE_BYTES = 1 << 20
PROGRESS_STEP_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns of one kind of file; values come back in `names` order."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every column, required ones first."""
        return self.required + self.optional


# One data row: the line it starts on and its values in `Columns.names` order.
Row = tuple[int, tuple[str, ...]]


class _Counter:
    """Bytes read so far, reported to the progress callback now and then."""

    def __init__(self, on_progress: ProgressCallback | None) -> None:
        self.bytes_read = 0
        self._reported = 0
        self._on_progress = on_progress

    def advance(self, size: int) -> None:
        self.bytes_read += size
        if self._on_progress and self.bytes_read - self._reported >= PROGRESS_STEP_BYTES:
            self._reported = self.bytes_read
            self._on_progress(self.bytes_read)

    def finish(self) -> None:
        if self._on_progress:
            self._on_progress(self.bytes_read)


def _decoded_lines(stream: BinaryIO, problems: ProblemLog, counter: _Counter) -> Iterator[str]:
    """The file's physical lines as text; bad UTF-8 and huge lines are reported, not fatal."""
    number = 0
    pending = 0  # bytes not yet handed to the counter (one call per ~MiB, not per line)
    readline = stream.readline
    while raw := readline(MAX_LINE_BYTES):
        number += 1
        pending += len(raw)
        if pending >= PROGRESS_STEP_BYTES:
            counter.advance(pending)
            pending = 0
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            problems.add(number, "row", f"line is longer than {MAX_LINE_BYTES} bytes")
            while (rest := readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pending += len(rest)
            pending += len(rest)
            yield "\n"
            continue
        try:
            text = raw.decode()
        except UnicodeDecodeError as error:
            problems.add(
                number,
                "encoding",
                f"byte 0x{raw[error.start]:02x} at position {error.start + 1} is not UTF-8"
                " (save the file as UTF-8)",
            )
            text = raw.decode("utf-8", "replace")
        yield text.removeprefix("\ufeff") if number == 1 else text
    counter.advance(pending)


def _column_picker(
    header: list[str], columns: Columns, problems: ProblemLog
) -> Callable[[list[str]], tuple[str, ...]]:
    """A function that orders a row's values like `columns.names`; header problems are fatal."""
    names = [name.strip() for name in header]
    known = set(columns.names)
    for name in names:
        if not name:
            problems.add(1, "header", "a column has no name")
        elif name not in known:
            allowed = ", ".join(columns.names)
            problems.add(1, "header", f"unknown column {name!r} (allowed: {allowed})")
    for name in sorted({name for name in names if name and names.count(name) > 1}):
        problems.add(1, "header", f"column {name!r} appears more than once")
    for name in columns.required:
        if name not in names:
            problems.add(1, "header", f"required column {name!r} is missing")
    if problems:
        raise ImportRejected(problems.lines())
    missing = len(names)  # rows get one empty value appended for absent optional columns
    positions = [names.index(name) if name in names else missing for name in columns.names]
    getter = itemgetter(*positions)
    if len(positions) == 1:
        return lambda values: (getter(values),)
    return getter


def read_rows(
    path: Path,
    columns: Columns,
    problems: ProblemLog,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Row]:
    """Stream the data rows of a CSV file; bad lines go to `problems`, a bad header raises."""
    counter = _Counter(on_progress)
    with path.open("rb") as stream:
        reader = csv.reader(_decoded_lines(stream, problems, counter), strict=True)
        header = _next_record(reader, problems)
        if header is None or not any(cell.strip() for cell in header):
            problems.add(1, "header", "the file is empty (expected a header row)")
            raise ImportRejected(problems.lines())
        if problems:
            raise ImportRejected(problems.lines())
        pick = _column_picker(header, columns, problems)
        width = len(header)
        previous_end = reader.line_num
        while True:
            record = _next_record(reader, problems)
            if record is None:
                break
            line, previous_end = previous_end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                problems.add(
                    line, "row", f"has {len(record)} values, the header has {width} columns"
                )
                continue
            record.append("")
            yield line, pick(record)
    counter.finish()


def _next_record(reader: CsvReader, problems: ProblemLog) -> list[str] | None:
    """The next CSV record, an empty one after a malformed line, None at the end."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        problems.add(reader.line_num, "row", f"malformed CSV ({error})")
        return []
