"""Driver statements on PostgreSQL run as prepared statements on libpq, as a cursor would."""

from __future__ import annotations

import gc
import time
import weakref
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    bindparam,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from meters.driver_sql import DriverStatement, replace_if_closed_by_server, short_transaction
from meters.postgres_wire import (
    WireSql,
    array_literal,
    closed_by_server,
    run_prepared,
    wire_sql,
)
from meters.schema import ChatUser

pytestmark = pytest.mark.postgres
MOMENT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
_NEW_CHAT_USER = DriverStatement(
    insert(ChatUser)
    .values(
        channel="telegram",
        external_id=bindparam("external_id"),
        created_at=bindparam("now", type_=ChatUser.created_at.type),
        last_seen_at=bindparam("now", type_=ChatUser.last_seen_at.type),
    )
    .returning(ChatUser.id)
)
_CHAT_USERS = DriverStatement(select(ChatUser.external_id).order_by(ChatUser.id))
_PLUS_ONE = DriverStatement(select(bindparam("number", type_=BigInteger()) + 1))


@pytest.fixture
def database_url(postgres_schema_url: str) -> str:
    """PostgreSQL only (the shared `engine` fixture migrates it): this is its driver's path."""
    return postgres_schema_url


def driver_of(connection: Connection) -> psycopg.Connection[Any]:
    driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    return driver


def prepared_by_us(connection: Connection) -> list[str]:
    names = connection.exec_driver_sql(
        "SELECT name FROM pg_prepared_statements"
        " WHERE starts_with(name, '_dienbot_') ORDER BY name"
    )
    return list(names.scalars())


def test_placeholders_become_numbered_parameters() -> None:
    converted = wire_sql("SELECT %(a)s, %(b)s::int[], %(a)s, 'x %% y' WHERE c LIKE 'z%%'")
    assert converted == WireSql(
        b"SELECT $1, $2::int[], $1, 'x % y' WHERE c LIKE 'z%'", ("a", "b"), frozenset({"b"})
    )


def test_a_statement_is_prepared_once_per_connection(engine: Engine) -> None:
    with engine.connect() as connection:
        for number in range(3):
            _NEW_CHAT_USER.scalar(connection, {"external_id": str(number), "now": MOMENT})
        assert len(prepared_by_us(connection)) == 1
        assert _CHAT_USERS.rows(connection, {}) == [("0",), ("1",), ("2",)]
        assert len(prepared_by_us(connection)) == 2
        connection.rollback()


def test_values_needing_other_types_get_their_own_statement(engine: Engine) -> None:
    """psycopg picks int2, int4 or int8 by the value, and sends NULL untyped: each set of
    parameter types is prepared apart, as psycopg's own prepared statements are."""
    with engine.connect() as connection:
        assert _PLUS_ONE.scalar(connection, {"number": 1}) == 2
        assert _PLUS_ONE.scalar(connection, {"number": 2**40}) == 2**40 + 1
        assert _PLUS_ONE.scalar(connection, {"number": None}) is None
        assert _PLUS_ONE.scalar(connection, {"number": 3}) == 4
        assert len(prepared_by_us(connection)) == 3  # int2, int8, and an untyped NULL
        connection.rollback()


def test_first_statement_begins_the_transaction_core_rolls_back(engine: Engine) -> None:
    with engine.connect() as connection:
        _NEW_CHAT_USER.scalar(connection, {"external_id": "1", "now": MOMENT})
        assert (
            driver_of(connection).pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        )
        connection.rollback()
        assert _CHAT_USERS.rows(connection, {}) == []
        connection.rollback()


def test_after_an_error_the_transaction_fails_and_the_next_one_works(engine: Engine) -> None:
    with engine.connect() as connection:
        _NEW_CHAT_USER.scalar(connection, {"external_id": "1", "now": MOMENT})
        with pytest.raises(IntegrityError, match="uq_chat_users"):
            _NEW_CHAT_USER.scalar(connection, {"external_id": "1", "now": MOMENT})
        with pytest.raises(DBAPIError, match="current transaction is aborted"):
            _CHAT_USERS.rows(connection, {})
        connection.rollback()
        _NEW_CHAT_USER.scalar(connection, {"external_id": "2", "now": MOMENT})
        assert _CHAT_USERS.rows(connection, {}) == [("2",)]
        connection.rollback()


def test_other_transaction_characteristics_are_left_to_the_cursor(engine: Engine) -> None:
    """A serializable transaction must begin as psycopg begins it: the cursor runs it."""
    with engine.connect().execution_options(isolation_level="SERIALIZABLE") as connection:
        assert _PLUS_ONE.scalar(connection, {"number": 1}) == 2
        level = connection.execute(text("SHOW transaction_isolation")).scalar_one()
        assert level == "serializable"
        assert prepared_by_us(connection) == []
        connection.rollback()


def test_pipeline_mode_is_left_to_the_cursor(engine: Engine) -> None:
    with engine.connect() as connection:
        _PLUS_ONE.scalar(connection, {"number": 1})  # begins the transaction
        driver = driver_of(connection)
        statement = wire_sql(str(select(literal_column("1"))))
        with driver.pipeline():
            assert run_prepared(driver, statement, {}) is None
        connection.rollback()


def test_a_lost_connection_is_invalidated(engine: Engine) -> None:
    with engine.connect() as connection:
        _PLUS_ONE.scalar(connection, {"number": 1})
        pid = driver_of(connection).info.backend_pid
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as lost:
            _PLUS_ONE.scalar(connection, {"number": 2})
        assert lost.value.connection_invalidated
    with engine.connect() as connection:  # the pool hands out a working connection
        assert _PLUS_ONE.scalar(connection, {"number": 5}) == 6
        connection.rollback()


