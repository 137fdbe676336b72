"""`dienbot import readings` on a 3,000,000-row CSV against a raw baseline on the same file.

Usage: python -m bench import   (through scripts/with-test-postgres.sh for PostgreSQL)
Environment: DIENBOT_BENCH_IMPORT_ROWS (default 3000000; the memory check also runs a third of it);
DIENBOT_BENCH_IMPORT_REFRESH=1 includes the daily-usage refresh that follows the merge (by default
it is left out: `meters.usage_store` is measured by its own benchmark, and it dominates here).

The file holds rows // 10 meters x 10 daily readings, sorted by meter then time (a backfill
export). Every run is a fresh child process on a fresh database holding the customers and
meters; the child reports its wall time and peak RSS.

Baselines, same file, same run, one transaction, into a table shaped like `readings`
(primary key (meter_id, read_at) and an index (read_at, meter_id, index_kwh)) that stores the
CSV texts as they are: SQLite: csv module + sqlite3 `executemany` with the store's pragmas;
PostgreSQL: csv module + psycopg `COPY … FROM STDIN` (`write_row`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = 10

CHILD = r"""
import csv, json, sys, time
from pathlib import Path
mode, url, csv_path = sys.argv[1:4]
phases = {}

def own_peak_mib():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's at spawn time
    status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
    return int(status.split()[0]) / 1024

peaks = {}  # peak RSS (MiB) reached by the end of each phase

def timed(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0) + time.perf_counter() - started
            peaks[name] = own_peak_mib()
    setattr(module, name, wrapper)

if mode == "import":
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo
    from meters.database import create_store_engine
    from meters.importer import ImportContext, import_file
    from meters.importer import readings_append, readings_sql
    timed(readings_append, "append_readings")
    for name in ("stage_readings", "check_meters", "merge", "flag_index_down", "refresh_usage"):
        timed(readings_sql, name)
    if sys.argv[4] == "no-refresh":
        # meters.usage_store has its own benchmark (bench daily_use); here it would dominate
        readings_sql.refresh_usage = lambda *args: None
    if sys.argv[5] == "fk-trigger":
        # as for a role that may not set session_replication_role: a trigger checks each row
        from meters.importer import readings_store
        readings_store._MAY_SKIP_ROW_TRIGGERS = "SELECT false"
    engine = create_store_engine(url)
    context = ImportContext(ZoneInfo("Asia/Ho_Chi_Minh"), datetime.now(UTC))
    started, cpu_started = time.perf_counter(), time.process_time()
    with engine.begin() as connection:
        summary = import_file(connection, "readings", Path(csv_path), context)
    seconds = time.perf_counter() - started
    extra = {"summary": summary.as_json(), "phases": phases, "peaks": peaks}
elif mode == "raw-sqlite":
    import sqlite3
    from meters.database import SQLITE_PRAGMAS
    connection = sqlite3.connect(url, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(pragma)
    started, cpu_started = time.perf_counter(), time.process_time()
    connection.execute("BEGIN")
    with open(csv_path, newline="", encoding="utf-8") as stream:
        rows = csv.reader(stream)
        next(rows)
        connection.executemany("INSERT INTO raw_readings VALUES (?, ?, ?)", rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    extra = {}
else:
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor, cursor.copy(
            "COPY raw_readings FROM STDIN"
        ) as copy, open(csv_path, newline="", encoding="utf-8") as stream:
            rows = csv.reader(stream)
            next(rows)
            for row in rows:
                copy.write_row(row)
        connection.commit()
        seconds = time.perf_counter() - started
    extra = {}
peak = own_peak_mib()
# this process only: all of SQLite's work, none of PostgreSQL's server
cpu = time.process_time() - cpu_started
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak, **extra}))
"""

RAW_TABLE = (
    "CREATE TABLE raw_readings (meter_id TEXT, read_at TEXT, index_kwh TEXT,"
    " PRIMARY KEY (meter_id, read_at))",
    "CREATE INDEX ix_raw_readings_read_at ON raw_readings (read_at, meter_id, index_kwh)",
)


def write_file(path: Path, rows: int) -> None:
    """rows // DAYS meters, DAYS readings each, meter-sorted; the index grows by day."""
    with path.open("w") as stream:
        stream.write("meter_id,read_at,index_kwh\n")
        for meter in range(rows // DAYS):
            base = (meter * 37) % 5000
            stream.write(
                "".join(
                    f"PE{meter:010d},2026-11-{day + 1:02d}T00:00:00,{base + day * 7.25:.3f}\n"
                    for day in range(DAYS)
                )
            )


def prepare(url: str, meters: int) -> None:
    """Migrate the store and load the customers and meters the readings refer to."""
    from sqlalchemy import text

    from meters.database import create_store_engine, upgrade

    engine = create_store_engine(url)
    upgrade(engine)
    stamp = "2025-01-01 00:00:00.000000"
    customers = (
        (
            f"PE01{n:08d}",
            f"Khách {n}",
            "0912345678",
            "Địa chỉ",
            "Quận 1",
            "residential",
            1,
            0.4,
            15,
            stamp,
        )
        for n in range(meters)
    )
    meter_rows = ((f"PE{n:010d}", n + 1, "single", stamp) for n in range(meters))
    with engine.begin() as connection:
        driver = connection.connection.driver_connection
        columns = (
            "customer_code, name, phone, address, area, customer_type, households, voltage_kv,"
            " reading_day, updated_at"
        )
        if engine.dialect.name == "sqlite":
            cursor = driver.cursor()  # type: ignore[union-attr]
            cursor.executemany(
                f"INSERT INTO customers ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?)", customers
            )
            cursor.executemany(
                "INSERT INTO meters (meter_id, customer_id, kind, installed_at) VALUES (?,?,?,?)",
                meter_rows,
            )
        else:
            with driver.cursor() as cursor:  # type: ignore[union-attr]
                with cursor.copy(f"COPY customers ({columns}) FROM STDIN") as copy:
                    for row in customers:
                        copy.write_row((*row[:-1], stamp + "+00"))
                with cursor.copy(
                    "COPY meters (meter_id, customer_id, kind, installed_at) FROM STDIN"
                ) as copy:
                    for row in meter_rows:
                        copy.write_row((*row[:-1], stamp + "+00"))
        for statement in RAW_TABLE:
            connection.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def run_child(mode: str, url: str, path: Path, *, fk_trigger: bool = False) -> dict[str, object]:
    """Run one measured child process and return what it reported."""
    refresh = "refresh" if os.environ.get("DIENBOT_BENCH_IMPORT_REFRESH") else "no-refresh"
    trigger = "fk-trigger" if fk_trigger else "fk-as-allowed"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, url, str(path), refresh, trigger],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


