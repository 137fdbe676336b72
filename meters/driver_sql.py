"""Hot statements run on the driver's cursor of the caller's transaction, not through Core.

A turn of the conversation runs a handful of small statements, and SQLAlchemy's execution
path (compiled cache lookup, execution context, result metadata, type processors) costs
about ten times the driver's own call (cProfile: 44 µs against 3 µs for a prebuilt SELECT
on SQLite). `DriverStatement` keeps the Core statement as the one definition, compiles it
once per dialect to the driver's own SQL text, and converts parameters and results by hand
exactly as the column types would (see meters.timestamps), so rows written here read back
identically through SQLAlchemy and vice versa.

`Connection.exec_driver_sql` was measured too: it skips compilation but keeps the execution
context and result objects, and saves only about two thirds of the cost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Connection, Date, Float, Integer, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement
from sqlalchemy.types import NullType, TypeEngine

from meters.timestamps import UtcDateTime, from_stored, sqlite_text, to_utc

if TYPE_CHECKING:
    from meters.postgres_wire import WireSql

Convert = Callable[[Any], Any]
Row = tuple[Any, ...]
_MARK = "__[POSTCOMPILE_{}]"


def _sqlite_date(value: date) -> str:
    """A date as SQLAlchemy's SQLite DATE stores it."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _sqlite_boolean(value: bool | int) -> int:
    """A boolean as SQLite stores it (SQLAlchemy refuses anything but bools, 0 and 1)."""
    if value not in (True, False):
        raise TypeError(f"not a boolean value: {value!r}")
    return int(value)


def _json_text(value: Any) -> str:
    """JSON as SQLAlchemy serialises it on SQLite (None is the JSON null, not SQL NULL)."""
    return json.dumps(value)


def _psycopg_json() -> Convert:
    from psycopg.types.json import Json  # only PostgreSQL needs the driver

    return Json


def _nullable(convert: Convert) -> Convert:
    def process(value: Any) -> Any:
        return None if value is None else convert(value)

    return process


def _decimal_of_scale(scale: int) -> Convert:
    """SQLite returns numerics as floats: SQLAlchemy formats them at the column's scale."""
    pattern = f"%.{scale}f"

    def process(value: Any) -> Decimal:
        return Decimal(pattern % value)

    return process


def _bind_converter(type_: TypeEngine[Any], sqlite: bool) -> Convert | None:
    """What the column type does to a parameter before the driver sees it."""
    if isinstance(type_, UtcDateTime):
        return _nullable(sqlite_text if sqlite else to_utc)
    if isinstance(type_, JSON):  # None too: it is the JSON null
        return _json_text if sqlite else _psycopg_json()
    if isinstance(type_, Date):
        return _nullable(_sqlite_date) if sqlite else None
    if isinstance(type_, Boolean):
        return _nullable(_sqlite_boolean) if sqlite else None
    if isinstance(type_, Integer | String | NullType):
        return None
    if isinstance(type_, Numeric | Float):  # SQLite stores no decimals
        return _nullable(float) if sqlite else None
    raise TypeError(f"no driver conversion for parameters of type {type_!r}")


# What each column type does to a value the driver returned, on SQLite and on PostgreSQL
# (None is never passed: it stays None, as in SQLAlchemy).
_RESULTS: tuple[tuple[Any, Convert | None, Convert | None], ...] = (
    (UtcDateTime, from_stored, from_stored),
    (JSON, json.loads, None),  # psycopg decodes json itself
    (Date, date.fromisoformat, None),
    (Boolean, bool, None),
    (Integer | String | NullType, None, None),
)


