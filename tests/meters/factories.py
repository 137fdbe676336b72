"""Small builders of customers, meters and readings written with plain SQLAlchemy inserts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select

from meters.schema import Customer, DailyUsage, Meter, Reading

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
KWH = 1000


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """An aware moment at `hour:minute` local time (Asia/Ho_Chi_Minh) on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def add_customer(connection: Connection, code: str = "PE0400000001", reading_day: int = 5) -> int:
    """Store a residential customer and return its primary key."""
    result = connection.execute(
        insert(Customer).values(
            customer_code=code,
            name="Nguyễn Văn An",
            phone="0901234567",
            address="12 Lê Lợi, Quận 1",
            area="Quận 1",
            customer_type="residential",
            station="TBA-01",
            reading_day=reading_day,
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def add_meter(
    connection: Connection,
    customer_pk: int,
    meter_id: str = "M0001",
    *,
    kind: str = "single",
    installed_at: datetime | None = None,
    removed_at: datetime | None = None,
) -> int:
    """Store a meter of `customer_pk` and return its primary key."""
    result = connection.execute(
        insert(Meter).values(
            meter_id=meter_id,
            customer_id=customer_pk,
            kind=kind,
            installed_at=installed_at or datetime(2020, 1, 1, tzinfo=UTC),
            removed_at=removed_at,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def add_reading(
    connection: Connection,
    meter_pk: int,
    read_at: datetime,
    index_wh: int,
    *,
    tou: tuple[int, int, int] | None = None,
    flag: str | None = None,
) -> None:
    """Store one register reading (with normal, peak, off-peak registers for tou meters)."""
    normal, peak, offpeak = tou if tou else (None, None, None)
    connection.execute(
        insert(Reading).values(
            meter_pk=meter_pk,
            read_at=read_at,
            index_wh=index_wh,
            normal_wh=normal,
            peak_wh=peak,
            offpeak_wh=offpeak,
            flag=flag,
        )
    )


def add_daily_readings(
    connection: Connection,
    meter_pk: int,
    first_day: date,
    uses_wh: list[int],
    *,
    start_wh: int = 1_000_000,
    minute: int = 5,
) -> int:
    """Store a 00:05 reading at the start of each day and after the last one; the last index."""
    index = start_wh
    add_reading(connection, meter_pk, local(first_day, 0, minute), index)
    for offset, used in enumerate(uses_wh, start=1):
        index += used
        add_reading(
            connection, meter_pk, local(first_day + timedelta(days=offset), 0, minute), index
        )
    return index


def stored_usage(connection: Connection, meter_pk: int) -> dict[date, tuple[int, bool]]:
    """The stored daily use of a meter: day -> (used Wh, estimated)."""
    rows = connection.execute(
        select(DailyUsage.day, DailyUsage.used_wh, DailyUsage.estimated)
        .where(DailyUsage.meter_pk == meter_pk)
        .order_by(DailyUsage.day)
    )
    return {day: (used, bool(estimated)) for day, used, estimated in rows}
