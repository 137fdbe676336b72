"""Daily use is derived from cumulative registers: exact, interpolated, replaced, reset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, select

from meters.schema import DailyUsage
from meters.usage_store import INDEX_DOWN, refresh_daily_usage
from tests.meters.factories import (
    ZONE,
    add_customer,
    add_daily_readings,
    add_meter,
    add_reading,
    local,
    stored_usage,
)

DAY = date(2026, 11, 1)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection, connection.begin() as transaction:
        yield connection
        transaction.rollback()


@pytest.fixture
def meter(connection: Connection) -> int:
    """A single-register meter of one customer."""
    return add_meter(connection, add_customer(connection))


def days(first: date, count: int) -> list[date]:
    """`count` consecutive days from `first`."""
    return [first + timedelta(days=offset) for offset in range(count)]


def test_regular_daily_readings_give_exact_differences(connection: Connection, meter: int) -> None:
    uses = [3200, 4500, 2750, 0, 12_001]
    add_daily_readings(connection, meter, DAY, uses)

    written = refresh_daily_usage(connection, DAY, DAY + timedelta(days=4), ZONE)

    assert written == len(uses)
    assert stored_usage(connection, meter) == {
        day: (used, False) for day, used in zip(days(DAY, 5), uses, strict=True)
    }


def test_day_without_a_later_reading_is_not_written(connection: Connection, meter: int) -> None:
    add_daily_readings(connection, meter, DAY, [1000])

    written = refresh_daily_usage(connection, DAY, DAY + timedelta(days=3), ZONE)

    assert written == 1
    assert list(stored_usage(connection, meter)) == [DAY]


def test_gap_of_several_days_is_interpolated_and_estimated(
    connection: Connection, meter: int
) -> None:
    add_reading(connection, meter, local(DAY, 0, 5), 50_000)
    add_reading(connection, meter, local(DAY + timedelta(days=4), 0, 5), 58_000)

    refresh_daily_usage(connection, DAY, DAY + timedelta(days=3), ZONE)

    usage = stored_usage(connection, meter)
    assert sum(used for used, _ in usage.values()) == 8000
    assert all(estimated for _, estimated in usage.values())
    assert all(abs(used - 2000) <= 10 for used, _ in usage.values())


def test_several_readings_a_day_use_the_boundary_readings(
    connection: Connection, meter: int
) -> None:
    add_reading(connection, meter, local(DAY, 0, 5), 10_000)
    for hour, index in [(7, 10_400), (12, 11_000), (19, 12_500), (23, 13_000)]:
        add_reading(connection, meter, local(DAY, hour), index)
    add_reading(connection, meter, local(DAY + timedelta(days=1), 0, 5), 13_100)

    refresh_daily_usage(connection, DAY, DAY, ZONE)

    assert stored_usage(connection, meter) == {DAY: (3100, False)}


def test_reading_later_than_the_tolerance_interpolates_the_boundary(
    connection: Connection, meter: int
) -> None:
    add_reading(connection, meter, local(DAY, 0, 0), 0)
    add_reading(connection, meter, local(DAY, 12), 12_000)
    add_reading(connection, meter, local(DAY + timedelta(days=1), 12), 36_000)

    refresh_daily_usage(connection, DAY, DAY, ZONE)

    assert stored_usage(connection, meter) == {DAY: (24_000, True)}


def test_late_reading_then_refresh_replaces_the_estimate(
    connection: Connection, meter: int
) -> None:
    add_reading(connection, meter, local(DAY, 0, 5), 0)
    add_reading(connection, meter, local(DAY + timedelta(days=2), 0, 5), 10_000)
    refresh_daily_usage(connection, DAY, DAY + timedelta(days=1), ZONE)
    assert all(estimated for _, estimated in stored_usage(connection, meter).values())

    add_reading(connection, meter, local(DAY + timedelta(days=1), 0, 5), 7000)
    written = refresh_daily_usage(connection, DAY, DAY + timedelta(days=1), ZONE)

    assert written == 2
    assert stored_usage(connection, meter) == {
        DAY: (7000, False),
        DAY + timedelta(1): (3000, False),
    }


def test_refreshing_twice_changes_nothing(connection: Connection, meter: int) -> None:
    add_daily_readings(connection, meter, DAY, [1500, 2500, 3500])
    refresh_daily_usage(connection, DAY, DAY + timedelta(days=2), ZONE)
    first = stored_usage(connection, meter)

    refresh_daily_usage(connection, DAY, DAY + timedelta(days=2), ZONE)

    assert stored_usage(connection, meter) == first
    count = connection.execute(select(DailyUsage.day).where(DailyUsage.meter_pk == meter)).all()
    assert len(count) == 3


def test_meter_replacement_splits_the_day_between_the_meters(connection: Connection) -> None:
    customer = add_customer(connection)
    swap_day = DAY + timedelta(days=1)
    swapped_at = local(swap_day, 10)
    old = add_meter(connection, customer, "OLD", removed_at=swapped_at)
    new = add_meter(connection, customer, "NEW", installed_at=swapped_at)
    add_daily_readings(connection, old, DAY, [4000], start_wh=900_000)
    add_reading(connection, old, swapped_at, 904_000 + 1500)
    add_reading(connection, new, swapped_at, 0)
    add_reading(connection, new, local(swap_day + timedelta(days=1), 0, 5), 2600)
    add_reading(connection, new, local(swap_day + timedelta(days=2), 0, 5), 6600)

    refresh_daily_usage(connection, DAY, swap_day + timedelta(days=1), ZONE)

    assert stored_usage(connection, old) == {DAY: (4000, False), swap_day: (1500, False)}
    assert stored_usage(connection, new) == {
        swap_day: (2600, False),
        swap_day + timedelta(days=1): (4000, False),
    }


def test_index_reset_day_is_estimated_from_its_neighbours(
    connection: Connection, meter: int
) -> None:
    index = add_daily_readings(connection, meter, DAY, [2000, 3000, 4001], start_wh=5_000_000)
    reset_day = DAY + timedelta(days=3)
    add_reading(
        connection, meter, local(reset_day + timedelta(days=1), 0, 5), 120, flag=INDEX_DOWN
    )
    add_reading(connection, meter, local(reset_day + timedelta(days=2), 0, 5), 5120)
    assert index > 120

    refresh_daily_usage(connection, DAY, reset_day + timedelta(days=1), ZONE)

    usage = stored_usage(connection, meter)
    assert usage[reset_day] == (3500, True)  # mean of 2000, 3000, 4001 and 5000
    assert usage[reset_day + timedelta(days=1)] == (5000, False)
    assert usage[DAY] == (2000, False)


def test_index_reset_refreshed_alone_uses_stored_neighbours(
    connection: Connection, meter: int
) -> None:
    add_daily_readings(connection, meter, DAY, [2000, 4000], start_wh=5_000_000)
    reset_day = DAY + timedelta(days=2)
    refresh_daily_usage(connection, DAY, DAY + timedelta(days=1), ZONE)
    add_reading(connection, meter, local(reset_day + timedelta(days=1), 0, 5), 7, flag=INDEX_DOWN)

    refresh_daily_usage(connection, reset_day, reset_day, ZONE)

    assert stored_usage(connection, meter)[reset_day] == (3000, True)


def test_time_of_use_registers_are_differenced_too(connection: Connection) -> None:
    meter = add_meter(connection, add_customer(connection), kind="tou")
    add_reading(connection, meter, local(DAY, 0, 5), 10_000, tou=(6000, 2000, 2000))
    add_reading(
        connection, meter, local(DAY + timedelta(1), 0, 5), 19_000, tou=(11_000, 3500, 4500)
    )

    refresh_daily_usage(connection, DAY, DAY, ZONE)

    row = connection.execute(select(DailyUsage).where(DailyUsage.meter_pk == meter)).one()
    assert (row.used_wh, row.normal_wh, row.peak_wh, row.offpeak_wh) == (9000, 5000, 1500, 2500)


def test_only_the_named_meters_are_refreshed(connection: Connection) -> None:
    customer = add_customer(connection)
    first = add_meter(connection, customer, "A")
    second = add_meter(connection, customer, "B")
    add_daily_readings(connection, first, DAY, [100])
    add_daily_readings(connection, second, DAY, [200])

    written = refresh_daily_usage(connection, DAY, DAY, ZONE, meter_pks=[second])

    assert written == 1
    assert stored_usage(connection, first) == {}
    assert stored_usage(connection, second) == {DAY: (200, False)}


def test_empty_selections_write_nothing(connection: Connection, meter: int) -> None:
    add_daily_readings(connection, meter, DAY, [100])

    assert refresh_daily_usage(connection, DAY, DAY, ZONE, meter_pks=[]) == 0
    assert refresh_daily_usage(connection, DAY, DAY - timedelta(days=1), ZONE) == 0


readings_plan = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=14 * 24 * 60 - 10),  # minutes after the first 00:05
        st.integers(min_value=0, max_value=20_000),  # Wh used since the previous reading
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=readings_plan)
def test_daily_use_adds_up_to_the_register_difference(
    engine: Engine, plan: list[tuple[int, int]]
) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        meter = add_meter(connection, add_customer(connection))
        last_day = DAY + timedelta(days=14)
        add_reading(connection, meter, local(DAY, 0, 5), 1_000_000)
        minutes = sorted({minute for minute, _ in plan})
        index = 1_000_000
        start = local(DAY, 0, 5)
        for minute, (_, used) in zip(minutes, plan, strict=False):
            index += used
            add_reading(connection, meter, start + timedelta(minutes=minute), index)
        final = index + 777
        add_reading(connection, meter, local(last_day, 0, 5), final)
        refresh_daily_usage(connection, DAY, last_day - timedelta(days=1), ZONE)
        usage = stored_usage(connection, meter)
        whole = sum(used for used, _ in usage.values())
        transaction.rollback()
    assert len(usage) == 14
    assert whole == final - 1_000_000


def test_named_meters_and_all_meters_give_the_same_rows(connection: Connection) -> None:
    customer = add_customer(connection)
    regular = add_meter(connection, customer, "REGULAR")
    gap = add_meter(connection, customer, "GAP")
    reset = add_meter(connection, customer, "RESET")
    add_daily_readings(connection, regular, DAY, [1000, 2000, 3000, 4000])
    add_reading(connection, gap, local(DAY, 0, 5), 0)
    add_reading(connection, gap, local(DAY + timedelta(days=4), 0, 5), 10_000)
    add_daily_readings(connection, reset, DAY, [1500, 2500])
    add_reading(connection, reset, local(DAY + timedelta(days=3), 0, 5), 40, flag=INDEX_DOWN)
    add_reading(connection, reset, local(DAY + timedelta(days=4), 0, 5), 1040)
    meters = [regular, gap, reset]
    last = DAY + timedelta(days=3)

    refresh_daily_usage(connection, DAY, last, ZONE)
    everyone = {meter: stored_usage(connection, meter) for meter in meters}
    connection.execute(delete(DailyUsage))
    refresh_daily_usage(connection, DAY, last, ZONE, meter_pks=meters)
    named = {meter: stored_usage(connection, meter) for meter in meters}

    assert everyone == named
    assert everyone[reset][DAY + timedelta(days=2)] == (1667, True)