def _result_converter(type_: TypeEngine[Any], sqlite: bool) -> Convert | None:
    """What the column type does to a value the driver returned."""
    if isinstance(type_, Numeric | Float):
        if isinstance(type_, Float) != (not type_.asdecimal):
            raise TypeError(f"no driver conversion for results of type {type_!r}")
        if not type_.asdecimal:
            return None
        # SQLite returns floats, formatted at the column's scale; psycopg returns Decimal.
        return _decimal_of_scale(type_._effective_decimal_return_scale) if sqlite else None
    for kind, on_sqlite, on_postgres in _RESULTS:
        if isinstance(type_, kind):
            return on_sqlite if sqlite else on_postgres
    raise TypeError(f"no driver conversion for results of type {type_!r}")


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One statement as one dialect's driver takes it."""

    sql: str
    sqlite: bool
    order: tuple[str, ...]  # SQLite's positional parameters, by name (a name may repeat)
    defaults: Mapping[str, Any]  # the statement's own values (LIMIT 1, kind = 'tou')
    binds: tuple[tuple[str, Convert], ...]
    expanding: tuple[tuple[str, Convert | None], ...]  # IN lists
    lists: frozenset[str]  # their names
    columns: tuple[Convert | None, ...] | None  # None when no column needs converting
    wire: WireSql | None  # PostgreSQL: the statement as libpq prepares it

    def parameters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values = {**self.defaults, **given}
        for name, convert in self.binds:
            values[name] = convert(values[name])
        for name, each in self.expanding:
            items = values[name]
            values[name] = list(items) if each is None else [each(item) for item in items]
        return values

    def statement(self, values: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL text and the driver's parameters (SQLite's IN lists spelled out)."""
        if not self.sqlite:
            return self.sql, values
        if not self.expanding:
            return self.sql, [values[name] for name in self.order]
        sql = self.sql
        arguments: list[Any] = []
        for name in self.order:
            value = values[name]
            if name in self.lists:
                # An empty list is `IN (NULL)`: never true, as SQLAlchemy's empty set.
                sql = sql.replace(_MARK.format(name), ", ".join("?" * len(value)) or "NULL")
                arguments.extend(value)
            else:
                arguments.append(value)
        return sql, arguments

    def rows(self, fetched: list[Row]) -> list[Row]:
        columns = self.columns
        if columns is None:
            return fetched
        return [
            tuple(
                value if value is None or convert is None else convert(value)
                for convert, value in zip(columns, row, strict=True)
            )
            for row in fetched
        ]


def _postgres_sql(sql: str, binds: Mapping[str, BindParameter[Any]], dialect: Dialect) -> str:
    """psycopg: an IN list is one array parameter, so that one prepared statement serves all."""
    for name, bind in binds.items():
        if bind.expanding:
            mark = f"IN ({_MARK.format(name)})"
            if mark not in sql or f"NOT {mark}" in sql:
                raise ValueError(f"unsupported list parameter {name} in {sql!r}")
            element = dialect.type_compiler_instance.process(bind.type)
            sql = sql.replace(mark, f"= ANY(%({name})s::{element}[])")
    return sql


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    sqlite = dialect.name == "sqlite"
    binds = compiled.binds
    converters = {name: _bind_converter(bind.type, sqlite) for name, bind in binds.items()}
    columns = tuple(
        _result_converter(column.type, sqlite)
        for column in getattr(statement, "exported_columns", ())
    )
    defaults = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
    sql = compiled.string if sqlite else _postgres_sql(compiled.string, binds, dialect)
    if "__[POSTCOMPILE_" in sql and not all(
        _MARK.format(name) in sql for name, bind in binds.items() if bind.expanding
    ):
        raise ValueError(f"unsupported post-compiled parameter in {sql!r}")
    expanding = tuple((name, converters[name]) for name, bind in binds.items() if bind.expanding)
    wire = None
    if not sqlite:
        from meters.postgres_wire import wire_sql  # only PostgreSQL needs the driver

        wire = wire_sql(sql)
    return _Compiled(
        sql=sql,
        sqlite=sqlite,
        order=tuple(compiled.positiontup or ()),
        defaults=defaults,
        binds=tuple(
            (name, convert)
            for name, convert in converters.items()
            if convert is not None and not binds[name].expanding
        ),
        expanding=expanding,
        lists=frozenset(name for name, _ in expanding),
        columns=columns if any(convert is not None for convert in columns) else None,
        wire=wire,
    )


class DriverStatement:
    """A Core statement run on the DBAPI cursor of the connection's current transaction.

    One definition, `statement`, or one per dialect name where the SQL differs (ON CONFLICT
    of `sqlite.insert` / `postgresql.insert`). Parameters are passed by name, as to Core;
    list parameters must be `bindparam(..., expanding=True)` under `IN`.
    """

    def __init__(self, statement: ClauseElement, **by_dialect: ClauseElement) -> None:
        self._statements = {"": statement, **by_dialect}
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[Row]:
        """Every row, its values converted as SQLAlchemy would."""
        compiled = self._compiled_for(connection.dialect)
        return compiled.rows(_run(connection, compiled, parameters).fetchall())

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Row | None:
        """The first row, if any (the others are discarded)."""
        rows = self.rows(connection, parameters)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """The first column of the first row, None when there is no row."""
        row = self.first(connection, parameters)
        return None if row is None else row[0]

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> int:
        """Run a statement without a result; how many rows it changed."""
        compiled = self._compiled_for(connection.dialect)
        return int(_run(connection, compiled, parameters).rowcount)

    def execute_many(
        self, connection: Connection, parameters: Iterable[Mapping[str, Any]]
    ) -> None:
        """Run a write once per set of parameters (no list parameters)."""
        compiled = self._compiled_for(connection.dialect)
        if compiled.expanding:
            raise ValueError("execute_many takes no list parameters")
        batch = [compiled.statement(compiled.parameters(given))[1] for given in parameters]
        if batch:
            cursor = _driver(connection).cursor()
            try:
                cursor.executemany(compiled.sql, batch)
            except connection.dialect.loaded_dbapi.Error as error:
                raise _translated(connection, error, compiled.sql, batch) from error
            finally:
                cursor.close()

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:  # two threads may both compile: the same result either way
            statement = self._statements.get(dialect.name, self._statements[""])
            compiled = self._compiled[dialect.name] = _compile(statement, dialect)
        return compiled


def execute_driver_sql(connection: Connection, sql: str) -> None:
    """One statement without parameters on the driver, whatever the connection's transaction
    state (SQLite's BEGIN, from the engine's begin event)."""
    driver: Any = connection.connection.driver_connection
    try:
        driver.execute(sql)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _translated(connection, error, sql, ()) from error


class CommitFailed(Exception):
    """The COMMIT of a transaction failed: whether the server committed it is not known (the
    connection may have been lost after the server committed, before its answer arrived)."""


@contextmanager
def short_transaction(connection: Connection) -> Iterator[Connection]:
    """A transaction of a few short statements on a connection the caller keeps, committed at
    the end of the block (rolled back on error).

    On PostgreSQL BEGIN and COMMIT go to libpq and the prepared statements take their generic
    plans (meters.postgres_wire); elsewhere this is `connection.begin()`. A failed COMMIT raises
    `CommitFailed` (from the driver's error), so that nobody runs the transaction again.
    """
    with connection.begin():
        if connection.dialect.name != "postgresql":
            yield connection
            return
        from meters.postgres_wire import begin_with_generic_plans, commit

        driver: Any = connection.connection.driver_connection
        _on_driver(connection, begin_with_generic_plans, driver, "BEGIN")
        yield connection
        try:
            _on_driver(connection, commit, driver, "COMMIT")
        except DBAPIError as error:
            raise CommitFailed("COMMIT failed: the transaction may or may not be committed") from (
                error
            )


def lost_before_commit(failure: BaseException) -> bool:
    """Whether a transaction failed because its connection was lost before any COMMIT was sent:
    the server has rolled it back, so it can safely run again on a new connection."""
    return isinstance(failure, DBAPIError) and failure.connection_invalidated


def replace_if_closed_by_server(connection: Connection) -> None:
    """A kept PostgreSQL connection the server has closed while it was idle is invalidated,
    so the next transaction begins on a new one instead of failing (the pool would ping)."""
    if connection.dialect.name != "postgresql" or connection.invalidated:
        return
    from meters.postgres_wire import closed_by_server

    driver: Any = connection.connection.driver_connection
    if not connection.in_transaction() and closed_by_server(driver):
        connection.invalidate()


def _on_driver(connection: Connection, step: Callable[[Any], None], driver: Any, sql: str) -> None:
    try:
        step(driver)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _translated(connection, error, sql, ()) from error


def _driver(connection: Connection) -> Any:
    """The DBAPI connection of the transaction, begun as Core's first statement would."""
    if not connection.in_transaction():
        connection.begin()
    return connection.connection.driver_connection


def _run(connection: Connection, compiled: _Compiled, given: Mapping[str, Any]) -> Any:
    sql, arguments = compiled.statement(compiled.parameters(given))
    driver = _driver(connection)
    try:
        if compiled.sqlite:
            return driver.execute(sql, arguments)
        if compiled.wire is not None:
            from meters.postgres_wire import run_prepared

            result = run_prepared(driver, compiled.wire, arguments)
            if result is not None:
                return result
        # Prepared on first use (psycopg would wait for five), once per connection.
        return driver.execute(sql, arguments, prepare=True)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _translated(connection, error, sql, arguments) from error


def _translated(
    connection: Connection, error: Any, sql: str, arguments: Sequence[Any] | Any
) -> DBAPIError:
    """The error Core would raise (IntegrityError, OperationalError…); a lost connection is
    invalidated so that the pool does not hand it out again."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(error)
    translated = DBAPIError.instance(
        sql,
        arguments,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )
    assert isinstance(translated, DBAPIError)
    return translated
