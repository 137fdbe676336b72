"""readings.csv: validated in Python as it streams, staged in bulk, merged with set-based SQL.

The row loop is the hot path (millions of rows): it avoids per-row objects and caches the
conversion of each distinct time text. Rows go to a scratch table through the engine's fast
path (SQLite executemany with the meter looked up in the same statement; PostgreSQL COPY);
`readings_sql` then checks, counts, merges and flags them in a few statements.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path

from sqlalchemy import Connection

from meters.importer import readings_append, readings_sql
from meters.importer.context import ImportContext
from meters.importer.csvstream import Columns, ProgressCallback, Row, read_batches
from meters.importer.errors import FieldError, ImportRejected, ProblemLog
from meters.importer.fields import parse_energy_wh, parse_key, parse_moment
from meters.importer.readings_chunk import (
    Key,
    ReadingChunk,
    StagedRow,
    check_chunk,
    chunk_of_rows,
)
from meters.importer.summary import Counts, ImportSummary

COLUMNS = Columns(
    required=("meter_id", "read_at", "index_kwh"),
    optional=("index_normal", "index_peak", "index_offpeak"),
)
REGISTERS = ("index_normal", "index_peak", "index_offpeak")
MOMENT_CACHE_SIZE = 4096
NO_REGISTERS: tuple[int | None, int | None, int | None] = (None, None, None)


class _MomentCache:
    """Time texts converted to the stored UTC text, remembered (daily files repeat them)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self.known: dict[str, str] = {}  # read as a dict in the hot loop

    def utc_text(self, text: str) -> str:
        known = self.known.get(text)
        if known is not None:
            return known
        # exactly what SQLAlchemy's SQLite DateTime writes (UtcDateTime stores naive UTC):
        # 'YYYY-MM-DD HH:MM:SS.ffffff'
        stored = parse_moment(text, self._zone).isoformat(" ", "microseconds")[:26]
        if len(self.known) >= MOMENT_CACHE_SIZE:
            self.known.clear()
        self.known[text] = stored
        return stored


class _Stream:
    """Validates rows as they stream and yields the good ones until the first bad one."""

    def __init__(self, path: Path, context: ImportContext, problems: ProblemLog) -> None:
        self.path = path
        self.problems = problems
        self.moments = _MomentCache(context.zone)
        self.rows = 0
        # strictly increasing (meter_id, read_at) proves the file has no repeated key
        self.sorted = True

    def staged_rows(
        self, on_progress: ProgressCallback | None
    ) -> Generator[StagedRow, None, None]:
        """The good rows one by one (see `staged_chunks`)."""
        for chunk in self.staged_chunks(on_progress):
            yield from chunk.rows()

    def staged_chunks(
        self, on_progress: ProgressCallback | None
    ) -> Generator[ReadingChunk, None, None]:
        """The good rows in file order, a batch of the file at a time, until the first bad row.

        Once a row is bad nothing more is yielded (not even the rest of its chunk), but
        every row is still validated, so that all the problems of the file are logged.
        """
        problems = self.problems
        utc_text = self.moments.utc_text
        last_key: Key = ("", "")
        for batch in read_batches(self.path, COLUMNS, problems, on_progress):
            self.rows += len(batch)
            chunk = check_chunk(batch.lines, batch.columns, utc_text, last_key)
            if chunk is None:
                good = self._checked_rows(batch.rows())
                chunk = chunk_of_rows(good, last_key) if good else None
            if chunk is None or problems:
                continue  # once the file is known bad, only validation continues
            self.sorted = self.sorted and chunk.sorted
            last_key = chunk.last_key
            yield chunk

    def _checked_rows(self, batch: Iterable[Row]) -> list[StagedRow]:
        """The good rows of a batch, checked one by one; problems are logged."""
        problems = self.problems
        utc_text = self.moments.utc_text
        good: list[StagedRow] = []
        for line, values in batch:
            meter_text, read_at_text, index_text, normal_text, peak_text, offpeak_text = values
            bad = False
            try:
                meter_id = parse_key(meter_text)
            except FieldError as error:
                problems.add(line, "meter_id", str(error))
                meter_id, bad = "", True
            try:
                read_at = utc_text(read_at_text)
            except FieldError as error:
                problems.add(line, "read_at", str(error))
                read_at, bad = "", True
            try:
                index_wh = parse_energy_wh(index_text)
            except FieldError as error:
                problems.add(line, "index_kwh", str(error))
                index_wh, bad = 0, True
            registers: tuple[int | None, int | None, int | None] | None = NO_REGISTERS
            if normal_text or peak_text or offpeak_text:
                registers = self._registers(line, (normal_text, peak_text, offpeak_text))
            if not bad and registers is not None:
                good.append((line, meter_id, read_at, index_wh, *registers))
        return good

    def _registers(self, line: int, texts: tuple[str, str, str]) -> tuple[int, int, int] | None:
        """The three time-of-use registers in Wh, or None (logged) when any is missing or bad."""
        try:  # the common case: three good registers
            return parse_energy_wh(texts[0]), parse_energy_wh(texts[1]), parse_energy_wh(texts[2])
        except FieldError:
            pass
        for column, text in zip(REGISTERS, texts, strict=True):
            try:
                parse_energy_wh(text)
            except FieldError as error:
                message = str(error)
                if message == "is required":
                    message = "is required when any time-of-use register is given"
                self.problems.add(line, column, message)
        return None


