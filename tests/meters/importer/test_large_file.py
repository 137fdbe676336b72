"""A 200 MB readings file streams in bounded memory (peak RSS of a child process)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.meters.importer.conftest import CUSTOMERS_HEADER, RunImport, WriteCsv, customer_line

FILE_BYTES = 200_000_000
METER = "TOU-" + "X" * 28  # the longest meter id: fat rows, fewer of them to validate
ROW = "{meter},{at},{wh}.125,{wh}.000,0.125,0.000\n"
CHILD = """
import json, sys
from pathlib import Path
from sqlalchemy import event
from meters.database import create_store_engine
from meters.importer import ImportRejected, import_file
from tests.meters.importer.conftest import CONTEXT

engine = create_store_engine(sys.argv[1])

@event.listens_for(engine, "connect")
def lean_cache(dbapi_connection, _record):
    # a fixed 16 MiB page cache, so that what grows with the file would show
    dbapi_connection.execute("PRAGMA cache_size=-16384")

try:
    with engine.begin() as connection:
        import_file(connection, "readings", Path(sys.argv[2]), CONTEXT)
    report = []
except ImportRejected as rejected:
    report = list(rejected.lines)
# VmHWM is this process's own peak; ru_maxrss would include the parent's at spawn time
status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
peak_kib = int(status.split()[0])
print(json.dumps({"peak_mib": peak_kib / 1024, "report": report}))
"""


def write_readings(path: Path, size: int) -> int:
    """A valid file of about `size` bytes whose last row is bad; returns that row's line."""
    first = datetime(2000, 1, 1, tzinfo=timezone(timedelta(hours=7)))
    rows = 0
    with path.open("w") as stream:
        stream.write("meter_id,read_at,index_kwh,index_normal,index_peak,index_offpeak\n")
        written = 0
        while written < size:
            block = "".join(
                ROW.format(
                    meter=METER,
                    at=(first + timedelta(minutes=rows + k)).isoformat(timespec="microseconds"),
                    wh=100_000_000_000 + rows + k,
                )
                for k in range(10_000)
            )
            stream.write(block)
            written += len(block)
            rows += 10_000
        stream.write(f"{METER},2099-01-01T00:00,-1,0,0,0\n")
    return rows + 2


def run_child(database_url: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_a_200_mb_file_streams_in_bounded_memory(
    engine: Engine,
    sqlite_url: str,
    tmp_path: Path,
    run_import: RunImport,
    write_csv: WriteCsv,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the 200 MB run is the lean SQLite one (the benchmark covers PostgreSQL)")
    customer = customer_line(1, meter_kind="tou", meter_id=METER)
    run_import("customers", write_csv("customers.csv", f"{CUSTOMERS_HEADER}\n{customer}"))
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_readings(small, 2_000_000)
    last_line = write_readings(large, FILE_BYTES)
    assert large.stat().st_size > FILE_BYTES
    baseline, measured = run_child(sqlite_url, small), run_child(sqlite_url, large)
    assert measured["report"] == [f"{large}:{last_line}: index_kwh: -1 is negative"]
    peak, small_peak = float(measured["peak_mib"]), float(baseline["peak_mib"])  # type: ignore[arg-type]
    assert peak < 120, f"peak RSS {peak:.0f} MiB for 200 MB, {small_peak:.0f} MiB for 2 MB"
    assert peak - small_peak < 25, f"{small_peak:.0f} MiB for 2 MB, {peak:.0f} MiB for 200 MB"
