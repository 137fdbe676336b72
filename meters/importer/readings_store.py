"""What the append path needs from the store, per engine: meter states and direct writes.

`lookup` resolves a batch of meter ids in one query, each with its newest stored reading;
`write` appends finished rows (flag already computed) straight into `readings`:
SQLite through the driver's `executemany`, PostgreSQL through `COPY` on the connection
SQLAlchemy already holds, so everything stays inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from meters.importer.readings_report import stored_text
from meters.importer.scratch import is_sqlite

# (meter_pk, is_tou, newest stored read_at as UTC text or "", its index_wh or -1)
MeterState = tuple[int, bool, str, int]
# (meter_pk, read_at as UTC text, index_wh, normal_wh, peak_wh, offpeak_wh, flag)
AppendedRow = tuple[int, str, int, int | None, int | None, int | None, str | None]

NO_READING_AT = ""  # sorts before every stored moment
NO_READING_WH = -1  # below every stored index
_COLUMNS = "meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag"


class AppendStore(Protocol):
    """The store as the append path sees it."""

    def lookup(self, meter_ids: Collection[str]) -> dict[str, MeterState]:
        """The state of each known meter among `meter_ids` (unknown ones are left out)."""

    def write(self, rows: Sequence[AppendedRow]) -> None:
        """Insert rows into `readings`; their keys are new."""

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


class _SqliteAppendStore:
    def __init__(self, driver: Any) -> None:
        self._cursor = driver.cursor()

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

    def write(self, rows: Sequence[AppendedRow]) -> None:
        self._cursor.executemany(
            f"INSERT INTO readings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            rows,
        )

    def close(self) -> None:
        self._cursor.close()


class _PostgresAppendStore:
    def __init__(self, connection: Connection, driver: Any) -> None:
        self._connection = connection
        self._driver = driver
        self._zone = connection.exec_driver_sql("SHOW timezone").scalar_one()
        connection.exec_driver_sql("SET LOCAL timezone = 'UTC'")  # the texts written are UTC

    def lookup(self, meter_ids: Collection[str]) -> dict[str, MeterState]:
        if not meter_ids:
            return {}
        with self._driver.cursor() as cursor:
            cursor.execute(
                """SELECT m.meter_id, m.id, m.kind = 'tou', r.read_at, r.index_wh
                FROM meters m LEFT JOIN LATERAL (
                    SELECT x.read_at, x.index_wh FROM readings x WHERE x.meter_pk = m.id
                    ORDER BY x.read_at DESC LIMIT 1) r ON true
                WHERE m.meter_id = ANY(%s)""",
                (list(meter_ids),),
            )
            return _states(cursor.fetchall())

    def write(self, rows: Sequence[AppendedRow]) -> None:
        with (
            self._driver.cursor() as cursor,
            cursor.copy(f"COPY readings ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self._connection.exec_driver_sql(f"SET LOCAL timezone = '{self._zone}'")
