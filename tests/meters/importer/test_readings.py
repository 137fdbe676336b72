"""readings.csv: staged through the fast paths, merged idempotently, index drops flagged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from meters.importer import ImportSummary
from meters.schema import DailyUsage, Meter, Reading
from tests.meters.importer.conftest import (
    RunImport,
    WriteCsv,
    rejected_lines,
    scratch_tables,
    snapshot,
)

HEADER = "meter_id,read_at,index_kwh"
TOU_HEADER = "meter_id,read_at,index_kwh,index_normal,index_peak,index_offpeak"

pytestmark = pytest.mark.usefixtures("customers_loaded")


def stored(engine: Engine) -> list[tuple[str, datetime, int, str | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Meter.meter_id, Reading.read_at, Reading.index_wh, Reading.flag)
            .join(Meter, Meter.id == Reading.meter_pk)
            .order_by(Meter.meter_id, Reading.read_at)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    return summary.rows, summary.counts.inserted, summary.counts.updated, summary.counts.unchanged


def test_rows_written_by_the_fast_path_read_back_equal_through_the_orm(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                TOU_HEADER,
                "M00001,2026-11-21T00:05,1234.5,,,",
                "M00001,2026-11-21T12:00:00.250000+00:00,1240.125,,,",
                "T00004,2026-11-21 00:00,100,60,15.5,24.5",
            ]
        ),
    )
    summary = run_import("readings", path)
    assert counts(summary) == (3, 3, 0, 0)
    with Session(engine) as session:
        readings = session.scalars(select(Reading).order_by(Reading.read_at)).all()
        by_meter = {meter.id: meter.meter_id for meter in session.scalars(select(Meter))}
        found = [
            (by_meter[r.meter_pk], r.read_at, r.index_wh, r.normal_wh, r.peak_wh, r.offpeak_wh)
            for r in readings
        ]
    assert found == [
        ("T00004", datetime(2026, 11, 20, 17, 0, tzinfo=UTC), 100_000, 60_000, 15_500, 24_500),
        ("M00001", datetime(2026, 11, 20, 17, 5, tzinfo=UTC), 1_234_500, None, None, None),
        (
            "M00001",
            datetime(2026, 11, 21, 12, 0, 0, 250_000, tzinfo=UTC),
            1_240_125,
            None,
            None,
            None,
        ),
    ]
    # the ORM finds each row by the key it would write itself
    with Session(engine) as session:
        local = datetime.fromisoformat("2026-11-21T00:05+07:00")
        assert session.get(Reading, (readings[1].meter_pk, local)) is not None
    assert scratch_tables(engine) == []


def test_importing_the_same_file_twice_changes_nothing(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv("r.csv", "\n".join([HEADER, "M00001,2026-11-20,10", "M00001,2026-11-21,12"]))
    assert counts(run_import("readings", path)) == (2, 2, 0, 0)
    before = snapshot(engine)
    assert counts(run_import("readings", path)) == (2, 0, 0, 2)
    assert snapshot(engine) == before


def test_a_changed_row_updates_and_the_others_stay(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import(
        "readings", write_csv("a.csv", f"{HEADER}\nM00001,2026-11-20,10\nM00002,2026-11-20,5")
    )
    summary = run_import(
        "readings",
        write_csv(
            "b.csv", f"{HEADER}\nM00002,2026-11-20,6\nM00001,2026-11-20,10\nM00003,2026-11-20,1"
        ),
    )
    assert counts(summary) == (3, 1, 1, 1)
    assert [row[2] for row in stored(engine)] == [10_000, 6_000, 1_000]


def test_an_index_that_goes_down_is_stored_flagged_and_reported(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "r.csv", f"{HEADER}\nM00001,2026-11-19,10\nM00001,2026-11-20,12\nM00001,2026-11-21,11.5"
    )
    summary = run_import("readings", path)
    assert summary.flagged == 1
    assert summary.warnings == (
        f"{path}:4: index_kwh: 11.500 kWh is below the previous reading"
        " (12.000 kWh at 2026-11-20T00:00+07:00) (flagged)",
    )
    assert [row[3] for row in stored(engine)] == [None, None, "index_down"]


def test_a_late_reading_is_compared_with_its_neighbours_in_time(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import(
        "readings", write_csv("a.csv", f"{HEADER}\nM00001,2026-11-19,10\nM00001,2026-11-21,20")
    )
    fits = run_import("readings", write_csv("b.csv", f"{HEADER}\nM00001,2026-11-20,15"))
    assert fits.flagged == 0
    too_high = write_csv("c.csv", f"{HEADER}\nM00002,2026-11-19,10\nM00002,2026-11-21,20")
    run_import("readings", too_high)
    late = write_csv("d.csv", f"{HEADER}\nM00002,2026-11-20,25")
    summary = run_import("readings", late)
    assert summary.warnings == (
        f"{late}:2: index_kwh: 25.000 kWh is above the next reading"
        " (20.000 kWh at 2026-11-21T00:00+07:00), which is now flagged (flagged)",
    )
    flags = {(row[0], row[1].day): row[3] for row in stored(engine)}
    assert flags[("M00002", 20)] == "index_down"  # 2026-11-21 local is 20th in UTC
    assert [flag for (meter, _), flag in flags.items() if meter == "M00001"] == [None] * 3
    # correcting the late reading clears the flag it caused
    run_import("readings", write_csv("e.csv", f"{HEADER}\nM00002,2026-11-20,15"))
    assert all(row[3] is None for row in stored(engine))


def test_bad_values_are_all_reported_and_nothing_is_written(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    before = snapshot(engine)
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                HEADER,
                "M00001,2026-11-20,10",
                "M00001,2026-02-30,11",
                "M00001,2026-11-22,-4",
                "M00001,2026-11-23,abc",
                ",2026-11-24,1.2345",
            ]
        ),
    )
    assert rejected_lines(run_import, "readings", path) == (
        f"{path}:3: read_at: '2026-02-30' is not a date-time YYYY-MM-DDTHH:MM[:SS][+07:00]",
        f"{path}:4: index_kwh: -4 is negative",
        f"{path}:5: index_kwh: 'abc' is not a number (use digits and a decimal point)",
        f"{path}:6: meter_id: is required",
        f"{path}:6: index_kwh: 1.2345 has more than 3 decimals",
    )
    assert snapshot(engine) == before
    assert scratch_tables(engine) == []


def test_unknown_meters_and_wrong_registers_are_reported(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    before = snapshot(engine)
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                TOU_HEADER,
                "M00001,2026-11-20,10,,,",
                "NOPE,2026-11-20,10,,,",
                "T00004,2026-11-20,10,,,",
                "M00002,2026-11-20,10,5,3,2",
                "M00003,2026-11-20,10,5,,2",
            ]
        ),
    )
    assert rejected_lines(run_import, "readings", path) == (
        f"{path}:6: index_peak: is required when any time-of-use register is given",
    )
    path = write_csv("s.csv", "\n".join(path.read_text().splitlines()[:-1]))
    assert rejected_lines(run_import, "readings", path) == (
        f"{path}:3: meter_id: unknown meter 'NOPE'",
        f"{path}:4: index_normal: the meter is a time-of-use meter: index_normal, index_peak"
        " and index_offpeak are required",
        f"{path}:5: index_normal: the meter is not a time-of-use meter: leave it empty",
    )
    assert snapshot(engine) == before


def test_repeated_keys_inside_the_file_are_reported(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    before = snapshot(engine)
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                HEADER,
                "M00002,2026-11-21T00:00,10",
                "M00001,2026-11-21T00:00,10",
                "M00002,2026-11-20T17:00:00Z,11",  # the same moment as line 2
            ]
        ),
    )
    assert rejected_lines(run_import, "readings", path) == (
        f"{path}:4: read_at: repeats the meter and time of line 2",
    )
    assert snapshot(engine) == before


def test_missing_unknown_columns_and_empty_files_are_rejected(
    run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv("r.csv", "meter_id,when,index_kwh\nM00001,2026-11-20,1")
    assert rejected_lines(run_import, "readings", path) == (
        f"{path}:1: header: unknown column 'when' (allowed: meter_id, read_at, index_kwh,"
        " index_normal, index_peak, index_offpeak)",
        f"{path}:1: header: required column 'read_at' is missing",
    )
    header_only = write_csv("h.csv", HEADER)
    assert rejected_lines(run_import, "readings", header_only) == (
        f"{header_only}:2: row: no data rows after the header",
    )


def test_daily_usage_is_refreshed_for_the_imported_days(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "r.csv", f"{HEADER}\nM00001,2026-11-19,10\nM00001,2026-11-20,12.5\nM00001,2026-11-21,13"
    )
    run_import("readings", path)
    with Session(engine) as session:
        usage = session.execute(
            select(DailyUsage.day, DailyUsage.used_wh).order_by(DailyUsage.day)
        ).all()
    assert [(day.day, used) for day, used in usage] == [(19, 2_500), (20, 500)]
