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

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from itertools import compress, count, islice
from operator import itemgetter, lt, ne

from sqlalchemy import Connection

from meters.importer.errors import ProblemLog
from meters.importer.readings_chunk import ReadingChunk
from meters.importer.readings_report import add_below_previous, add_meter_problem
from meters.importer.readings_sql import USAGE_METER_LIST_LIMIT, UsageSpan
from meters.importer.readings_store import AppendStore, MeterState, open_append_store
from meters.importer.worker import InlineWorker, Worker

INDEX_DOWN = "index_down"
_PK = itemgetter(0)  # of a MeterState


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
        # the meter of the last row seen: its id and state, read_at and index as the state's
        self.meter_id = ""
        self.state: MeterState | None = None
        self.first_at = ""
        self.last_at = ""
        self.meter_pks: set[int] | None = set()

    def add_chunk(self, chunk: ReadingChunk) -> None:
        """Check, flag and write one chunk; raise _NotAnAppend when the file is not one."""
        if not chunk.sorted:
            raise _NotAnAppend
        meter_ids = chunk.meter_ids
        size = len(chunk)
        # where each run of one meter starts (the file is sorted: one run per meter)
        starts = [0, *compress(count(1), map(ne, islice(meter_ids, 1, None), meter_ids))]
        states = self.store.lookup({meter_ids[start] for start in starts} - {self.meter_id})
        if self.state is not None:
            states[self.meter_id] = self.state
        flags: list[str | None] = [None] * size
        for start, end in zip(starts, [*starts[1:], size], strict=True):
            self._check_run(chunk, start, end, states, flags)
        self._flag_drops_inside_runs(chunk, flags)
        self.meter_id = meter_ids[-1]
        state = states.get(self.meter_id)
        self.state = None
        if state is not None:
            self.state = (state[0], state[1], chunk.read_ats[-1], chunk.index_whs[-1])
        if self.writing:
            pks = list(map(_PK, map(states.__getitem__, meter_ids)))
            self.store.write(chunk, pks, flags)
            self.inserted += size
            self.written_through = chunk.lines[-1]

    def _check_run(
        self,
        chunk: ReadingChunk,
        start: int,
        end: int,
        states: dict[str, MeterState],
        flags: list[str | None],
    ) -> None:
        """Check the rows of one meter against its state; flag the first one if it drops."""
        meter_id = chunk.meter_ids[start]
        state = states.get(meter_id)
        if state is None:
            for line in chunk.lines[start:end]:
                add_meter_problem(self.meter_problems, line, meter_id, is_tou=False)
            self.writing = False
            return
        meter_pk, is_tou, previous_at, previous_wh = state
        registers = chunk.normal_whs[start:end]
        if registers.count(None) != (0 if is_tou else end - start):
            for line, normal_wh in zip(chunk.lines[start:end], registers, strict=True):
                if (normal_wh is None) == is_tou:
                    add_meter_problem(self.meter_problems, line, None, is_tou=is_tou)
            self.writing = False
        first_at = chunk.read_ats[start]
        if first_at <= previous_at and self.writing:
            raise _NotAnAppend
        if previous_wh > chunk.index_whs[start]:
            flags[start] = INDEX_DOWN
            add_below_previous(
                self.warnings,
                chunk.lines[start],
                chunk.index_whs[start],
                previous_wh,
                previous_at,
                zone=self.zone,
            )
        if meter_id != self.meter_id:
            self._account_run(meter_pk, first_at)
        self.last_at = max(self.last_at, chunk.read_ats[end - 1])

    def _flag_drops_inside_runs(self, chunk: ReadingChunk, flags: list[str | None]) -> None:
        """Flag the rows whose index is below the row before, of the same meter."""
        index_whs, meter_ids = chunk.index_whs, chunk.meter_ids
        below = map(lt, islice(index_whs, 1, None), index_whs)
        for row in compress(count(1), below):
            if meter_ids[row] == meter_ids[row - 1]:
                flags[row] = INDEX_DOWN
                add_below_previous(
                    self.warnings,
                    chunk.lines[row],
                    index_whs[row],
                    index_whs[row - 1],
                    chunk.read_ats[row - 1],
                    zone=self.zone,
                )

    def _account_run(self, meter_pk: int, first_at: str) -> None:
        """Count a new meter in the usage span."""
        if not self.first_at or first_at < self.first_at:
            self.first_at = first_at
        if self.meter_pks is not None:
            self.meter_pks.add(meter_pk)
            if len(self.meter_pks) > USAGE_METER_LIST_LIMIT:
                self.meter_pks = None

    def span(self) -> UsageSpan | None:
        """The span of the rows written, for the usage refresh."""
        if not self.inserted:
            return None
        pks = None if self.meter_pks is None else sorted(self.meter_pks)
        return UsageSpan(self.first_at, self.last_at, pks)


def append_readings(
    connection: Connection,
    chunks: Iterator[ReadingChunk],
    problems: ProblemLog,
    zone: tzinfo,
) -> AppendOutcome:
    """Import the validated rows as an append, or find that the file is not one.

    `problems` is the log the rows' validation writes to: once it holds a problem the file
    is rejected whatever else is true, so the rest is only validated (read to the end).
    """
    store = open_append_store(connection)
    appender = _Appender(store, problems, zone)
    complete = True
    try:
        worker = Worker if store.overlaps_python else InlineWorker
        with worker(appender.add_chunk) as writer:
            for chunk in chunks:
                if problems or not writer.put(chunk):
                    break
    except _NotAnAppend:
        complete = bool(problems)
    finally:
        store.close()
    if complete:
        for _ in chunks:  # validate the rest of a bad file; nothing more is yielded
            pass
    return AppendOutcome(
        complete=complete,
        written_through=appender.written_through,
        inserted=appender.inserted,
        span=appender.span() if complete else None,
        warnings=appender.warnings,
        meter_problems=appender.meter_problems,
    )