class _Databases:
    """Fresh databases: SQLite files in a directory, PostgreSQL schemas on the test server."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.postgres = os.environ.get("DIENBOT_TEST_POSTGRES_URL")
        self.schemas: list[str] = []

    def engines(self) -> list[str]:
        return ["sqlite", "postgresql"] if self.postgres else ["sqlite"]

    def new(self, engine: str) -> tuple[str, str]:
        """(SQLAlchemy URL, URL or path for the raw baseline) of a new, empty database."""
        if engine == "sqlite":
            path = self.directory / f"{uuid.uuid4().hex[:8]}.db"
            return f"sqlite:///{path}", str(path)
        from sqlalchemy import create_engine, text

        assert self.postgres is not None
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.postgres.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        self.schemas.append(schema)
        base = self.postgres.replace("postgresql://", "postgresql+psycopg://")
        url = f"{base}?options=-csearch_path%3D{schema}"
        return url, url


def main() -> None:
    """Print rows/s and peak RSS of the importer and of the raw baseline on each engine."""
    rows = int(os.environ.get("DIENBOT_BENCH_IMPORT_ROWS", "3000000"))
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        directory = Path(scratch)
        databases = _Databases(directory)
        files = {}
        for count in (rows // 3, rows):
            files[count] = directory / f"readings-{count}.csv"
            write_file(files[count], count)
        print(
            f"file: {rows} rows, {files[rows].stat().st_size / 1e6:.0f} MB; "
            f"{rows // DAYS} meters x {DAYS} days, meter-sorted"
        )
        for engine in databases.engines():
            url, raw_url = databases.new(engine)
            prepare(url, rows // DAYS)
            raw = run_child(f"raw-{engine}", raw_url, files[rows])
            imported = run_child("import", url, files[rows])
            ratio = float(imported["seconds"]) / float(raw["seconds"])  # type: ignore[arg-type]
            print(f"\n[{engine}] {rows} rows")
            for name, result in (("raw baseline", raw), ("dienbot import", imported)):
                seconds = float(result["seconds"])  # type: ignore[arg-type]
                print(
                    f"  {name:15s} {seconds:7.1f} s  {rows / seconds / 1000:6.0f} k rows/s"
                    f"  peak RSS {float(result['peak_mib']):5.0f} MiB"
                )  # type: ignore[arg-type]
            phases = imported.get("phases", {})
            print(
                "  phases: "
                + ", ".join(
                    f"{name} {seconds:.1f} s"
                    for name, seconds in phases.items()  # type: ignore[union-attr]
                )
            )
            peaks = imported.get("peaks", {})
            print(
                "  peak RSS by the end of: "
                + ", ".join(
                    f"{name} {mib:.0f} MiB"
                    for name, mib in peaks.items()  # type: ignore[union-attr]
                )
            )
            print(f"  summary: {imported['summary']}")
            print(f"  import / raw time: {ratio:.2f}x (target <= 1.5x)")
            if engine == "sqlite":
                cpu_ratio = float(imported["cpu_seconds"]) / float(raw["cpu_seconds"])  # type: ignore[arg-type]
                print(
                    f"  import / raw CPU time of the process: {cpu_ratio:.2f}x"
                    " (less sensitive to other load on the machine)"
                )
            if engine == "postgresql":
                # the test server's role is a superuser: show the other case too
                trigger_url, _ = databases.new(engine)
                prepare(trigger_url, rows // DAYS)
                checked = run_child("import", trigger_url, files[rows], fk_trigger=True)
                seconds = float(checked["seconds"])  # type: ignore[arg-type]
                print(
                    f"  with the foreign-key trigger per row (a role without the privilege):"
                    f" {seconds:.1f} s, {rows / seconds / 1000:.0f} k rows/s,"
                    f" {seconds / float(raw['seconds']):.2f}x"  # type: ignore[arg-type]
                )
            small_url, _ = databases.new(engine)
            prepare(small_url, rows // 3 // DAYS)
            small = run_child("import", small_url, files[rows // 3])
            print(
                f"  memory: peak RSS {float(small['peak_mib']):.0f} MiB at {rows // 3} rows,"  # type: ignore[arg-type]
                f" {float(imported['peak_mib']):.0f} MiB at {rows} rows"
            )  # type: ignore[arg-type]
