"""The append fast path of the readings import: flags computed while streaming, rows
written straight into `readings`.

The common file is an append: sorted by meter then time, and every reading newer than its
meter's newest stored one. That is proven as the file streams, with one lookup per meter
(batched per chunk of rows): then no stored reading can change, a reading's predecessor is
the row before it (or the meter's newest stored reading), and the "index went down" flag
is known before the row is written. No staging table, merge or flag pass is needed.

As soon as the file proves not to be an append (a meter already has a reading at or after
its first row, or the rows are not strictly sorted), the path stops and says so; the caller
then runs the general staged path, which first deletes what was written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from itertools import islice

from sqlalchemy import Connection

from meters.importer.errors import ProblemLog
from meters.importer.readings_report import add_below_previous, add_meter_problem
from meters.importer.readings_sql import USAGE_METER_LIST_LIMIT, StagedRow, UsageSpan
from meters.importer.readings_store import (
    NO_READING_AT,
    NO_READING_WH,
    AppendedRow,
    AppendStore,
    open_append_store,
)

CHUNK_ROWS = 8192
INDEX_DOWN = "index_down"


@dataclass(frozen=True, slots=True)
class AppendOutcome:
    """What the append path did.

    complete: every row was seen (written, or the file was found bad); when False the file
    is not an append and the general path must import it, after deleting the rows staged
    up to `written_through` (the last line written here; 0 when none was).
    """

    complete: bool
    written_through: int
    inserted: int
    span: UsageSpan | None
    warnings: ProblemLog
    meter_problems: ProblemLog


class _NotAnAppend(Exception):
    """The file is not an append (or not strictly sorted): the general path takes over."""


class _Appender:
    """The state carried across chunks: the meter in progress and what was written."""

    def __init__(self, store: AppendStore, problems: ProblemLog, zone: tzinfo) -> None:
        self.store = store
        self.problems = problems
        self.zone = zone
        self.warnings = ProblemLog(problems.file_name, problems.limit)
        self.meter_problems = ProblemLog(problems.file_name, problems.limit)
        self.written_through = 0
        self.inserted = 0
        self.writing = True  # False once a meter problem is found: only checking goes on
        # the meter in progress: id, pk (None if unknown), kind, the row before in time
        self.meter_id = ""
        self.meter_pk: int | None = None
        self.is_tou = False
        self.previous_at = NO_READING_AT
        self.previous_wh = NO_READING_WH
        self.first_at = ""
        self.last_at = ""
        self.meter_pks: set[int] | None = set()

    def add_chunk(self, chunk: list[StagedRow]) -> None:
        """Check, flag and write one chunk of rows; raise _NotAnAppend when it is not."""
        states = self.store.lookup({row[1] for row in chunk} - {self.meter_id})
        written: list[AppendedRow] = []
        append = written.append
        warnings = self.warnings
        meter_id = self.meter_id
        meter_pk = self.meter_pk
        is_tou = self.is_tou
        previous_at = self.previous_at
        previous_wh = self.previous_wh
        for line, row_meter, read_at, index_wh, normal_wh, peak_wh, offpeak_wh in chunk:
            if row_meter != meter_id:
                if row_meter < meter_id:
                    raise _NotAnAppend
                self._end_run(meter_pk, previous_at)
                meter_id = row_meter
                state = states.get(meter_id)
                if state is None:
                    meter_pk, is_tou = None, False
                    previous_at, previous_wh = NO_READING_AT, NO_READING_WH
                else:
                    meter_pk, is_tou, previous_at, previous_wh = state
                    if read_at <= previous_at and self.writing:
                        raise _NotAnAppend
                    if not self.first_at or read_at < self.first_at:
                        self.first_at = read_at
            elif read_at <= previous_at:
                raise _NotAnAppend
            if meter_pk is None or (normal_wh is None) == is_tou:
                unknown = meter_id if meter_pk is None else None
                add_meter_problem(self.meter_problems, line, unknown, is_tou)
                self.writing = False
            elif self.writing:
                flag = None
                if previous_wh > index_wh:
                    flag = INDEX_DOWN
                    add_below_previous(
                        warnings, line, index_wh, previous_wh, previous_at, zone=self.zone
                    )
                append((meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag))
            previous_at, previous_wh = read_at, index_wh
        self.meter_id, self.meter_pk, self.is_tou = meter_id, meter_pk, is_tou
        self.previous_at, self.previous_wh = previous_at, previous_wh
        if self.writing and written:
            self.store.write(written)
            self.inserted += len(written)
            self.written_through = chunk[-1][0]

    def _end_run(self, meter_pk: int | None, last_at: str) -> None:
        """Account for the finished run of one meter in the usage span."""
        if meter_pk is None:
            return
        self.last_at = max(self.last_at, last_at)
        if self.meter_pks is not None:
            self.meter_pks.add(meter_pk)
            if len(self.meter_pks) > USAGE_METER_LIST_LIMIT:
                self.meter_pks = None

    def span(self) -> UsageSpan | None:
        """The span of the rows written, for the usage refresh."""
        self._end_run(self.meter_pk, self.previous_at)
        if not self.inserted:
            return None
        pks = None if self.meter_pks is None else sorted(self.meter_pks)
        return UsageSpan(self.first_at, self.last_at, pks)


def _chunks(rows: Iterable[StagedRow]) -> Iterator[list[StagedRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk


def append_readings(
    connection: Connection, rows: Iterator[StagedRow], problems: ProblemLog, zone: tzinfo
) -> AppendOutcome:
    """Import the validated rows as an append, or find that the file is not one.

    `problems` is the log the rows' validation writes to: once it holds a problem the file
    is rejected whatever else is true, so the rest is only validated (read to the end).
    """
    store = open_append_store(connection)
    appender = _Appender(store, problems, zone)
    complete = True
    try:
        for chunk in _chunks(rows):
            if problems:
                break
            appender.add_chunk(chunk)
    except _NotAnAppend:
        complete = bool(problems)
    finally:
        store.close()
    if complete:
        for _ in rows:  # validate the rest of a bad file; nothing more is yielded
            pass
    return AppendOutcome(
        complete=complete,
        written_through=appender.written_through,
        inserted=appender.inserted,
        span=appender.span() if complete else None,
        warnings=appender.warnings,
        meter_problems=appender.meter_problems,
    )
