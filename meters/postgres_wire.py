"""PostgreSQL: a driver statement as a prepared statement on the connection's libpq handle.

psycopg's `Connection.execute` costs about 75 µs of Python per statement on top of libpq
(a new cursor, converting the query, its prepare manager, the generators that drive the wait):
measured 107 µs of CPU for a prepared one-row SELECT against 29 µs through `pgconn` directly.
A conversation turn runs a handful of statements, under the GIL, so that difference alone
capped one process below 500 replies/s. Here the parameters are adapted by psycopg's own
`Transformer`, with the same formats and type OIDs the cursor would choose, the statement is
prepared once per connection and set of parameter types (as psycopg's `prepare=True` does), and
rows are loaded by the same `Transformer`: values come back exactly as from a cursor. libpq's
calls release the GIL while they wait for the server.

Only a connection inside a transaction, or one that can begin it with a plain BEGIN (as psycopg
would), and outside pipeline mode, runs here; otherwise `run_prepared` returns None and the
caller uses the cursor.

The statements stay prepared for the life of the connection. psycopg would send DEALLOCATE ALL
on a rollback once it had prepared statements of its own, so the store's engines turn its
automatic preparation off (`prepare_threshold=None`, meters.database). A schema migration that
changes a prepared statement's result columns makes it fail until the connection is replaced:
restart the service after migrating, as `dienbot run` migrates when it starts.
"""

from __future__ import annotations

import re
import select
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from psycopg import Connection, errors, pq
from psycopg.adapt import PyFormat, Transformer

_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s|%%")
_PREFIX = "_dienbot_"  # psycopg names its own prepared statements _pg3_N


# A parameter cast to an array type: `%(name)s::INTEGER[]` or `CAST(%(name)s AS varchar[])`.
_ARRAY_CAST = re.compile(r"%\(([^)]+)\)s::[A-Za-z ]+\[\]|CAST\(%\(([^)]+)\)s AS [A-Za-z ]+\[\]\)")


@dataclass(frozen=True, slots=True)
class WireSql:
    """A statement in libpq's form: `$n` placeholders, and the parameter name of each."""

    text: bytes
    names: tuple[str, ...]
    arrays: frozenset[str] = frozenset()  # parameters the SQL casts to an array type


def wire_sql(sql: str) -> WireSql:
    """Turn psycopg's `%(name)s` / `%%` text into `$n` placeholders (a repeated name, one `$n`)."""
    arrays = frozenset(a or b for a, b in _ARRAY_CAST.findall(sql))
    names: list[str] = []
    positions: dict[str, int] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in positions:
            names.append(name)
            positions[name] = len(names)
        return f"${positions[name]}"

    return WireSql(_PLACEHOLDER.sub(placeholder, sql).encode(), tuple(names), arrays)


def array_literal(items: list[Any]) -> str | None:
    """A list of integers, strings and NULLs as PostgreSQL's array text, None for other items.

    psycopg's list adaptation is written in Python and cost about 6 % of a conversation
    turn; a parameter the SQL casts to an array type reads this text the same way.
    """
    parts = []
    for item in items:
        if item is None:
            parts.append("NULL")
        elif isinstance(item, str):
            escaped = item
            if "\\" in item or '"' in item:  # most texts hold neither: no copies to make
                escaped = item.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{escaped}"')
        elif isinstance(item, int) and not isinstance(item, bool):
            parts.append(str(item))
        else:
            return None
    return "{" + ",".join(parts) + "}"


class WireResult(NamedTuple):
    """What a statement returned, read as a cursor would read it."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row."""
        return self.rows


class _Session:
    """What one connection has prepared.

    Nothing here refers to the connection (psycopg's `Transformer` would, so one is made per
    statement): the entry of a connection the pool has closed goes with it.
    """

    __slots__ = ("prepared",)

    def __init__(self) -> None:
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}


# One entry per live connection; a closed and collected connection takes its entry with it.
_SESSIONS: weakref.WeakKeyDictionary[Connection[Any], _Session] = weakref.WeakKeyDictionary()


