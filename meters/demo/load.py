"""`load_demo`: write a generated demo data set into an empty store, in the caller's transaction.

Readings go in bulk: the raw driver's `executemany` on SQLite and `COPY` on PostgreSQL, both in
key order; everything else through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, insert, select

from meters.demo.model import DemoData, DemoMeter
from meters.demo.readings import moment
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
from meters.usage_store import INDEX_DOWN, refresh_daily_usage

BATCH = 50_000
REFRESH_DAYS = 31
READING_COLUMNS = ("meter_pk", "read_at", "index_wh", "normal_wh", "peak_wh", "offpeak_wh", "flag")
COPY_READINGS = (
    "COPY readings (meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag) FROM STDIN"
)
INSERT_READINGS = (
    "INSERT INTO readings (meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """How many rows of each kind were written."""

    customers: int
    meters: int
    readings: int
    daily_usage: int
    bills: int
    outages: int
    payment_points: int
    requests: int


def _reading_rows(
    meter: DemoMeter, meter_pk: int, to_moment: Callable[[int], Any]
) -> Iterator[tuple[Any, ...]]:
    flagged = set(meter.index_down_at)
    normal, peak, offpeak = meter.normal_wh, meter.peak_wh, meter.offpeak_wh
    for position, (epoch, index_wh) in enumerate(zip(meter.read_at, meter.index_wh, strict=True)):
        yield (
            meter_pk,
            to_moment(epoch),
            index_wh,
            None if normal is None else normal[position],
            None if peak is None else peak[position],
            None if offpeak is None else offpeak[position],
            INDEX_DOWN if position in flagged else None,
        )


def _sqlite_text(connection: Connection) -> Callable[[int], str]:
    """Epoch seconds to the text SQLAlchemy stores for `read_at` on SQLite, fast.

    The result is checked against the column type's own processor, so a change of SQLAlchemy's
    storage format fails loudly instead of storing text that queries would not match.
    """
    dialect = connection.dialect
    processor = Reading.__table__.c.read_at.type.dialect_impl(dialect).bind_processor(dialect)
    days: dict[int, str] = {}

    def to_text(epoch: int) -> str:
        day, seconds = divmod(epoch, 86400)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = f"{moment(day * 86400):%Y-%m-%d}"
            expected = processor(moment(epoch)) if processor else None
            if expected != _format(prefix, seconds):
                raise RuntimeError(f"unexpected SQLite datetime format {expected!r}")
        return _format(prefix, seconds)

    return to_text


def _format(prefix: str, seconds: int) -> str:
    return f"{prefix} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000000"


def _write_readings(connection: Connection, rows: Iterator[tuple[Any, ...]]) -> int:
    """Insert reading rows (in key order) the fastest way the database offers; return the count."""
    dialect = connection.dialect
    driver: Any = connection.connection.driver_connection
    count = 0
    if dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(COPY_READINGS) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    if dialect.name == "sqlite":
        cursor = driver.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(INSERT_READINGS, batch)
                count, batch = count + len(batch), []
        cursor.executemany(INSERT_READINGS, batch)
        cursor.close()
        return count + len(batch)
    batch_dicts: list[dict[str, Any]] = []
    for row in rows:
        batch_dicts.append(dict(zip(READING_COLUMNS, row, strict=True)))
        if len(batch_dicts) == BATCH:
            connection.execute(insert(Reading), batch_dicts)
            count, batch_dicts = count + len(batch_dicts), []
    if batch_dicts:
        connection.execute(insert(Reading), batch_dicts)
    return count + len(batch_dicts)


def _refresh_in_chunks(
    connection: Connection, first_day: date, last_day: date, zone: ZoneInfo
) -> int:
    """Materialise daily use month by month: one refresh of a whole year is much slower."""
    written = 0
    start = first_day
    while start <= last_day:
        end = min(last_day, start + timedelta(days=REFRESH_DAYS - 1))
        written += refresh_daily_usage(connection, start, end, zone)
        start = end + timedelta(days=1)
    return written


def _keys(connection: Connection, query: Select[str, int]) -> dict[str, int]:
    """Map natural keys to the primary keys the database gave."""
    return {row[0]: row[1] for row in connection.execute(query)}


def load_demo(connection: Connection, demo: DemoData, zone: ZoneInfo) -> LoadSummary:
    """Write `demo` (customers, meters, readings, daily use, bills, outages, points, requests)."""
    loaded_at = datetime.combine(demo.today, time(0), tzinfo=zone)
    connection.execute(
        insert(Customer),
        [
            {
                "customer_code": c.customer_code,
                "name": c.name,
                "phone": c.phone,
                "address": c.address,
                "area": c.area,
                "customer_type": c.customer_type,
                "households": c.households,
                "voltage_kv": c.voltage_kv,
                "station": c.station,
                "reading_day": c.reading_day,
                "power_company": c.power_company,
                "updated_at": loaded_at,
            }
            for c in demo.customers
        ],
    )
    customer_pks = _keys(connection, select(Customer.customer_code, Customer.id))
    connection.execute(
        insert(Meter),
        [
            {
                "meter_id": m.meter_id,
                "customer_id": customer_pks[m.customer_code],
                "kind": m.kind,
                "installed_at": m.installed_at,
                "removed_at": m.removed_at,
            }
            for m in demo.meters
        ],
    )
    meter_pks = _keys(connection, select(Meter.meter_id, Meter.id))
    ordered = sorted(demo.meters, key=lambda meter: meter_pks[meter.meter_id])
    to_moment = _sqlite_text(connection) if connection.dialect.name == "sqlite" else moment
    readings = _write_readings(
        connection,
        (
            row
            for meter in ordered
            for row in _reading_rows(meter, meter_pks[meter.meter_id], to_moment)
        ),
    )
    daily = _refresh_in_chunks(connection, demo.first_day, demo.today - timedelta(days=1), zone)
    _write_bills(connection, demo, customer_pks)
    _write_outages(connection, demo)
    if demo.payment_points:
        connection.execute(
            insert(PaymentPoint),
            [
                {
                    "point_id": p.point_id,
                    "name": p.name,
                    "address": p.address,
                    "area": p.area,
                    "lat": p.lat,
                    "lon": p.lon,
                    "opening_hours": p.opening_hours,
                    "kind": p.kind,
                }
                for p in demo.payment_points
            ],
        )
    _write_requests(connection, demo, customer_pks)
    if connection.dialect.name == "postgresql":
        _analyze(connection)
    return LoadSummary(
        customers=len(demo.customers),
        meters=len(demo.meters),
        readings=readings,
        daily_usage=daily,
        bills=len(demo.bills),
        outages=len(demo.outages),
        payment_points=len(demo.payment_points),
        requests=len(demo.requests),
    )


def _analyze(connection: Connection) -> None:
    """Fresh planner statistics for the tables written, as the importers leave them: the
    service's statements are planned on these figures from its first question on."""
    for table in (
        Customer,
        Meter,
        Reading,
        DailyUsage,
        Bill,
        Outage,
        OutageStation,
        PaymentPoint,
        ServiceRequest,
        RequestStatusChange,
    ):
        connection.exec_driver_sql(f"ANALYZE {table.__tablename__}")


