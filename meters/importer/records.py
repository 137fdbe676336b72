"""The import loop of the smaller kinds: parse, then merge in batches keyed by their ids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Connection

from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns, ProgressCallback, read_rows
from meters.importer.errors import ImportRejected, ProblemLog
from meters.importer.scratch import (
    ScratchColumn,
    ScratchTable,
    create_scratch,
    drop_scratch,
    write_rows,
)
from meters.importer.summary import Counts, ImportSummary

R = TypeVar("R")

BATCH_ROWS = 500

# (column, value) pairs that must be unique within one file
Keys = tuple[tuple[str, str], ...]

_LEDGER_COLUMNS = (
    ScratchColumn("line", "INTEGER", "integer"),
    ScratchColumn("key_column", "TEXT", "text"),
    ScratchColumn("key_value", "TEXT", "text"),
)


class RecordKind(Protocol[R]):
    """One kind of file: its columns, how a row becomes a record, how records are merged."""

    name: str
    columns: Columns

    def parse(self, fields: Fields, context: ImportContext) -> R:
        """The record of one row (checked by the caller for `fields.failed`)."""

    def keys(self, record: R) -> Keys:
        """The values that must not repeat within the file."""

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, R]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert or update a batch of records (with their line numbers); count what changed."""


def import_records(
    connection: Connection,
    kind: RecordKind[R],
    path: Path,
    *,
    context: ImportContext,
    problems: ProblemLog,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import a file of `kind` inside the open transaction; raise ImportRejected on bad rows."""
    ledger = create_scratch(connection, "import_keys", _LEDGER_COLUMNS)
    positions = {name: index for index, name in enumerate(kind.columns.names)}
    counts = Counts()
    rows = 0
    batch: list[tuple[int, R]] = []
    batch_keys: set[tuple[str, str]] = set()
    ledger_rows: list[tuple[int, str, str]] = []
    for line, values in read_rows(path, kind.columns, problems, on_progress):
        rows += 1
        fields = Fields(line, values, positions, problems)
        record = kind.parse(fields, context)
        if fields.failed:
            continue
        keys = kind.keys(record)
        ledger_rows.extend((line, column, value) for column, value in keys)
        if batch_keys.isdisjoint(keys):  # a repeat inside the batch is reported from the ledger
            batch_keys.update(keys)
            batch.append((line, record))
        if len(batch) >= BATCH_ROWS or len(ledger_rows) >= 4 * BATCH_ROWS:
            counts += _flush(
                connection,
                kind,
                batch=batch,
                ledger=ledger,
                ledger_rows=ledger_rows,
                context=context,
                problems=problems,
            )
            batch_keys.clear()
    counts += _flush(
        connection,
        kind,
        batch=batch,
        ledger=ledger,
        ledger_rows=ledger_rows,
        context=context,
        problems=problems,
    )
    if rows == 0 and not problems:
        problems.add(2, "row", "no data rows after the header")
    _report_repeats(connection, ledger, problems)
    drop_scratch(connection, ledger)
    if problems:
        raise ImportRejected(problems.lines())
    return ImportSummary(kind.name, rows, counts)


def _flush(
    connection: Connection,
    kind: RecordKind[R],
    *,
    batch: list[tuple[int, R]],
    ledger: ScratchTable,
    ledger_rows: list[tuple[int, str, str]],
    context: ImportContext,
    problems: ProblemLog,
) -> Counts:
    """Write the pending keys and merge the pending records; both lists are emptied."""
    if ledger_rows:
        write_rows(connection, ledger, ledger_rows)
        ledger_rows.clear()
    if not batch:
        return Counts()
    counts = kind.apply(connection, batch, context, problems)
    batch.clear()
    return counts


def _report_repeats(connection: Connection, ledger: ScratchTable, problems: ProblemLog) -> None:
    """Log every row whose key already appeared on an earlier line."""
    statement = f"""
        SELECT k.line, k.key_column, k.key_value, f.first_line
        FROM {ledger.name} k
        JOIN (
            SELECT key_column, key_value, MIN(line) AS first_line
            FROM {ledger.name}
            GROUP BY key_column, key_value
            HAVING COUNT(*) > 1
        ) f ON f.key_column = k.key_column AND f.key_value = k.key_value
        WHERE k.line > f.first_line
        ORDER BY k.line
    """  # noqa: S608 - the table name is generated, not input
    for line, column, value, first_line in connection.exec_driver_sql(statement):
        problems.add(line, column, f"{value} appears again (first on line {first_line})")
