"""Writing the demo data set into a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData, Fault
from meters.schema import (
    Bill,
    Customer,
    DailyUsage,
    Meter,
    Outage,
    OutageStation,
    PaymentPoint,
    Reading,
    RequestStatusChange,
    ServiceRequest,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2025, 11, 20)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    """A small data set: 40 customers, 45 days."""
    return generate_demo(seed=11, customers=40, today=TODAY, zone=ZONE, days=45)


@pytest.fixture
def loaded(engine: Engine, demo: DemoData) -> Engine:
    """The store with `demo` written into it."""
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
    return engine


def count(engine: Engine, table: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_every_row_is_written(loaded: Engine, demo: DemoData) -> None:
    assert count(loaded, Customer) == len(demo.customers)
    assert count(loaded, Meter) == len(demo.meters)
    assert count(loaded, Reading) == demo.reading_count
    assert count(loaded, Bill) == len(demo.bills)
    assert count(loaded, Outage) == len(demo.outages)
    assert count(loaded, OutageStation) == sum(len(o.stations) for o in demo.outages)
    assert count(loaded, PaymentPoint) == len(demo.payment_points)
    assert count(loaded, ServiceRequest) == len(demo.requests)
    assert count(loaded, RequestStatusChange) == sum(len(r.history) for r in demo.requests)


def test_readings_read_back_as_generated(loaded: Engine, demo: DemoData) -> None:
    tou = next(m for m in demo.meters if m.normal_wh is not None)
    flagged = next(m for m in demo.meters if m.index_down_at)
    with loaded.connect() as connection:
        for meter in (demo.meters[0], tou, flagged):
            rows = connection.execute(
                select(Reading.read_at, Reading.index_wh, Reading.normal_wh, Reading.flag)
                .join(Meter, Meter.id == Reading.meter_pk)
                .where(Meter.meter_id == meter.meter_id)
                .order_by(Reading.read_at)
            ).all()
            assert [r.read_at for r in rows] == [
                datetime.fromtimestamp(epoch, tz=UTC) for epoch in meter.read_at
            ]
            assert [r.index_wh for r in rows] == list(meter.index_wh)
            if meter.normal_wh is not None:
                assert [r.normal_wh for r in rows] == list(meter.normal_wh)
            assert [k for k, r in enumerate(rows) if r.flag] == list(meter.index_down_at)


def test_read_at_is_queryable_by_moment(loaded: Engine, demo: DemoData) -> None:
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=ZONE)
    with loaded.connect() as connection:
        today_reads = connection.execute(
            select(func.count())
            .select_from(Reading)
            .where(Reading.read_at >= midnight, Reading.read_at < midnight + timedelta(minutes=10))
        ).scalar_one()
    assert today_reads == sum(1 for m in demo.meters if m.removed_at is None)


def test_daily_use_shows_the_leak(loaded: Engine, demo: DemoData) -> None:
    leak = next(f for f in demo.faults if f.fault is Fault.LEAK)
    with loaded.connect() as connection:
        use = {
            row.day: row.used_wh
            for row in connection.execute(
                select(DailyUsage.day, DailyUsage.used_wh)
                .join(Meter, Meter.id == DailyUsage.meter_pk)
                .where(Meter.meter_id == leak.meter_id)
            )
        }
    during = [v for day, v in use.items() if day >= leak.first_day]
    before = [
        v for day, v in use.items() if leak.first_day - timedelta(days=21) <= day < leak.first_day
    ]
    assert max(use) == TODAY - timedelta(days=1)
    assert sum(during) / len(during) > 1.4 * sum(before) / len(before)


def test_daily_use_covers_every_day_of_a_clean_meter(loaded: Engine, demo: DemoData) -> None:
    faulty = {f.meter_id for f in demo.faults}
    meter = next(m for m in demo.meters if m.meter_id not in faulty)
    with loaded.connect() as connection:
        used = (
            connection.execute(
                select(DailyUsage.used_wh)
                .join(Meter, Meter.id == DailyUsage.meter_pk)
                .where(Meter.meter_id == meter.meter_id)
                .order_by(DailyUsage.day)
            )
            .scalars()
            .all()
        )
    assert used == [b - a for a, b in zip(meter.index_wh, meter.index_wh[1:], strict=False)]


def test_bills_read_back_with_their_customer(loaded: Engine, demo: DemoData) -> None:
    with loaded.connect() as connection:
        rows = connection.execute(
            select(Bill.bill_no, Customer.customer_code, Bill.kwh, Bill.total, Bill.paid_at)
            .join(Customer, Customer.id == Bill.customer_id)
            .order_by(Bill.bill_no)
        ).all()
    expected = sorted(demo.bills, key=lambda b: b.bill_no)
    assert [(r.bill_no, r.customer_code, int(r.kwh), r.total) for r in rows] == [
        (b.bill_no, b.customer_code, b.kwh, b.total) for b in expected
    ]
    assert [r.paid_at for r in rows] == [b.paid_at for b in expected]


def test_postgres_statistics_are_fresh_after_loading(loaded: Engine) -> None:
    """The service plans its first statements on real figures, as after an import."""
    if loaded.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    with loaded.connect() as connection:
        analysed = dict(
            connection.exec_driver_sql(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE schemaname = current_schema()"
            ).all()
        )
    for table in ("customers", "meters", "readings", "daily_usage", "bills", "outages"):
        assert analysed[table], table
    assert not analysed["chat_users"]  # an empty table analysed would be planned as empty