def test_statements_stay_prepared_across_rollbacks_and_savepoints(engine: Engine) -> None:
    """psycopg would DEALLOCATE ALL on a rollback once it had prepared statements itself."""
    with engine.connect() as connection:
        for _ in range(6):  # Core's statement too, past psycopg's threshold of five
            connection.execute(select(ChatUser.id)).all()
        assert _PLUS_ONE.scalar(connection, {"number": 1}) == 2
        savepoint = connection.begin_nested()
        _NEW_CHAT_USER.scalar(connection, {"external_id": "1", "now": MOMENT})
        savepoint.rollback()
        connection.rollback()
        assert _PLUS_ONE.scalar(connection, {"number": 2}) == 3
        assert _CHAT_USERS.rows(connection, {}) == []
        assert len(prepared_by_us(connection)) == 3
        connection.rollback()


_TEXTS_BACK = DriverStatement(
    text("SELECT CAST(:items AS text[])").columns(literal_column("items"))
)
_INTEGERS_BACK = DriverStatement(
    text("SELECT CAST(:items AS integer[])").columns(literal_column("items"))
)


def test_array_parameters_are_written_as_array_text() -> None:
    assert array_literal([1, -2, None]) == "{1,-2,NULL}"
    assert array_literal(['a "b"', "c\\d", "NULL", ""]) == '{"a \\"b\\"","c\\\\d","NULL",""}'
    assert array_literal([date(2026, 12, 1)]) is None  # left to psycopg
    assert array_literal([True]) is None
    assert wire_sql("SELECT %(a)s::INTEGER[], CAST(%(b)s AS varchar[]), %(c)s").arrays == {
        "a",
        "b",
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # Text a database can hold: no NUL, no lone surrogate (not encodable as UTF-8).
    texts=st.lists(
        st.none()
        | st.text(
            st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12
        )
    ),
    integers=st.lists(st.none() | st.integers(-(2**31), 2**31 - 1), max_size=8),
)
def test_array_parameters_read_back_as_given(
    engine: Engine, texts: list[str | None], integers: list[int | None]
) -> None:
    with engine.connect() as connection:
        assert _TEXTS_BACK.scalar(connection, {"items": texts}) == texts
        assert _INTEGERS_BACK.scalar(connection, {"items": integers}) == integers
        connection.rollback()


def test_a_connection_the_pool_replaced_is_not_kept_alive(engine: Engine) -> None:
    with engine.connect() as connection:
        _PLUS_ONE.scalar(connection, {"number": 1})
        replaced = weakref.ref(driver_of(connection))
        connection.invalidate()
    with engine.connect() as connection:  # the pool connects anew
        assert _PLUS_ONE.scalar(connection, {"number": 2}) == 3
        connection.rollback()
    gc.collect()
    assert replaced() is None


def test_a_short_transaction_plans_its_statements_once(engine: Engine) -> None:
    """Arrays make the planner re-plan every execution (custom plans); not in here."""
    statement = DriverStatement(
        select(ChatUser.id).where(ChatUser.id.in_(bindparam("ids", expanding=True)))
    )
    with engine.connect() as connection:
        for number in range(8):
            with short_transaction(connection):
                assert statement.rows(connection, {"ids": [number, number + 1]}) == []
                mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar()
                assert mode == "force_generic_plan"
        plans = connection.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE starts_with(name, '_dienbot_')"
        ).one()
        assert tuple(plans) == (8, 0)
        # SET LOCAL: the connection's other transactions plan as usual.
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
        connection.rollback()


def test_a_short_transaction_commits_on_libpq(engine: Engine) -> None:
    with engine.connect() as connection:
        with short_transaction(connection):
            _NEW_CHAT_USER.scalar(connection, {"external_id": "kept", "now": MOMENT})
        assert driver_of(connection).pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert not connection.in_transaction()
    with engine.connect() as other:
        assert _CHAT_USERS.rows(other, {}) == [("kept",)]
        other.rollback()


def test_a_failed_short_transaction_is_rolled_back(engine: Engine) -> None:
    with engine.connect() as connection:
        with short_transaction(connection):
            _NEW_CHAT_USER.scalar(connection, {"external_id": "twice", "now": MOMENT})
        with pytest.raises(IntegrityError), short_transaction(connection):  # noqa: PT012
            _NEW_CHAT_USER.scalar(connection, {"external_id": "other", "now": MOMENT})
            _NEW_CHAT_USER.scalar(connection, {"external_id": "twice", "now": MOMENT})
        with short_transaction(connection):
            assert _CHAT_USERS.rows(connection, {}) == [("twice",)]  # "other" rolled back


def test_a_connection_closed_by_the_server_is_seen_without_a_round_trip(engine: Engine) -> None:
    with engine.connect() as connection:
        driver = driver_of(connection)
        assert _PLUS_ONE.scalar(connection, {"number": 1}) == 2
        connection.rollback()
        assert not closed_by_server(driver)
        with engine.connect() as other:
            pid = driver.info.backend_pid
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 5
        while not closed_by_server(driver) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert closed_by_server(driver)
        replace_if_closed_by_server(connection)
        assert connection.invalidated
        assert _PLUS_ONE.scalar(connection, {"number": 2}) == 3  # on a new connection
        connection.rollback()
