"""readings.csv: validated in Python as it streams, staged in bulk, merged with set-based SQL.

The row loop is the hot path (millions of rows): it avoids per-row objects and caches the
conversion of each distinct time text. Rows go to a scratch table through the engine's fast
path (SQLite executemany with the meter looked up in the same statement; PostgreSQL COPY);
`readings_sql` then checks, counts, merges and flags them in a few statements.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import tzinfo
from pathlib import Path

from sqlalchemy import Connection

from meters.importer import readings_append, readings_sql
from meters.importer.context import ImportContext
from meters.importer.csvstream import Columns, ProgressCallback, read_rows
from meters.importer.errors import FieldError, ImportRejected, ProblemLog
from meters.importer.fields import parse_energy_wh, parse_key, parse_moment
from meters.importer.summary import Counts, ImportSummary

COLUMNS = Columns(
    required=("meter_id", "read_at", "index_kwh"),
    optional=("index_normal", "index_peak", "index_offpeak"),
)
REGISTERS = ("index_normal", "index_peak", "index_offpeak")
MOMENT_CACHE_SIZE = 4096

# (line, meter_id, read_at as UTC text, index_wh, normal_wh, peak_wh, offpeak_wh)
StagedRow = tuple[int, str, str, int, int | None, int | None, int | None]


class _MomentCache:
    """Time texts converted to the stored UTC text, remembered (daily files repeat them)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._known: dict[str, str] = {}

    def utc_text(self, text: str) -> str:
        known = self._known.get(text)
        if known is not None:
            return known
        # exactly what SQLAlchemy's SQLite DateTime writes (UtcDateTime stores naive UTC):
        # 'YYYY-MM-DD HH:MM:SS.ffffff'
        stored = parse_moment(text, self._zone).isoformat(" ", "microseconds")[:26]
        if len(self._known) >= MOMENT_CACHE_SIZE:
            self._known.clear()
        self._known[text] = stored
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
        problems = self.problems
        utc_text = self.moments.utc_text
        last_key = ("", "")
        for line, values in read_rows(self.path, COLUMNS, problems, on_progress):
            self.rows += 1
            meter_text, read_at_text, index_text, normal_text, peak_text, offpeak_text = values
            bad = False
            try:
                meter_id = parse_key(meter_text)
            except FieldError as error:
                problems.add(line, "meter_id", str(error))
                bad = True
            try:
                read_at = utc_text(read_at_text)
            except FieldError as error:
                problems.add(line, "read_at", str(error))
                bad = True
            try:
                index_wh = parse_energy_wh(index_text)
            except FieldError as error:
                problems.add(line, "index_kwh", str(error))
                bad = True
            registers: tuple[int | None, int | None, int | None] | None
            if not (normal_text or peak_text or offpeak_text):
                registers = (None, None, None)
            else:
                try:  # the common case: three good registers
                    registers = (
                        parse_energy_wh(normal_text),
                        parse_energy_wh(peak_text),
                        parse_energy_wh(offpeak_text),
                    )
                except FieldError:
                    registers = self._registers(line, (normal_text, peak_text, offpeak_text))
                    bad = True
            if bad or problems or registers is None:
                continue  # once the file is known bad, only validation continues
            key = (meter_id, read_at)
            if key <= last_key:
                self.sorted = False
            last_key = key
            yield (line, meter_id, read_at, index_wh, *registers)

    def _registers(self, line: int, texts: tuple[str, str, str]) -> tuple[int, int, int] | None:
        """The three time-of-use registers in Wh, or None when any is missing or bad."""
        parsed: list[int] = []
        for column, text in zip(REGISTERS, texts, strict=True):
            try:
                parsed.append(parse_energy_wh(text))
            except FieldError as error:
                message = str(error)
                if message == "is required":
                    message = "is required when any time-of-use register is given"
                self.problems.add(line, column, message)
        if len(parsed) != len(REGISTERS):
            return None
        return parsed[0], parsed[1], parsed[2]


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
    stream = _Stream(path, context, problems)
    rows = stream.staged_rows(on_progress)
    appended = readings_append.append_readings(connection, rows, problems, context.zone)
    if not appended.complete:
        rows.close()
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
