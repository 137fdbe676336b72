"""Daily use of every meter for one day: materialise with refresh_daily_usage, then read.

Loads METERS meters (default 3,000,000; `DIENBOT_BENCH_METERS` overrides) with one 00:05
reading on each of three days, meter-sorted through the fast path (sqlite3 executemany,
psycopg COPY), then times on each engine:

- `refresh_daily_usage` for the middle day (INSERT … SELECT of every meter's row);
- the one-query daily-use SELECT over readings (self-join of the two boundary windows on the
  `(read_at, meter_pk, index_wh)` index), aggregated server-side and fetched into Python;
- reading the materialised day back from `daily_usage`.

Target: daily use of all meters for one day in one query under 10 s on PostgreSQL.
PostgreSQL runs only when DIENBOT_TEST_POSTGRES_URL is set (scripts/with-test-postgres.sh).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, text

from meters.database import create_store_engine, normalise_url, upgrade
from meters.usage_store import BOUNDARY_TOLERANCE, local_midnight, refresh_daily_usage

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY = date(2026, 11, 19)
DAYS = 3
TARGET_SECONDS = 10.0
CHUNK = 100_000

EXACT_DAILY_USE = """
SELECT b.meter_pk, e.index_wh - b.index_wh AS used_wh
FROM readings b
JOIN readings e ON e.meter_pk = b.meter_pk AND e.read_at >= :end_at AND e.read_at <= :end_until
WHERE b.read_at >= :start_at AND b.read_at <= :start_until
"""


def meter_count() -> int:
    """How many meters to load."""
    return int(os.environ.get("DIENBOT_BENCH_METERS", "3000000"))


def reading_moments() -> list[datetime]:
    """The 00:05 local reading time of each loaded day, in UTC."""
    return [
        local_midnight(FIRST_DAY + timedelta(days=offset), ZONE) + timedelta(minutes=5)
        for offset in range(DAYS)
    ]


def index_of(meter: int, day_offset: int) -> int:
    """A deterministic register value (Wh) of `meter` after `day_offset` days."""
    return 1_000_000 + meter * 7 + day_offset * (3000 + meter % 9000)


def timed(label: str, action: Callable[[], Any]) -> Any:
    """Run `action`, print how long it took, return its result."""
    started = time.perf_counter()
    result = action()
    print(f"  {label}: {time.perf_counter() - started:.2f} s", flush=True)
    return result


def load_sqlite(engine: Engine, meters: int) -> None:
    """Load customers, meters and readings with raw sqlite3 executemany, meter-sorted."""
    installed = "2020-01-01 00:00:00.000000"
    moments = [moment.strftime("%Y-%m-%d %H:%M:%S.%f") for moment in reading_moments()]
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(
            "INSERT INTO customers (id, customer_code, name, phone, address, area, customer_type,"
            " households, voltage_kv, reading_day, updated_at) VALUES"
            " (1, 'PE0400000001', 'Bench', '0900000000', '-', 'Bench', 'residential',"
            f" 1, 0.4, 5, '{installed}')"
        )
        for start in range(1, meters + 1, CHUNK):
            stop = min(start + CHUNK, meters + 1)
            cursor.executemany(
                "INSERT INTO meters (id, meter_id, customer_id, kind, installed_at)"
                " VALUES (?, ?, 1, 'single', ?)",
                [(pk, f"PE{pk:010d}", installed) for pk in range(start, stop)],
            )
            cursor.executemany(
                "INSERT INTO readings (meter_pk, read_at, index_wh) VALUES (?, ?, ?)",
                [
                    (pk, moment, index_of(pk, offset))
                    for pk in range(start, stop)
                    for offset, moment in enumerate(moments)
                ],
            )


def load_postgres(engine: Engine, meters: int) -> None:
    """Load customers, meters and readings with psycopg COPY, meter-sorted."""
    installed = datetime(2020, 1, 1, tzinfo=UTC)
    moments = reading_moments()
    with engine.begin() as connection:
        driver = connection.connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        cursor.execute(
            "INSERT INTO customers (id, customer_code, name, phone, address, area, customer_type,"
            " households, voltage_kv, reading_day, updated_at) VALUES"
            " (1, 'PE0400000001', 'Bench', '0900000000', '-', 'Bench', 'residential',"
            " 1, 0.4, 5, now())"
        )
        with cursor.copy(
            "COPY meters (id, meter_id, customer_id, kind, installed_at) FROM STDIN"
        ) as copy:
            for pk in range(1, meters + 1):
                copy.write_row((pk, f"PE{pk:010d}", 1, "single", installed))
        with cursor.copy("COPY readings (meter_pk, read_at, index_wh) FROM STDIN") as copy:
            for pk in range(1, meters + 1):
                for offset, moment in enumerate(moments):
                    copy.write_row((pk, moment, index_of(pk, offset)))
        cursor.execute("SELECT setval('meters_id_seq', %s)", (meters,))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE"
        )


def measure(engine: Engine, loader: Callable[[Engine, int], None], meters: int) -> None:
    """Load the data set and print the timings on one engine."""
    upgrade(engine)
    timed(f"load {meters:,} meters x {DAYS} days (meter-sorted)", lambda: loader(engine, meters))
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    day = FIRST_DAY + timedelta(days=1)
    with engine.begin() as connection:
        written = timed(
            f"refresh_daily_usage({day}) for all meters",
            lambda: refresh_daily_usage(connection, day, day, ZONE),
        )
    print(f"    rows written: {written:,}")
    start_at = local_midnight(day, ZONE)
    end_at = local_midnight(day + timedelta(days=1), ZONE)
    window: dict[str, datetime | str] = {
        "start_at": start_at,
        "start_until": start_at + BOUNDARY_TOLERANCE,
        "end_at": end_at,
        "end_until": end_at + BOUNDARY_TOLERANCE,
    }
    if engine.dialect.name == "sqlite":
        window = {
            key: value.strftime("%Y-%m-%d %H:%M:%S.%f")
            for key, value in window.items()
            if isinstance(value, datetime)
        }
    aggregate = f"SELECT count(*), sum(used_wh) FROM ({EXACT_DAILY_USE}) AS daily"
    with engine.connect() as connection:
        count, total = timed(
            "one-query daily use over readings, aggregated (target < 10 s)",
            lambda: connection.execute(text(aggregate), window).one(),
        )
        print(f"    meters: {count:,}, total {total / 1000:,.0f} kWh")
        rows = timed(
            "one-query daily use over readings, fetched",
            lambda: connection.execute(text(EXACT_DAILY_USE), window).all(),
        )
        print(f"    rows fetched: {len(rows):,}")
        materialised = timed(
            "materialised day from daily_usage, fetched",
            lambda: connection.execute(
                text("SELECT meter_pk, used_wh FROM daily_usage WHERE day = :day"),
                {"day": day.isoformat() if engine.dialect.name == "sqlite" else day},
            ).all(),
        )
        print(f"    rows fetched: {len(materialised):,}")


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    """An engine on a new PostgreSQL schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    engine = create_store_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def main() -> None:
    """Print the daily-use timings on SQLite and, when available, PostgreSQL."""
    meters = meter_count()
    with tempfile.TemporaryDirectory() as directory:
        print("SQLite:")
        engine = create_store_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            measure(engine, load_sqlite, meters)
        finally:
            engine.dispose()
    url = os.environ.get("DIENBOT_TEST_POSTGRES_URL")
    if not url:
        print("PostgreSQL: skipped (DIENBOT_TEST_POSTGRES_URL is not set)")
        return
    print("PostgreSQL:")
    with postgres_engine(url) as engine:
        measure(engine, load_postgres, meters)


if __name__ == "__main__":
    main()