def run_prepared(
    connection: Connection[Any], sql: WireSql, values: Mapping[str, Any]
) -> WireResult | None:
    """Run `sql` with `values` as a prepared statement; None when the cursor must run it.

    Raises psycopg's own errors (IntegrityError, OperationalError…), as the cursor would.
    """
    pgconn = connection.pgconn
    if pgconn.pipeline_status != pq.PipelineStatus.OFF or not _in_transaction(connection):
        return None
    session = _SESSIONS.get(connection)
    if session is None:
        session = _SESSIONS[connection] = _Session()
    transformer = Transformer(connection)
    given = [values[parameter] for parameter in sql.names]
    if sql.arrays:
        for number, parameter in enumerate(sql.names):
            if parameter in sql.arrays and isinstance(given[number], list):
                literal = array_literal(given[number])
                if literal is not None:
                    given[number] = literal
    # Any: libpq takes None for a NULL parameter, which psycopg's stubs leave out.
    parameters: Any = transformer.dump_sequence(given, [PyFormat.AUTO] * len(sql.names))
    types = tuple(transformer.types or ())
    key = (sql.text, types)
    name = session.prepared.get(key)
    if name is None:
        name = f"{_PREFIX}{len(session.prepared)}".encode()
        _checked(connection, pgconn.prepare(name, sql.text, types))
        session.prepared[key] = name
    result = _checked(
        connection, pgconn.exec_prepared(name, parameters, transformer.formats, pq.Format.TEXT)
    )
    rows: list[tuple[Any, ...]] = []
    if result.status == _TUPLES_OK:
        transformer.set_pgresult(result)
        rows = transformer.load_rows(0, result.ntuples, tuple)
    count = result.command_tuples
    return WireResult(rows, -1 if count is None else count)


# Prepared statements normally get five custom plans and then the generic one unless the
# generic plan's estimate is worse. For a parameter the planner cannot estimate (an array,
# a LIMIT) it always is, so the hot statements were planned again on every execution: 400 µs
# of the server's CPU for the customer and its meters, 140 µs for a range of daily use. The
# short transactions of the conversation take the generic plans (SET LOCAL: this one only).
_BEGIN_WITH_GENERIC_PLANS = b"BEGIN; SET LOCAL plan_cache_mode = force_generic_plan"


def begin_with_generic_plans(connection: Connection[Any]) -> None:
    """BEGIN on libpq, the transaction's prepared statements on their generic plans.

    Nothing is sent when the connection is not idle or would begin otherwise (autocommit,
    isolation level, read-only, deferrable): psycopg then begins as usual.
    """
    _begin(connection, _BEGIN_WITH_GENERIC_PLANS)


def commit(connection: Connection[Any]) -> None:
    """COMMIT on libpq when a transaction is open (psycopg's own commit then sends nothing).

    psycopg's `commit` drives the same COMMIT through its generators, about 60 µs of Python.
    """
    if connection.pgconn.transaction_status == pq.TransactionStatus.INTRANS:
        _checked(connection, connection.pgconn.exec_(b"COMMIT"))


def closed_by_server(connection: Connection[Any]) -> bool:
    """Whether an idle connection is broken or the server has written to it, found without a
    round trip (a zero-timeout poll of its socket, about 2 µs, where a ping costs one).

    A server writes to an idle session only to end it: a restart, `pg_terminate_backend`, an
    idle-session timeout. Nothing here listens for notifications.
    """
    pgconn = connection.pgconn
    if pgconn.status == pq.ConnStatus.BAD:
        return True
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


def _begin(connection: Connection[Any], sql: bytes) -> bool:
    """Send `sql` (a BEGIN) when the connection is idle and psycopg would begin its transaction
    with a plain BEGIN; whether it was sent."""
    if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE or connection.autocommit:
        return False
    characteristics = (connection.isolation_level, connection.read_only, connection.deferrable)
    if any(setting is not None for setting in characteristics):
        return False
    _checked(connection, connection.pgconn.exec_(sql))
    return True


def _in_transaction(connection: Connection[Any]) -> bool:
    """Whether the connection is in a transaction, after beginning one if psycopg would.

    psycopg begins a transaction before the first statement of a connection that is not in
    autocommit mode; with default characteristics it sends a plain BEGIN, as here.
    """
    if connection.pgconn.transaction_status == pq.TransactionStatus.INTRANS:
        return True
    return _begin(connection, b"BEGIN")


_TUPLES_OK = int(pq.ExecStatus.TUPLES_OK)
_SUCCEEDED = frozenset((int(pq.ExecStatus.TUPLES_OK), int(pq.ExecStatus.COMMAND_OK)))


def _checked(connection: Connection[Any], result: Any) -> Any:
    """The result, or psycopg's error for it."""
    if result.status in _SUCCEEDED:
        return result
    if result.status == pq.ExecStatus.FATAL_ERROR:
        raise errors.error_from_result(result, encoding=connection.info.encoding)
    raise errors.InterfaceError(f"unexpected result {pq.ExecStatus(result.status).name}")
