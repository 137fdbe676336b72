"""Reading an import file as a stream of rows with line numbers, header checked.

Rows come in batches, by column. The common file is read a block at a time: a block of
whole lines that is valid UTF-8 and holds no quote, NUL or lone carriage return is split
with string methods (exactly what the csv module would make of it, at a fraction of the
cost). From the first block that is not that plain, the rest of the file is read line by
line with the csv module, each line decoded on its own so that a bad byte is reported with
its exact line.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from meters.importer.errors import ImportRejected, ProblemLog

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

ProgressCallback = Callable[[int], None]

MAX_LINE_BYTES = 1 << 20
PROGRESS_STEP_BYTES = 1 << 20
BLOCK_BYTES = 1 << 16  # plain blocks; their lines stay below csv's field size limit
BATCH_ROWS = 8192  # rows per batch (at least, when the blocks are plain)


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


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive data rows: the line each starts on, and the values by column
    (`Columns.names` order; an absent optional column is all empty values)."""

    lines: Sequence[int]
    columns: tuple[Sequence[str], ...]

    def __len__(self) -> int:
        return len(self.lines)

    def rows(self) -> Iterator[Row]:
        """The rows one by one."""
        return zip(self.lines, zip(*self.columns, strict=True), strict=True)


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


class _Rejoined:
    """Lines from some bytes already read, then from the rest of the stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = io.BytesIO(head)
        self._stream = stream

    def readline(self, limit: int) -> bytes:
        line = self._head.readline(limit)
        if line.endswith(b"\n") or len(line) == limit:
            return line
        return line + self._stream.readline(limit - len(line))


class _Lines:
    """The file's physical lines: in plain blocks while they last, then one by one."""

    def __init__(self, stream: BinaryIO, problems: ProblemLog, counter: _Counter) -> None:
        self.number = 0  # lines read so far
        self.plain = True  # False from the first block that needs the careful reader
        self._stream = stream
        self._readline: Callable[[int], bytes] = stream.readline
        self._problems = problems
        self._counter = counter

    def plain_block(self) -> list[str] | None:
        """The next block's lines without their line ends; [] at the end of the file;
        None when the block is not plain (its lines then come from `one_by_one`)."""
        block = self._stream.read(BLOCK_BYTES)
        if not block:
            return []
        tail = b"" if block.endswith(b"\n") else self._stream.readline(BLOCK_BYTES)
        block += tail
        text = _plain_text(block) if len(tail) < BLOCK_BYTES else None
        if text is None:
            self.plain = False
            self._readline = _Rejoined(block, self._stream).readline
            return None
        lines = text.split("\n")
        if not lines[-1]:
            lines.pop()
        self.number += len(lines)
        self._counter.advance(len(block))
        return lines

    def one_by_one(self) -> Iterator[str]:
        """The next lines as text, each decoded on its own; bad UTF-8 and huge lines are
        reported, not fatal."""
        problems = self._problems
        counter = self._counter
        pending = 0  # bytes not yet handed to the counter (one call per ~MiB, not per line)
        while raw := self._readline(MAX_LINE_BYTES):
            self.number += 1
            number = self.number
            pending += len(raw)
            if pending >= PROGRESS_STEP_BYTES:
                counter.advance(pending)
                pending = 0
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                problems.add(number, "row", f"line is longer than {MAX_LINE_BYTES} bytes")
                while (rest := self._readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
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


def _plain_text(block: bytes) -> str | None:
    """The block as text, \\r\\n made \\n, when the csv module would only split it at commas."""
    try:
        text = block.decode()
    except UnicodeDecodeError:
        return None
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    return text


def _column_picker(header: list[str], columns: Columns, problems: ProblemLog) -> tuple[int, ...]:
    """Where each of `columns.names` is in a row (the row's width: absent); header problems
    are fatal."""
    names = [name.strip() for name in header]
    known = set(columns.names)
    for name in names:
        if not name:
            problems.add(1, "header", "a column has no name")
        elif name not in known:
            allowed = ", ".join(columns.names)
            problems.add(1, "header", f"unknown column {name!r} (allowed: {allowed})")
    counted = Counter(names)
    for name in sorted(name for name, count in counted.items() if name and count > 1):
        problems.add(1, "header", f"column {name!r} appears more than once")
    for name in columns.required:
        if name not in counted:
            problems.add(1, "header", f"required column {name!r} is missing")
    if problems:
        raise ImportRejected(problems.lines())
    position = {name: index for index, name in reversed(list(enumerate(names)))}
    return tuple(position.get(name, len(names)) for name in columns.names)


class _BatchBuilder:
    """Rows checked one at a time (width, blank lines), gathered into a batch."""

    def __init__(self, positions: tuple[int, ...], width: int, problems: ProblemLog) -> None:
        self.positions = positions
        self.width = width
        self.problems = problems
        self.lines: list[int] = []
        self.values: list[tuple[str, ...]] = []

    def add(self, line: int, record: list[str]) -> None:
        if not record or (len(record) == 1 and not record[0].strip()):
            return
        if len(record) != self.width:
            self.problems.add(
                line, "row", f"has {len(record)} values, the header has {self.width} columns"
            )
            return
        record.append("")  # what absent optional columns read
        self.lines.append(line)
        self.values.append(tuple(record[position] for position in self.positions))

    def take(self) -> Batch | None:
        """The rows gathered so far (None if none), and a fresh start."""
        if not self.lines:
            return None
        batch = Batch(self.lines, tuple(zip(*self.values, strict=True)))
        self.lines, self.values = [], []
        return batch


def _plain_batch(lines: list[str], first_line: int, builder: _BatchBuilder) -> Batch | None:
    """The rows of plain lines (one record per line): by whole columns when every line has
    the header's width, else line by line."""
    width, positions = builder.width, builder.positions
    if all(map((width - 1).__eq__, map(str.count, lines, repeat(",")))):
        flat = ",".join(lines).split(",")
        by_position = [flat[position::width] for position in range(width)]
        by_position.append([""] * len(lines))
        return Batch(
            range(first_line, first_line + len(lines)),
            tuple(by_position[position] for position in positions),
        )
    for offset, text in enumerate(lines):
        builder.add(first_line + offset, text.split(","))
    return builder.take()


def read_batches(
    path: Path,
    columns: Columns,
    problems: ProblemLog,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Batch]:
    """Stream the data rows of a CSV file in batches; bad lines go to `problems`, a bad
    header raises."""
    counter = _Counter(on_progress)
    with path.open("rb") as stream:
        lines = _Lines(stream, problems, counter)
        reader = csv.reader(lines.one_by_one(), strict=True)
        header = _next_record(reader, problems)
        if header is None or not any(cell.strip() for cell in header):
            problems.add(1, "header", "the file is empty (expected a header row)")
            raise ImportRejected(problems.lines())
        if problems:
            raise ImportRejected(problems.lines())
        builder = _BatchBuilder(_column_picker(header, columns, problems), len(header), problems)
        pending: list[str] = []
        first_line = lines.number + 1
        while lines.plain:
            block = lines.plain_block()
            if block:
                pending.extend(block)
            if pending and (len(pending) >= BATCH_ROWS or not block):
                batch = _plain_batch(pending, first_line, builder)
                first_line += len(pending)
                pending = []
                if batch:
                    yield batch
            if block == []:
                break
        yield from _careful_batches(reader, lines, builder)
    counter.finish()


def _careful_batches(reader: CsvReader, lines: _Lines, builder: _BatchBuilder) -> Iterator[Batch]:
    """The rest of the file through the csv module, line by line."""
    # the reader counts only the lines it read itself; the plain blocks came in between
    offset = lines.number - reader.line_num
    previous_end = reader.line_num
    while True:
        record = _next_record(reader, builder.problems, offset)
        if record is None:
            break
        line, previous_end = previous_end + 1, reader.line_num
        builder.add(line + offset, record)
        if len(builder.lines) >= BATCH_ROWS:
            batch = builder.take()
            if batch:
                yield batch
    batch = builder.take()
    if batch:
        yield batch


def read_rows(
    path: Path,
    columns: Columns,
    problems: ProblemLog,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Row]:
    """Stream the data rows of a CSV file; bad lines go to `problems`, a bad header raises."""
    for batch in read_batches(path, columns, problems, on_progress):
        yield from batch.rows()


def _next_record(reader: CsvReader, problems: ProblemLog, offset: int = 0) -> list[str] | None:
    """The next CSV record, an empty one after a malformed line, None at the end.

    `offset`: lines of the file the reader did not read itself (before its current line)."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        problems.add(reader.line_num + offset, "row", f"malformed CSV ({error})")
        return []
