"""Statements on the driver's cursor read and write exactly what SQLAlchemy Core does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from meters.database import create_store_engine, upgrade, write_transaction
from meters.driver_sql import DriverStatement
from meters.schema import ChatUser, ConversationState, Customer, DailyUsage, Subscription
from tests.meters.factories import add_customer

MOMENT = datetime(2026, 11, 20, 9, 30, 0, tzinfo=timezone(timedelta(hours=7)))
ON_THE_SECOND = datetime(2026, 11, 20, 2, 30, 0, tzinfo=UTC)  # no microseconds
WITH_MICROSECONDS = datetime(2026, 11, 20, 2, 30, 0, 123456, tzinfo=UTC)

_NEW_CHAT_USER = insert(ChatUser).values(
    channel=bindparam("channel"),
    external_id=bindparam("external_id"),
    display_name=bindparam("display_name"),
    created_at=bindparam("created_at", type_=ChatUser.created_at.type),
    last_seen_at=bindparam("last_seen_at", type_=ChatUser.last_seen_at.type),
)
_STATE_COLUMNS = (
    ConversationState.chat_user_id,
    ConversationState.step,
    ConversationState.data,
    ConversationState.version,
    ConversationState.updated_at,
)
_STATE_OF = select(*_STATE_COLUMNS).where(
    ConversationState.chat_user_id == bindparam("chat_user_id")
)
_DAY_COLUMNS = (DailyUsage.meter_pk, DailyUsage.day, DailyUsage.used_wh, DailyUsage.estimated)
_DAYS_OF = (
    select(*_DAY_COLUMNS)
    .where(DailyUsage.meter_pk.in_(bindparam("meter_pks", expanding=True)))
    .order_by(DailyUsage.meter_pk, DailyUsage.day)
)
_SUBSCRIPTIONS = select(
    Subscription.chat_user_id, Subscription.threshold, Subscription.active
).order_by(Subscription.id)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection, connection.begin() as transaction:
        yield connection
        transaction.rollback()


def core_rows(connection: Connection, statement: Any, parameters: dict[str, Any]) -> list[Any]:
    return [tuple(row) for row in connection.execute(statement, parameters)]


def add_chat_user(connection: Connection, external_id: str, moment: datetime) -> int:
    statement = DriverStatement(_NEW_CHAT_USER.returning(ChatUser.id))
    parameters = {"channel": "telegram", "external_id": external_id, "display_name": None}
    found = statement.scalar(
        connection, {**parameters, "created_at": moment, "last_seen_at": moment}
    )
    return int(found)


def test_raw_write_reads_back_through_core(connection: Connection) -> None:
    chat = add_chat_user(connection, "1", MOMENT)
    DriverStatement(insert(ConversationState)).execute(
        connection,
        {
            "chat_user_id": chat,
            "step": "await_code",
            "data": {"intent": "bill", "tên": "Nguyễn", "n": [1, 2.5, None]},
            "version": 1,
            "updated_at": WITH_MICROSECONDS,
        },
    )

    row = connection.execute(_STATE_OF, {"chat_user_id": chat}).one()
    moments = connection.execute(select(ChatUser.created_at, ChatUser.last_seen_at)).one()

    assert tuple(row) == (
        chat,
        "await_code",
        {"intent": "bill", "tên": "Nguyễn", "n": [1, 2.5, None]},
        1,
        WITH_MICROSECONDS,
    )
    assert tuple(moments) == (MOMENT, MOMENT)
    assert moments[0].tzinfo is UTC


def test_core_write_reads_back_raw_as_core_reads_it(connection: Connection) -> None:
    chat = int(
        connection.execute(
            _NEW_CHAT_USER.returning(ChatUser.id),
            {
                "channel": "zalo",
                "external_id": "2",
                "display_name": "Khách",
                "created_at": ON_THE_SECOND,
                "last_seen_at": MOMENT,
            },
        ).scalar_one()
    )
    connection.execute(
        insert(ConversationState).values(
            chat_user_id=chat, step="idle", data={}, version=3, updated_at=MOMENT
        )
    )
    raw = DriverStatement(_STATE_OF).rows(connection, {"chat_user_id": chat})
    users = DriverStatement(select(ChatUser.created_at, ChatUser.last_seen_at)).rows(
        connection, {}
    )

    assert raw == core_rows(connection, _STATE_OF, {"chat_user_id": chat})
    assert raw == [(chat, "idle", {}, 3, MOMENT)]
    assert users == [(ON_THE_SECOND, MOMENT)]
    assert all(moment.tzinfo is UTC for moment in users[0])


def test_moments_are_stored_as_core_stores_them(connection: Connection) -> None:
    """Compared as stored (text on SQLite): a range query must see raw and Core rows alike."""
    stored = select(ChatUser.external_id, ChatUser.created_at.cast(ChatUser.channel.type))
    for moment in (ON_THE_SECOND, WITH_MICROSECONDS, MOMENT):
        add_chat_user(connection, f"raw {moment}", moment)
        connection.execute(
            _NEW_CHAT_USER,
            {
                "channel": "telegram",
                "external_id": f"core {moment}",
                "display_name": None,
                "created_at": moment,
                "last_seen_at": moment,
            },
        )
    texts: dict[str, str] = {row[0]: row[1] for row in connection.execute(stored)}
    since = DriverStatement(
        select(ChatUser.external_id)
        .where(ChatUser.created_at >= bindparam("since", type_=ChatUser.created_at.type))
        .order_by(ChatUser.external_id)
    )

    for moment in (ON_THE_SECOND, WITH_MICROSECONDS, MOMENT):
        assert texts[f"raw {moment}"] == texts[f"core {moment}"]
    assert since.rows(connection, {"since": WITH_MICROSECONDS}) == [
        (f"core {WITH_MICROSECONDS}",),
        (f"raw {WITH_MICROSECONDS}",),
    ]


def test_dates_booleans_and_lists(connection: Connection) -> None:
    day = date(2026, 11, 19)
    DriverStatement(insert(DailyUsage)).execute_many(
        connection,
        [
            {
                "meter_pk": meter,
                "day": day,
                "used_wh": 1000 * meter,
                "normal_wh": None,
                "peak_wh": None,
                "offpeak_wh": None,
                "estimated": meter % 2 == 0,
            }
            for meter in (1, 2, 3)
        ],
    )
    days = DriverStatement(_DAYS_OF)

    for meter_pks in ([], [2], [1, 3], [3, 2, 1]):
        raw = days.rows(connection, {"meter_pks": meter_pks})
        assert raw == core_rows(connection, _DAYS_OF, {"meter_pks": meter_pks})
        assert [row[0] for row in raw] == sorted(meter_pks)
    assert days.rows(connection, {"meter_pks": (2,)}) == [(2, day, 2000, True)]


def test_numerics_read_as_core_reads_them(connection: Connection) -> None:
    add_customer(connection, "PE0400000001")
    connection.execute(
        update(Customer).values(households=Decimal("2.5"), voltage_kv=Decimal("22"))
    )
    statement = select(Customer.households, Customer.voltage_kv)

    raw = DriverStatement(statement).rows(connection, {})

    assert raw == core_rows(connection, statement, {})
    assert raw == [(Decimal("2.500"), Decimal("22.000"))]
    assert str(raw[0][0]) == str(connection.execute(statement).one()[0])


def test_json_null_and_sql_null(connection: Connection) -> None:
    """A JSON column given None stores the JSON null, as Core does; a boolean is 0/1."""
    chat = add_chat_user(connection, "3", MOMENT)
    customer = add_customer(connection)
    values = {"chat_user_id": chat, "customer_id": customer, "delivery_hour": None}
    subscribe = insert(Subscription).values(
        chat_user_id=bindparam("chat_user_id"),
        customer_id=bindparam("customer_id"),
        kind=bindparam("kind"),
        threshold=bindparam("threshold", type_=Subscription.threshold.type),
        active=bindparam("active", type_=Subscription.active.type),
        created_at=bindparam("created_at", type_=Subscription.created_at.type),
    )
    common = {**values, "created_at": MOMENT}
    DriverStatement(subscribe).execute(
        connection, {**common, "kind": "raw", "threshold": None, "active": False}
    )
    connection.execute(subscribe, {**common, "kind": "core", "threshold": None, "active": False})
    DriverStatement(subscribe).execute(
        connection, {**common, "kind": "bill", "threshold": {"kwh": 300}, "active": True}
    )
    is_null = select(Subscription.kind).where(Subscription.threshold.is_(None))

    raw = DriverStatement(_SUBSCRIPTIONS).rows(connection, {})

    assert raw == core_rows(connection, _SUBSCRIPTIONS, {})
    assert raw == [(chat, None, False), (chat, None, False), (chat, {"kwh": 300}, True)]
    assert list(connection.execute(is_null).scalars()) == []  # both are JSON null


def test_same_transaction_as_core(engine: Engine) -> None:
    with engine.connect() as connection:
        with connection.begin():
            chat = add_chat_user(connection, "4", MOMENT)
            assert connection.execute(select(ChatUser.id)).scalars().all() == [chat]
            connection.rollback()
        with connection.begin():
            assert DriverStatement(select(ChatUser.id)).rows(connection, {}) == []


def test_begins_a_transaction_like_core(engine: Engine) -> None:
    """Without `begin()`, the first raw statement starts the transaction Core would."""
    with engine.connect() as connection:
        add_chat_user(connection, "5", MOMENT)
        assert connection.in_transaction()
        connection.rollback()
        assert connection.execute(select(ChatUser.id)).all() == []


def test_errors_are_core_errors(connection: Connection) -> None:
    add_chat_user(connection, "6", MOMENT)
    with pytest.raises(IntegrityError):
        add_chat_user(connection, "6", MOMENT)


def test_naive_moments_are_refused(connection: Connection) -> None:
    with pytest.raises(ValueError, match="naive"):
        add_chat_user(connection, "7", datetime(2026, 11, 20, 9, 30))  # noqa: DTZ001


def test_sqlite_begin_immediate_fails_as_core_would(sqlite_url: str) -> None:
    """SQLite's BEGIN runs on the driver too: a held write lock is Core's OperationalError."""
    engine = create_store_engine(sqlite_url)
    upgrade(engine)
    try:
        with write_transaction(engine) as holder:
            holder.execute(select(ChatUser.id)).all()
            with engine.connect() as waiter:
                waiter.exec_driver_sql("PRAGMA busy_timeout=0")
                waiter.commit()
                waiter.execution_options(dienbot_begin_immediate=True)
                with pytest.raises(OperationalError, match="locked"):
                    waiter.begin()
    finally:
        engine.dispose()
