"""Random files never crash the importer, and a rejected file never writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from meters.importer import ImportRejected, import_file
from tests.meters.importer.conftest import CONTEXT, snapshot

pytestmark = pytest.mark.usefixtures("customers_loaded")

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

READING_VALUES = st.one_of(
    st.sampled_from(["M00001", "M00002", "T00004", "NOPE", "", "2026-11-20", "2026-11-20T07:00"]),
    st.sampled_from(["10", "10.5", "-1", "1.2345", "abc", "1e3", "９", '"', "\x00", "a,b"]),
    st.text(max_size=12),
)


def attempt(engine: Engine, tmp_path: Path, kind: str, content: bytes) -> None:
    """Import `content`; it may succeed, or be rejected with the store untouched."""
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content)
    before = snapshot(engine)
    report: tuple[str, ...] = ()
    try:
        with engine.begin() as connection:
            import_file(connection, kind, path, CONTEXT)
    except ImportRejected as rejected:
        report = rejected.lines
    if report:
        assert all(line.startswith(f"{path}:") for line in report)
        assert snapshot(engine) == before


@FUZZ
@given(
    kind=st.sampled_from(["readings", "customers", "bills", "outages", "requests"]),
    content=st.binary(max_size=300),
)
def test_random_bytes_never_crash(
    engine: Engine, tmp_path: Path, kind: str, content: bytes
) -> None:
    attempt(engine, tmp_path, kind, content)


@FUZZ
@given(
    rows=st.lists(st.lists(READING_VALUES, min_size=2, max_size=7), min_size=1, max_size=6),
    header=st.sampled_from(
        [
            "meter_id,read_at,index_kwh",
            "meter_id,read_at,index_kwh,index_normal,index_peak,index_offpeak",
            "read_at,meter_id,index_kwh,extra",
        ]
    ),
)
def test_random_reading_rows_never_crash(
    engine: Engine, tmp_path: Path, rows: list[list[str]], header: str
) -> None:
    lines = [header] + [",".join(row) for row in rows]
    attempt(engine, tmp_path, "readings", "\n".join(lines).encode("utf-8", "surrogatepass"))
