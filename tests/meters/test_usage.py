"""A customer's usage questions answered from materialised daily use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine

from meters.model import UnknownCustomer
from meters.repository import SqlMeterRepository
from meters.usage import UsageService, billing_period, reading_date, same_days_last_month
from meters.usage_store import refresh_daily_usage
from tests.meters.factories import (
    ZONE,
    add_customer,
    add_daily_readings,
    add_meter,
    add_reading,
    local,
)

CODE = "PE0400000001"


@pytest.mark.parametrize(
    ("reading_day", "today", "period"),
    [
        (5, date(2026, 11, 21), (date(2026, 11, 6), date(2026, 11, 21))),
        (5, date(2026, 11, 3), (date(2026, 10, 6), date(2026, 11, 3))),
        (5, date(2026, 11, 5), (date(2026, 10, 6), date(2026, 11, 5))),
        (5, date(2026, 1, 2), (date(2025, 12, 6), date(2026, 1, 2))),
        (28, date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        (28, date(2026, 2, 27), (date(2026, 1, 29), date(2026, 2, 27))),
        (31, date(2026, 3, 10), (date(2026, 3, 1), date(2026, 3, 10))),
        (31, date(2026, 2, 28), (date(2026, 2, 1), date(2026, 2, 28))),
        (31, date(2028, 2, 29), (date(2028, 2, 1), date(2028, 2, 29))),
        (31, date(2026, 5, 1), (date(2026, 5, 1), date(2026, 5, 1))),
        (31, date(2026, 4, 30), (date(2026, 4, 1), date(2026, 4, 30))),
        (30, date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        (30, date(2026, 2, 28), (date(2026, 1, 31), date(2026, 2, 28))),
    ],
)
def test_billing_period_runs_from_the_day_after_the_previous_reading(
    reading_day: int, today: date, period: tuple[date, date]
) -> None:
    assert billing_period(reading_day, today) == period


def test_reading_day_beyond_a_short_month_means_its_last_day() -> None:
    assert reading_date(2026, 2, 30) == date(2026, 2, 28)
    assert reading_date(2026, 4, 31) == date(2026, 4, 30)
    assert reading_date(2026, 5, 31) == date(2026, 5, 31)


def test_same_period_last_month_is_cut_to_its_length() -> None:
    assert same_days_last_month(date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert same_days_last_month(date(2026, 1, 1), date(2026, 1, 15)) == (
        date(2025, 12, 1),
        date(2025, 12, 15),
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection, connection.begin() as transaction:
        yield connection
        transaction.rollback()


@pytest.fixture
def service(connection: Connection) -> UsageService:
    """The usage service over the test store."""
    return UsageService(SqlMeterRepository(connection))


def stored_month(connection: Connection, meter: int, first: date, uses: list[int]) -> None:
    """Store daily readings for `uses` from `first` and materialise them."""
    add_daily_readings(connection, meter, first, uses)
    refresh_daily_usage(connection, first, first + timedelta(days=len(uses) - 1), ZONE)


def test_periods_sum_the_days_they_cover(connection: Connection, service: UsageService) -> None:
    meter = add_meter(connection, add_customer(connection, CODE, reading_day=10))
    first = date(2026, 10, 1)
    uses = [1000 * (offset % 7 + 1) for offset in range(51)]  # 01/10 .. 20/11
    stored_month(connection, meter, first, uses)
    today = date(2026, 11, 21)

    def total(start: date, end: date) -> int:
        return sum(uses[(start - first).days : (end - first).days + 1])

    assert service.yesterday(CODE, today).used_wh == uses[-1]
    assert service.on_date(CODE, date(2026, 10, 31)).used_wh == uses[30]
    assert service.last_days(CODE, 7, today).used_wh == total(
        date(2026, 11, 14), date(2026, 11, 20)
    )
    last_30 = service.last_days(CODE, 30, today)
    assert (last_30.used_wh, last_30.days_with_data) == (
        total(date(2026, 10, 22), date(2026, 11, 20)),
        30,
    )
    month = service.month_to_date(CODE, today)
    assert (month.first_day, month.used_wh) == (
        date(2026, 11, 1),
        total(date(2026, 11, 1), date(2026, 11, 20)),
    )
    assert service.billing_period_to_date(CODE, today).used_wh == total(
        date(2026, 11, 11), date(2026, 11, 20)
    )
    assert service.same_period_last_month(CODE, today).used_wh == total(
        date(2026, 10, 1), date(2026, 10, 21)
    )
    assert not month.estimated


def test_a_day_and_the_week_before_it_read_together_as_apart(
    connection: Connection, service: UsageService
) -> None:
    meter = add_meter(connection, add_customer(connection, CODE))
    first = date(2026, 11, 1)
    stored_month(connection, meter, first, [1000 * (offset + 1) for offset in range(12)])
    for day in (date(2026, 11, 12), date(2026, 11, 5), date(2026, 11, 1), date(2026, 11, 20)):
        on_day, week_before = service.day_and_week_before(CODE, day)
        assert on_day == service.on_date(CODE, day)
        assert week_before == service.daily(CODE, day - timedelta(days=7), day - timedelta(days=1))


def test_meter_kinds_are_those_in_service(connection: Connection, service: UsageService) -> None:
    customer = add_customer(connection, CODE)
    swapped_at = local(date(2026, 11, 10), 14)
    add_meter(connection, customer, "OLD", kind="prepaid", removed_at=swapped_at)
    add_meter(connection, customer, "NEW", kind="tou", installed_at=swapped_at)
    assert service.meter_kinds(CODE) == ("tou",)


def test_meter_replacement_mid_month_sums_both_meters(
    connection: Connection, service: UsageService
) -> None:
    customer = add_customer(connection, CODE)
    swapped_at = local(date(2026, 11, 10), 14)
    old = add_meter(connection, customer, "OLD", removed_at=swapped_at)
    new = add_meter(connection, customer, "NEW", installed_at=swapped_at)
    add_daily_readings(connection, old, date(2026, 11, 1), [2000] * 9, start_wh=7_000_000)
    add_reading(connection, old, swapped_at, 7_018_000 + 1200)
    add_reading(connection, new, swapped_at, 0)
    add_daily_readings(connection, new, date(2026, 11, 11), [3000] * 5, start_wh=900)
    refresh_daily_usage(connection, date(2026, 11, 1), date(2026, 11, 15), ZONE)

    month = service.month_to_date(CODE, date(2026, 11, 16))

    assert month.used_wh == 9 * 2000 + 1200 + 900 + 5 * 3000
    assert service.on_date(CODE, date(2026, 11, 10)).used_wh == 1200 + 900
    assert month.days_with_data == 15


def test_meter_index_is_the_current_meters_latest_register(
    connection: Connection, service: UsageService
) -> None:
    customer = add_customer(connection, CODE)
    swapped_at = local(date(2026, 11, 10), 14)
    old = add_meter(connection, customer, "OLD", removed_at=swapped_at)
    new = add_meter(connection, customer, "NEW", kind="tou", installed_at=swapped_at)
    add_reading(connection, old, swapped_at, 7_019_200)
    add_reading(connection, new, swapped_at, 0, tou=(0, 0, 0))
    add_reading(connection, new, local(date(2026, 11, 11), 0, 5), 900, tou=(500, 100, 300))

    index = service.meter_index(CODE)

    assert index is not None
    assert (index.meter_id, index.index_wh) == ("NEW", 900)
    assert (index.normal_wh, index.peak_wh, index.offpeak_wh) == (500, 100, 300)
    assert index.read_at == local(date(2026, 11, 11), 0, 5)


def test_freshness_is_the_newest_reading(connection: Connection, service: UsageService) -> None:
    meter = add_meter(connection, add_customer(connection, CODE))
    add_daily_readings(connection, meter, date(2026, 11, 18), [100, 200, 300])

    assert service.freshness(CODE) == datetime(2026, 11, 20, 17, 5, tzinfo=UTC)


def test_customer_without_readings_has_no_index_nor_freshness(
    connection: Connection, service: UsageService
) -> None:
    add_meter(connection, add_customer(connection, CODE))

    assert service.meter_index(CODE) is None
    assert service.freshness(CODE) is None
    assert service.month_to_date(CODE, date(2026, 11, 21)).days == ()


def test_estimated_days_mark_the_period(connection: Connection, service: UsageService) -> None:
    meter = add_meter(connection, add_customer(connection, CODE))
    add_reading(connection, meter, local(date(2026, 11, 1), 0, 5), 0)
    add_reading(connection, meter, local(date(2026, 11, 4), 0, 5), 9000)
    refresh_daily_usage(connection, date(2026, 11, 1), date(2026, 11, 3), ZONE)

    summary = service.month_to_date(CODE, date(2026, 11, 4))

    assert (summary.used_wh, summary.estimated) == (9000, True)


def test_unknown_customer_code_is_refused(service: UsageService) -> None:
    with pytest.raises(UnknownCustomer):
        service.month_to_date("PE0499999999", date(2026, 11, 21))