def _write_bills(connection: Connection, demo: DemoData, customer_pks: dict[str, int]) -> None:
    if not demo.bills:
        return
    connection.execute(
        insert(Bill),
        [
            {
                "bill_no": b.bill_no,
                "customer_id": customer_pks[b.customer_code],
                "period_start": b.period_start,
                "period_end": b.period_end,
                "kwh": b.kwh,
                "amount_before_vat": b.amount_before_vat,
                "vat": b.vat,
                "total": b.total,
                "due_date": b.due_date,
                "paid_at": b.paid_at,
            }
            for b in demo.bills
        ],
    )


def _write_outages(connection: Connection, demo: DemoData) -> None:
    if not demo.outages:
        return
    connection.execute(
        insert(Outage),
        [
            {
                "outage_id": o.outage_id,
                "starts_at": o.starts_at,
                "ends_at": o.ends_at,
                "area": o.area,
                "reason": o.reason,
                "announced_at": o.announced_at,
            }
            for o in demo.outages
        ],
    )
    stations = [
        {"outage_id": o.outage_id, "station": station}
        for o in demo.outages
        for station in o.stations
    ]
    if stations:
        connection.execute(insert(OutageStation), stations)


def _write_requests(connection: Connection, demo: DemoData, customer_pks: dict[str, int]) -> None:
    if not demo.requests:
        return
    connection.execute(
        insert(ServiceRequest),
        [
            {
                "request_id": r.request_id,
                "customer_id": customer_pks[r.customer_code],
                "service_type": r.service_type,
                "status": r.status,
                "created_at": r.history[0].changed_at,
                "updated_at": r.history[-1].changed_at,
            }
            for r in demo.requests
        ],
    )
    connection.execute(
        insert(RequestStatusChange),
        [
            {
                "request_id": r.request_id,
                "status": step.status,
                "changed_at": step.changed_at,
                "note": step.note,
            }
            for r in demo.requests
            for step in r.history
        ],
    )
