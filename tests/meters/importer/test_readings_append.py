"""The append fast path of the readings import, and its fallback to the staged path.

The fast path must be invisible: for any file and any stored history it must end in the
same store, summary, warnings and rejections as the general staged path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, text

from meters.importer import (
    ImportRejected,
    csvstream,
    import_file,
    readings_append,
    readings_sql,
    readings_store,
)
from meters.importer.errors import ProblemLog
from meters.importer.fields import parse_energy_wh
from meters.importer.readings_chunk import energy_column
from tests.meters.importer.conftest import CONTEXT, RunImport, WriteCsv, rejected_lines

HEADER = "meter_id,read_at,index_kwh"
TOU_HEADER = "meter_id,read_at,index_kwh,index_normal,index_peak,index_offpeak"

pytestmark = pytest.mark.usefixtures("customers_loaded")


@contextmanager
def staged_path_watched() -> Iterator[mock.MagicMock]:
    """Count the calls of the staged path (it still runs)."""
    with mock.patch.object(
        readings_sql, "stage_readings", side_effect=readings_sql.stage_readings
    ) as spy:
        yield spy


@contextmanager
def general_path_only() -> Iterator[None]:
    """Make the append path give up at once, as for a file that is not an append."""

    def give_up(connection: Connection, chunks: Any, problems: ProblemLog, zone: Any) -> Any:
        empty = ProblemLog(problems.file_name)
        return readings_append.AppendOutcome(False, 0, 0, None, empty, empty)

    with mock.patch.object(readings_append, "append_readings", give_up):
        yield


@contextmanager
def small_batches() -> Iterator[None]:
    """Blocks of a few lines and batches of two rows, so small files make many chunks."""
    with (
        mock.patch.object(csvstream, "BLOCK_BYTES", 64),
        mock.patch.object(csvstream, "BATCH_ROWS", 2),
    ):
        yield


def stored(connection: Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            text(
                "SELECT m.meter_id, r.read_at, r.index_wh, r.normal_wh, r.flag FROM readings r"
                " JOIN meters m ON m.id = r.meter_pk ORDER BY m.meter_id, r.read_at"
            )
        )
    ]


def test_an_append_is_written_without_staging_and_flags_drops(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import("readings", write_csv("a.csv", f"{HEADER}\nM00001,2026-11-18,10"))
    path = write_csv(
        "b.csv",
        "\n".join(
            [
                HEADER,
                "M00001,2026-11-19,9",  # below the stored reading
                "M00001,2026-11-20,12",
                "M00001,2026-11-21,11.5",  # below the row before
                "M00002,2026-11-20,1",  # a new meter: nothing to compare with
            ]
        ),
    )
    with staged_path_watched() as staged:
        summary = run_import("readings", path)
    assert staged.call_count == 0
    assert (summary.counts.inserted, summary.counts.updated, summary.flagged) == (4, 0, 2)
    assert summary.warnings == (
        f"{path}:2: index_kwh: 9.000 kWh is below the previous reading"
        " (10.000 kWh at 2026-11-18T00:00+07:00) (flagged)",
        f"{path}:4: index_kwh: 11.500 kWh is below the previous reading"
        " (12.000 kWh at 2026-11-20T00:00+07:00) (flagged)",
    )
    with engine.connect() as connection:
        flags = [row[4] for row in stored(connection)]
    assert flags == [None, "index_down", None, "index_down", None]


def test_a_re_import_is_not_an_append_and_changes_nothing(
    run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv("r.csv", f"{HEADER}\nM00001,2026-11-20,10\nM00002,2026-11-20,12")
    run_import("readings", path)
    with staged_path_watched() as staged:
        summary = run_import("readings", path)
    assert staged.call_count == 1
    assert (summary.counts.inserted, summary.counts.unchanged) == (0, 2)


def test_a_late_meter_after_appended_ones_undoes_them_and_merges_everything(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    run_import("readings", write_csv("a.csv", f"{HEADER}\nM00003,2026-11-21,20"))
    path = write_csv(
        "b.csv",
        "\n".join(
            [
                HEADER,
                "M00001,2026-11-19,1",
                "M00001,2026-11-20,2",
                "M00002,2026-11-19,5",
                "M00002,2026-11-20,4",
                "M00003,2026-11-20,25",  # late, and above the stored reading after it
            ]
        ),
    )
    with (
        small_batches(),
        staged_path_watched() as staged,
        mock.patch.object(
            readings_sql, "remove_appended", side_effect=readings_sql.remove_appended
        ) as undo,
    ):
        summary = run_import("readings", path)
    assert staged.call_count == 1
    assert undo.call_args.args[2] >= 3  # rows were written by the append path, then undone
    assert (summary.counts.inserted, summary.counts.updated, summary.counts.unchanged) == (
        5,
        0,
        0,
    )
    assert summary.flagged == 2
    with engine.connect() as connection:
        rows = stored(connection)
    assert [(row[0], row[2], row[4]) for row in rows] == [
        ("M00001", 1_000, None),
        ("M00001", 2_000, None),
        ("M00002", 5_000, None),
        ("M00002", 4_000, "index_down"),
        ("M00003", 25_000, None),
        ("M00003", 20_000, "index_down"),
    ]


def test_an_unsorted_file_falls_back_and_repeats_are_still_found(
    run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                HEADER,
                "M00001,2026-11-20,1",
                "M00002,2026-11-20,1",
                "M00001,2026-11-20,1",
                "NOPE,2026-11-20,1",
            ]
        ),
    )
    with small_batches():
        assert rejected_lines(run_import, "readings", path) == (
            f"{path}:4: read_at: repeats the meter and time of line 2",
            f"{path}:5: meter_id: unknown meter 'NOPE'",
        )


def test_meter_problems_found_by_the_append_path_are_reported_like_the_staged_path(
    run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "r.csv",
        "\n".join(
            [
                TOU_HEADER,
                "M00001,2026-11-20,1,,,",
                "M00002,2026-11-20,1,1,0,0",
                "NOPE,2026-11-20,1,,,",
                "T00004,2026-11-20,1,,,",
            ]
        ),
    )
    expected = (
        f"{path}:3: index_normal: the meter is not a time-of-use meter: leave it empty",
        f"{path}:4: meter_id: unknown meter 'NOPE'",
        f"{path}:5: index_normal: the meter is a time-of-use meter: index_normal, index_peak"
        " and index_offpeak are required",
    )
    with staged_path_watched() as staged:
        assert rejected_lines(run_import, "readings", path) == expected
    assert staged.call_count == 0
    with general_path_only():
        assert rejected_lines(run_import, "readings", path) == expected


# --- the fast path and the general path agree on any history and any file -----------------

METERS = ("M00001", "M00002", "M00003", "T00004")
HISTORY_READING = st.tuples(
    st.sampled_from(METERS), st.integers(1, 10), st.sampled_from([0, 12]), st.integers(0, 40)
)
# mostly later than the history, so that many files are appends, or start as one
READING = st.tuples(
    st.sampled_from(METERS), st.integers(1, 16), st.sampled_from([0, 12]), st.integers(0, 40)
)


def reading_csv(rows: list[tuple[str, int, int, int]], *, tou_ok: bool = True) -> str:
    lines = [TOU_HEADER]
    for meter, day, hour, kwh in rows:
        registers = ",,"
        if (meter == "T00004") == tou_ok:
            registers = f"{kwh // 2},{kwh // 4},{kwh - kwh // 2 - kwh // 4}"
        lines.append(f"{meter},2026-11-{day:02d}T{hour:02d}:00,{kwh}.5,{registers}")
    return "\n".join(lines) + "\n"


def outcome(engine: Engine, history: Path, path: Path) -> tuple[Any, ...]:
    """What importing `path` over `history` leaves: the report, readings and daily use."""
    with engine.connect() as connection:
        connection.begin()
        try:
            import_file(connection, "readings", history, CONTEXT)
            try:
                summary = import_file(connection, "readings", path, CONTEXT)
            except ImportRejected as rejected:
                return ("rejected", rejected.lines)
            daily = connection.execute(
                text("SELECT meter_pk, day, used_wh FROM daily_usage ORDER BY meter_pk, day")
            ).all()
            return (summary.as_json(), summary.warnings, stored(connection), list(daily))
        finally:
            connection.rollback()


AGREE = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@AGREE
@given(
    history=st.lists(HISTORY_READING, max_size=8, unique_by=lambda row: (row[0], row[1], row[2])),
    rows=st.lists(READING, min_size=1, max_size=12),
    sort=st.booleans(),
    unique=st.booleans(),
    tou_ok=st.sampled_from([True, True, True, False]),
    small=st.booleans(),
)
def test_the_append_path_and_the_staged_path_agree(
    engine: Engine,
    tmp_path: Path,
    *,
    history: list[tuple[str, int, int, int]],
    rows: list[tuple[str, int, int, int]],
    sort: bool,
    unique: bool,
    tou_ok: bool,
    small: bool,
) -> None:
    if unique:
        rows = list(
            {
                (meter, day, hour): (meter, day, hour, kwh) for meter, day, hour, kwh in rows
            }.values()
        )
    if sort:
        rows.sort()
    history_path = tmp_path / "history.csv"
    history_path.write_text(
        reading_csv(sorted(history)) if history else HEADER + "\nM00001,2026-10-01,0\n"
    )
    path = tmp_path / "readings.csv"
    path.write_text(reading_csv(rows, tou_ok=tou_ok))
    with small_batches() if small else mock.patch.object(csvstream, "BATCH_ROWS", 8192):
        fast = outcome(engine, history_path, path)
        with general_path_only():
            general = outcome(engine, history_path, path)
    assert fast == general


def test_postgresql_without_the_privilege_keeps_the_foreign_key_trigger(
    engine: Engine, run_import: RunImport, write_csv: WriteCsv
) -> None:
    path = write_csv("r.csv", f"{HEADER}\nM00001,2026-11-20,10\nM00001,2026-11-21,9")
    with mock.patch.object(readings_store, "_MAY_SKIP_ROW_TRIGGERS", "SELECT false"):
        summary = run_import("readings", path)
    assert (summary.counts.inserted, summary.flagged) == (2, 1)
    with engine.connect() as connection:
        assert [row[4] for row in stored(connection)] == [None, "index_down"]
        if engine.dialect.name == "postgresql":
            role = connection.execute(text("SHOW session_replication_role")).scalar_one()
            assert role == "origin"


@given(
    st.lists(
        st.from_regex(r"[0-9]{1,14}(\.[0-9]{0,4})?", fullmatch=True)
        | st.sampled_from(["", " 1", "1 ", "+1", "1e3", "1_0", "١", "1\n2", "."]),
        min_size=1,
        max_size=8,
    )
)
def test_a_column_of_energy_values_converts_exactly_like_one_value(texts: list[str]) -> None:
    column = energy_column(texts)
    plain = all(re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,3})?", text) for text in texts)
    assert (column is not None) == plain
    if column is not None:
        assert column == [parse_energy_wh(text) for text in texts]
