"""Helpers of the importer tests: CSV files on disk, an import call, a snapshot of the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from meters.importer import ImportContext, ImportRejected, ImportSummary, import_file
from meters.schema import Base

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
CONTEXT = ImportContext(zone=ZONE, now=NOW)

CUSTOMERS_HEADER = (
    "customer_code,name,phone,address,area,customer_type,meter_id,meter_kind,reading_day,"
    "installed_at"
)


def customer_line(number: int, meter_kind: str = "single", meter_id: str | None = None) -> str:
    """One valid customers.csv row for customer `number`."""
    meter = meter_id or f"M{number:05d}"
    return (
        f"PE01{number:08d},Nguyễn Văn {number},09{number:08d},{number} Lê Lợi,Quận 1,"
        f"residential,{meter},{meter_kind},15,2025-01-01"
    )


WriteCsv = Callable[[str, str], Path]
RunImport = Callable[..., ImportSummary]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write a CSV text (lines joined by newlines) to a file and return its path."""

    def write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content if content.endswith("\n") or not content else content + "\n")
        return path

    return write


@pytest.fixture
def run_import(engine: Engine) -> RunImport:
    """Import a file into the test store in one transaction, like the command does."""

    def run(kind: str, path: Path, context: ImportContext = CONTEXT) -> ImportSummary:
        with engine.begin() as connection:
            return import_file(connection, kind, path, context)

    return run


def rejected_lines(run: RunImport, kind: str, path: Path) -> tuple[str, ...]:
    """The report of an import that must be rejected."""
    with pytest.raises(ImportRejected) as caught:
        run(kind, path)
    return caught.value.lines


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted, to prove an import changed nothing."""
    with engine.connect() as connection:
        return {
            name: sorted(
                (tuple(row) for row in connection.execute(text(f"SELECT * FROM {name}"))),  # noqa: S608
                key=repr,
            )
            for name in Base.metadata.tables
        }


def scratch_tables(engine: Engine) -> list[str]:
    """Tables left behind by an import (there must be none)."""
    from sqlalchemy import inspect

    return [name for name in inspect(engine).get_table_names() if name.startswith("import_")]


@pytest.fixture
def customers_loaded(run_import: RunImport, write_csv: WriteCsv) -> ImportSummary:
    """Three single-rate customers (meters M00001–M00003) and one tou customer (T00004)."""
    rows = [customer_line(number) for number in (1, 2, 3)]
    rows.append(customer_line(4, meter_kind="tou", meter_id="T00004"))
    return run_import(
        "customers", write_csv("customers.csv", "\n".join([CUSTOMERS_HEADER, *rows]))
    )
