"""The repository answers in domain values, summing a customer's meters per day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, insert, select

from meters.model import DayUse
from meters.repository import SqlMeterRepository
from meters.schema import Customer, DailyUsage
from tests.meters.factories import add_customer, add_meter, add_reading, local


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection, connection.begin() as transaction:
        yield connection
        transaction.rollback()


def add_day(connection: Connection, meter: int, day: date, used: int, **extra: object) -> None:
    """Store one daily_usage row."""
    values: dict[str, object] = {
        "normal_wh": None,
        "peak_wh": None,
        "offpeak_wh": None,
        "estimated": False,
    }
    values.update(extra)
    connection.execute(insert(DailyUsage).values(meter_pk=meter, day=day, used_wh=used, **values))


def test_customer_by_code(connection: Connection) -> None:
    pk = add_customer(connection, "PE0400000042", reading_day=28)
    repository = SqlMeterRepository(connection)

    customer = repository.customer_by_code("PE0400000042")

    assert customer is not None
    assert (customer.id, customer.customer_code, customer.reading_day) == (pk, "PE0400000042", 28)
    assert repository.customer_by_code("PE0400000043") is None


def test_meters_of_customer_oldest_first(connection: Connection) -> None:
    customer = add_customer(connection)
    swapped_at = local(date(2026, 11, 10), 14)
    new = add_meter(connection, customer, "NEW", installed_at=swapped_at)
    old = add_meter(connection, customer, "OLD", removed_at=swapped_at)

    meters = SqlMeterRepository(connection).meters_of_customer(customer)

    assert [meter.id for meter in meters] == [old, new]
    assert meters[0].removed_at == swapped_at


def test_daily_usage_between_sums_meters_per_day(connection: Connection) -> None:
    customer = add_customer(connection)
    first = add_meter(connection, customer, "A")
    second = add_meter(connection, customer, "B", kind="tou")
    add_day(connection, first, date(2026, 11, 1), 1000)
    add_day(connection, first, date(2026, 11, 2), 1100, estimated=True)
    add_day(connection, second, date(2026, 11, 2), 500, normal_wh=300, peak_wh=100, offpeak_wh=100)
    add_day(connection, second, date(2026, 11, 3), 700)

    days = SqlMeterRepository(connection).daily_usage_between(
        [first, second], date(2026, 11, 1), date(2026, 11, 2)
    )

    assert days == (
        DayUse(date(2026, 11, 1), 1000, None, None, None, estimated=False),
        DayUse(date(2026, 11, 2), 1600, 300, 100, 100, estimated=True),
    )


def test_latest_and_newest_reading(connection: Connection) -> None:
    meter = add_meter(connection, add_customer(connection))
    add_reading(connection, meter, local(date(2026, 11, 1), 0, 5), 100)
    add_reading(connection, meter, local(date(2026, 11, 2), 0, 5), 250)
    repository = SqlMeterRepository(connection)

    latest = repository.latest_reading(meter)

    assert latest is not None
    assert (latest.index_wh, latest.read_at) == (250, local(date(2026, 11, 2), 0, 5))
    assert repository.newest_reading_at([meter]) == local(date(2026, 11, 2), 0, 5)
    assert repository.newest_reading_at([]) is None


def test_newest_reading_read_with_the_meters_is_the_same(connection: Connection) -> None:
    """Meters read with their customer carry their newest reading: no statement of its own."""
    customer = add_customer(connection)
    first = add_meter(connection, customer, "A")
    second = add_meter(connection, customer, "B")
    unread = add_meter(connection, customer, "C")
    add_reading(connection, first, local(date(2026, 11, 1), 0, 5), 100)
    add_reading(connection, second, local(date(2026, 11, 2), 0, 5), 250)
    add_reading(connection, second, local(date(2026, 11, 1), 0, 5), 200)
    code = connection.execute(select(Customer.customer_code)).scalar_one()
    by_query = SqlMeterRepository(connection)
    with_meters = SqlMeterRepository(connection)
    assert with_meters.customer_by_code(code) is not None

    for meters in ([first, second, unread], [first], [unread], [first, 10**6]):
        assert with_meters.newest_reading_at(meters) == by_query.newest_reading_at(meters)
    assert with_meters.newest_reading_at([first, second]) == local(date(2026, 11, 2), 0, 5)
    assert with_meters.newest_reading_at([unread]) is None
