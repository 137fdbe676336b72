"""What the append path needs from the store, per engine: meter states and direct writes.

`lookup` resolves a batch of meter ids in one query, each with its newest stored reading;
`write` appends a checked chunk (flags already computed) straight into `readings`:
SQLite through the driver's `executemany` of a multi-row INSERT (a quarter less work per
row than one row per statement), PostgreSQL through a binary `COPY` on the connection
SQLAlchemy already holds, so everything stays inside the import's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from itertools import chain, repeat
from typing import Any, Protocol

from psycopg.pq import TransactionStatus
from sqlalchemy import Connection

from meters.importer.copy_binary import HEADER, TRAILER, MomentMicros, rows_data
from meters.importer.readings_chunk import ReadingChunk
from meters.importer.readings_report import stored_text
from meters.importer.scratch import is_sqlite

# (meter_pk, is_tou, newest stored read_at as UTC text or "", its index_wh or -1)
MeterState = tuple[int, bool, str, int]

NO_READING_AT = ""  # sorts before every stored moment
NO_READING_WH = -1  # below every stored index
_COLUMNS = "meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag"
_WIDTH = 7
ROWS_PER_STATEMENT = 1024  # SQLite, at most: 7168 parameters per INSERT


class AppendStore(Protocol):
    """The store as the append path sees it."""

    # whether writing mostly waits for a server (then it is worth a thread of its own)
    overlaps_python: bool

    def lookup(self, meter_ids: Collection[str]) -> dict[str, MeterState]:
        """The state of each known meter among `meter_ids` (unknown ones are left out)."""

    def write(
        self, chunk: ReadingChunk, meter_pks: Sequence[int], flags: Sequence[str | None]
    ) -> None:
        """Insert a chunk into `readings` (their keys are new), with each row's pk and flag."""

    def close(self) -> None:
        """Release what the store holds (the connection stays open)."""


def open_append_store(connection: Connection) -> AppendStore:
    """The append store of the connection's engine."""
    driver = connection.connection.driver_connection
    if driver is None:  # pragma: no cover - a live Connection always has one
        raise RuntimeError("the connection is closed")
    if is_sqlite(connection):
        return _SqliteAppendStore(driver)
    return _PostgresAppendStore(connection, driver)


def _states(found: Collection[tuple[str, int, Any, Any, Any]]) -> dict[str, MeterState]:
    return {
        meter_id: (
            pk,
            bool(is_tou),
            NO_READING_AT if newest_at is None else stored_text(newest_at),
            NO_READING_WH if newest_wh is None else newest_wh,
        )
        for meter_id, pk, is_tou, newest_at, newest_wh in found
    }


def _insert(rows: int) -> str:
    """A multi-row INSERT into readings."""
    marks = ", ".join(repeat("(?, ?, ?, ?, ?, ?, ?)", rows))
    return f"INSERT INTO readings ({_COLUMNS}) VALUES {marks}"  # noqa: S608


class _SqliteAppendStore:
    overlaps_python = False

    def __init__(self, driver: Any) -> None:
        self._cursor = driver.cursor()
        variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._rows_per_statement = max(1, min(ROWS_PER_STATEMENT, variables // _WIDTH))

    def lookup(self, meter_ids: Collection[str]) -> dict[str, MeterState]:
        if not meter_ids:
            return {}
        marks = ", ".join("?" for _ in meter_ids)
        self._cursor.execute(
            f"""SELECT m.meter_id, m.id, m.kind = 'tou', r.read_at, r.index_wh
            FROM meters m LEFT JOIN readings r
              ON r.meter_pk = m.id
             AND r.read_at = (SELECT MAX(x.read_at) FROM readings x WHERE x.meter_pk = m.id)
            WHERE m.meter_id IN ({marks})""",  # noqa: S608
            tuple(meter_ids),
        )
        return _states(self._cursor.fetchall())

    def write(
        self, chunk: ReadingChunk, meter_pks: Sequence[int], flags: Sequence[str | None]
    ) -> None:
        values = list(
            chain.from_iterable(
                zip(
                    meter_pks,
                    chunk.read_ats,
                    chunk.index_whs,
                    chunk.normal_whs,
                    chunk.peak_whs,
                    chunk.offpeak_whs,
                    flags,
                    strict=True,
                )
            )
        )
        step = self._rows_per_statement * _WIDTH
        whole = len(values) - len(values) % step
        if whole:
            self._cursor.executemany(
                _insert(self._rows_per_statement),
                (values[at : at + step] for at in range(0, whole, step)),
            )
        if whole < len(values):
            self._cursor.execute(_insert((len(values) - whole) // _WIDTH), values[whole:])

    def close(self) -> None:
        self._cursor.close()


# Whether the role may switch off the per-row foreign-key trigger of `readings`, which costs
# more than the rest of the COPY: superusers, and on PostgreSQL 15+ roles granted SET on
# session_replication_role; and only while `readings` has no trigger of its own to skip.
_MAY_SKIP_ROW_TRIGGERS = """SELECT
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
    {parameter_privilege}
    AND NOT EXISTS (SELECT 1 FROM pg_trigger
                    WHERE tgrelid = 'readings'::regclass AND NOT tgisinternal)"""


class _PostgresAppendStore:
    """COPY into `readings`. When the role may, the foreign key to `meters` is checked by the
    lookups instead of a trigger per row: they lock each meter they return (FOR KEY SHARE,
    the lock the trigger takes), and rows are written only for meters they returned."""

    overlaps_python = True

    def __init__(self, connection: Connection, driver: Any) -> None:
        self._connection = connection
        self._driver = driver
        self._micros = MomentMicros()
        self.skips_row_triggers = bool(
            connection.exec_driver_sql(
                _MAY_SKIP_ROW_TRIGGERS.format(
                    parameter_privilege="OR has_parameter_privilege("
                    "'session_replication_role', 'SET')"
                    if driver.info.server_version >= 150000
                    else ""
                )
            ).scalar_one()
        )
        if self.skips_row_triggers:
            self._role = connection.exec_driver_sql("SHOW session_replication_role").scalar_one()
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")

    def lookup(self, meter_ids: Collection[str]) -> dict[str, MeterState]:
        if not meter_ids:
            return {}
        lock = " FOR KEY SHARE OF m" if self.skips_row_triggers else ""
        with self._driver.cursor() as cursor:
            cursor.execute(
                f"""SELECT m.meter_id, m.id, m.kind = 'tou', r.read_at, r.index_wh
                FROM meters m LEFT JOIN LATERAL (
                    SELECT x.read_at, x.index_wh FROM readings x WHERE x.meter_pk = m.id
                    ORDER BY x.read_at DESC LIMIT 1) r ON true
                WHERE m.meter_id = ANY(%s){lock}""",  # noqa: S608
                (list(meter_ids),),
            )
            return _states(cursor.fetchall())

    def write(
        self, chunk: ReadingChunk, meter_pks: Sequence[int], flags: Sequence[str | None]
    ) -> None:
        rows = rows_data(
            meter_pks,
            list(map(self._micros, chunk.read_ats)),
            chunk.index_whs,
            (chunk.normal_whs, chunk.peak_whs, chunk.offpeak_whs),
            flags,
        )
        with (
            self._driver.cursor() as cursor,
            cursor.copy(f"COPY readings ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.write(b"".join((HEADER, *rows, TRAILER)))

    def close(self) -> None:
        if self._driver.info.transaction_status == TransactionStatus.INERROR:
            return  # the transaction failed: it can only be rolled back, settings and all
        if self.skips_row_triggers:
            self._connection.exec_driver_sql(f"SET LOCAL session_replication_role = {self._role}")
