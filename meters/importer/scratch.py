"""Scratch tables that live for one import transaction, and fast bulk writes into them.

SQLite keeps them as ordinary tables in the database file (the engine's `temp_store=MEMORY`
would hold a temporary table in RAM, and memory must not grow with the file); PostgreSQL
uses `TEMP … ON COMMIT DROP`. Either way a rolled-back import leaves no trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class ScratchColumn:
    """A column of a scratch table, with its type on each engine."""

    name: str
    sqlite_type: str
    postgresql_type: str


@dataclass(frozen=True, slots=True)
class ScratchTable:
    """A scratch table's generated name and its columns, in row order."""

    name: str
    columns: tuple[ScratchColumn, ...]

    @property
    def column_list(self) -> str:
        """The column names, comma-separated, for SQL."""
        return ", ".join(column.name for column in self.columns)


def is_sqlite(connection: Connection) -> bool:
    """Whether the connection is to SQLite (else PostgreSQL)."""
    return connection.dialect.name == "sqlite"


def create_scratch(
    connection: Connection, prefix: str, columns: Sequence[ScratchColumn]
) -> ScratchTable:
    """Create an empty scratch table inside the open transaction."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    if is_sqlite(connection):
        body = ", ".join(f"{column.name} {column.sqlite_type}" for column in columns)
        connection.exec_driver_sql(f"CREATE TABLE {name} ({body})")
    else:
        body = ", ".join(f"{column.name} {column.postgresql_type}" for column in columns)
        connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({body}) ON COMMIT DROP")
    return ScratchTable(name, tuple(columns))


def drop_scratch(connection: Connection, table: ScratchTable) -> None:
    """Drop a scratch table before the transaction commits."""
    if is_sqlite(connection):
        # SQLite's DROP of a big table created in the same transaction holds every freed
        # page in memory (150 MiB per 3 M staged readings); emptying it first does not.
        connection.exec_driver_sql(f"DELETE FROM {table.name}")  # noqa: S608
    connection.exec_driver_sql(f"DROP TABLE {table.name}")


def write_rows(connection: Connection, table: ScratchTable, rows: Iterable[Sequence[Any]]) -> None:
    """Append rows (tuples in column order) with the engine's fastest path.

    SQLite: the driver's `executemany` in chunks; PostgreSQL: `COPY … FROM STDIN` through
    the connection SQLAlchemy already holds, so it stays inside the same transaction.
    """
    driver = connection.connection.driver_connection
    if driver is None:  # pragma: no cover - a live Connection always has one
        raise RuntimeError("the connection is closed")
    if is_sqlite(connection):
        marks = ", ".join("?" for _ in table.columns)
        statement = f"INSERT INTO {table.name} ({table.column_list}) VALUES ({marks})"  # noqa: S608
        cursor = driver.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()
        return
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({table.column_list}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    connection.exec_driver_sql(f"ANALYZE {table.name}")