def import_readings(
    connection: Connection,
    path: Path,
    context: ImportContext,
    problems: ProblemLog,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import readings.csv inside the open transaction; raise ImportRejected on bad rows.

    The append path is tried first; a file that is not an append goes through the general
    staged path, which undoes what the append path wrote before it merges.
    """
    with _cyclic_gc_paused():
        return _import(connection, path, context, problems, on_progress)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the row loop makes no cycles, and the collector
    would otherwise scan the chunks in hand over and over (a third of the Python time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(
    connection: Connection,
    path: Path,
    context: ImportContext,
    problems: ProblemLog,
    on_progress: ProgressCallback | None,
) -> ImportSummary:
    stream = _Stream(path, context, problems)
    chunks = stream.staged_chunks(on_progress)
    appended = readings_append.append_readings(connection, chunks, problems, context.zone)
    if not appended.complete:
        chunks.close()
        return _import_staged(
            connection, path, context, problems, on_progress=on_progress, appended=appended
        )
    _reject_if_bad(stream, problems)
    if appended.meter_problems:
        raise ImportRejected(appended.meter_problems.lines())
    readings_sql.refresh_usage(connection, appended.span, context.zone)
    return ImportSummary(
        "readings",
        stream.rows,
        Counts(inserted=appended.inserted),
        flagged=appended.warnings.count,
        warnings=appended.warnings.lines(suffix=" (flagged)"),
    )


def _reject_if_bad(stream: _Stream, problems: ProblemLog) -> None:
    if stream.rows == 0 and not problems:
        problems.add(2, "row", "no data rows after the header")
    if problems:
        raise ImportRejected(problems.lines())


def _import_staged(
    connection: Connection,
    path: Path,
    context: ImportContext,
    problems: ProblemLog,
    *,
    on_progress: ProgressCallback | None,
    appended: readings_append.AppendOutcome,
) -> ImportSummary:
    """The general path: stage every row, check, merge and flag with set-based SQL."""
    stream = _Stream(path, context, problems)
    stage = readings_sql.stage_readings(connection, stream.staged_rows(on_progress))
    _reject_if_bad(stream, problems)
    readings_sql.check_meters(connection, stage, problems)
    if not stream.sorted:
        readings_sql.check_repeats(connection, stage, problems)
    if problems:
        raise ImportRejected(problems.lines())
    if appended.written_through:
        readings_sql.remove_appended(connection, stage, appended.written_through)
    counts = readings_sql.merge(connection, stage, stream.rows)
    warnings = ProblemLog(str(path))
    readings_sql.flag_index_down(connection, stage, warnings, context.zone)
    readings_sql.refresh_usage(
        connection, readings_sql.staged_span(connection, stage), context.zone
    )
    readings_sql.drop(connection, stage)
    return ImportSummary(
        "readings",
        stream.rows,
        counts,
        flagged=warnings.count,
        warnings=warnings.lines(suffix=" (flagged)"),
    )
