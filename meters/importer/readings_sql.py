"""The set-based half of the readings import: stage, check, count, merge, flag.

Every statement is driven by the staged rows and reaches `readings` through its primary key
(meter_pk, read_at), so the cost follows the size of the file, not of the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from meters.importer.errors import ProblemLog
from meters.importer.readings_chunk import StagedRow
from meters.importer.readings_report import (
    add_above_next,
    add_below_previous,
    add_meter_problem,
    as_utc,
)
from meters.importer.scratch import (
    ScratchColumn,
    ScratchTable,
    create_scratch,
    drop_scratch,
    is_sqlite,
    write_rows,
)
from meters.importer.summary import Counts
from meters.usage_store import refresh_daily_usage

_VALUES = (
    ScratchColumn("read_at", "DATETIME", "timestamptz"),
    ScratchColumn("index_wh", "INTEGER", "bigint"),
    ScratchColumn("normal_wh", "INTEGER", "bigint"),
    ScratchColumn("peak_wh", "INTEGER", "bigint"),
    ScratchColumn("offpeak_wh", "INTEGER", "bigint"),
)
_STAGE = (
    ScratchColumn("line", "INTEGER", "integer"),
    ScratchColumn("meter_pk", "INTEGER", "integer"),
    ScratchColumn("is_tou", "INTEGER", "boolean"),
    ScratchColumn("unknown_meter", "TEXT", "text"),
    *_VALUES,
)
_RAW = (
    ScratchColumn("line", "INTEGER", "integer"),
    ScratchColumn("meter_id", "TEXT", "text"),
    *_VALUES,
)
_CHECKED = (
    ScratchColumn("line", "INTEGER", "integer"),
    ScratchColumn("meter_pk", "INTEGER", "integer"),
    ScratchColumn("read_at", "DATETIME", "timestamptz"),
    ScratchColumn("index_wh", "INTEGER", "bigint"),
    ScratchColumn("other_wh", "INTEGER", "bigint"),
    ScratchColumn("other_at", "DATETIME", "timestamptz"),
    ScratchColumn("down", "INTEGER", "integer"),
)
_REGISTERS = ("index_wh", "normal_wh", "peak_wh", "offpeak_wh")
# Up to this many meters the usage refresh is limited to them; beyond, it covers every meter.
USAGE_METER_LIST_LIMIT = 1000
USAGE_WINDOW_DAYS = 31


@dataclass(frozen=True, slots=True)
class Stage:
    """The staged rows of one import, with the meter resolved (meter_pk NULL if unknown)."""

    table: ScratchTable
    sqlite: bool

    @property
    def name(self) -> str:
        """The scratch table's name."""
        return self.table.name

    def same(self, left: str, right: str) -> str:
        """SQL that is true when two values are equal, NULL counting as a value."""
        operator = "IS" if self.sqlite else "IS NOT DISTINCT FROM"
        return f"{left} {operator} {right}"

    def same_values(self, left: str, right: str) -> str:
        """SQL that is true when two rows hold the same registers."""
        return " AND ".join(self.same(f"{left}.{c}", f"{right}.{c}") for c in _REGISTERS)


def stage_readings(connection: Connection, rows: Iterable[StagedRow]) -> Stage:
    """Write the validated rows to a scratch table, looking up each meter on the way."""
    if is_sqlite(connection):
        table = create_scratch(connection, "import_readings", _STAGE)
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.executemany(
                f"""INSERT INTO {table.name} ({table.column_list})
                SELECT ?1, m.id, m.kind = 'tou', CASE WHEN m.id IS NULL THEN ?2 END,
                       ?3, ?4, ?5, ?6, ?7
                FROM (SELECT 1) AS one LEFT JOIN meters m ON m.meter_id = ?2""",  # noqa: S608
                rows,
            )
        finally:
            cursor.close()
        return Stage(table, sqlite=True)
    raw = create_scratch(connection, "import_raw_readings", _RAW)
    zone = connection.exec_driver_sql("SHOW timezone").scalar_one()
    connection.exec_driver_sql("SET LOCAL timezone = 'UTC'")  # the staged texts are UTC
    write_rows(connection, raw, rows)
    connection.exec_driver_sql(f"SET LOCAL timezone = '{zone}'")
    table = ScratchTable(f"import_readings_{raw.name.rsplit('_', 1)[1]}", _STAGE)
    connection.exec_driver_sql(
        f"""CREATE TEMP TABLE {table.name} ON COMMIT DROP AS
        SELECT r.line, m.id AS meter_pk, m.kind = 'tou' AS is_tou,
               CASE WHEN m.id IS NULL THEN r.meter_id END AS unknown_meter,
               r.read_at, r.index_wh, r.normal_wh, r.peak_wh, r.offpeak_wh
        FROM {raw.name} r LEFT JOIN meters m ON m.meter_id = r.meter_id
        ORDER BY r.line"""  # noqa: S608
    )
    drop_scratch(connection, raw)
    connection.exec_driver_sql(f"ANALYZE {table.name}")
    return Stage(table, sqlite=False)


def check_meters(connection: Connection, stage: Stage, problems: ProblemLog) -> None:
    """Log rows whose meter is unknown, or whose registers do not fit the meter's kind."""
    statement = f"""SELECT line, unknown_meter, is_tou FROM {stage.name}
        WHERE meter_pk IS NULL
           OR (is_tou AND normal_wh IS NULL) OR (NOT is_tou AND normal_wh IS NOT NULL)"""  # noqa: S608
    for line, unknown_meter, is_tou in connection.exec_driver_sql(statement):
        add_meter_problem(problems, line, unknown_meter, bool(is_tou))


def check_repeats(connection: Connection, stage: Stage, problems: ProblemLog) -> None:
    """Log rows that repeat the meter and time of an earlier row."""
    statement = f"""SELECT s.line, f.first_line FROM {stage.name} s
        JOIN (SELECT meter_pk, read_at, MIN(line) AS first_line FROM {stage.name}
              GROUP BY meter_pk, read_at HAVING COUNT(*) > 1) f
          ON f.meter_pk = s.meter_pk AND f.read_at = s.read_at
        WHERE s.line > f.first_line ORDER BY s.line"""  # noqa: S608
    for line, first_line in connection.exec_driver_sql(statement):
        problems.add(line, "read_at", f"repeats the meter and time of line {first_line}")


def merge(connection: Connection, stage: Stage, rows: int) -> Counts:
    """Insert new readings and update changed ones; count inserted, updated, unchanged."""
    stored, unchanged = connection.exec_driver_sql(
        f"""SELECT COUNT(*), COALESCE(SUM(CASE WHEN {stage.same_values("r", "s")}
                                          THEN 1 ELSE 0 END), 0)
        FROM {stage.name} s JOIN readings r
          ON r.meter_pk = s.meter_pk AND r.read_at = s.read_at"""  # noqa: S608
    ).one()
    changes = ", ".join(f"{column} = excluded.{column}" for column in _REGISTERS)
    connection.exec_driver_sql(
        f"""INSERT INTO readings (meter_pk, {", ".join(_REGISTERS)}, read_at, flag)
        SELECT meter_pk, {", ".join(_REGISTERS)}, read_at, NULL FROM {stage.name} WHERE true
        ON CONFLICT (meter_pk, read_at) DO UPDATE SET {changes}, flag = NULL
        WHERE NOT ({stage.same_values("readings", "excluded")})"""  # noqa: S608
    )
    return Counts(inserted=rows - stored, updated=stored - unchanged, unchanged=unchanged)


def flag_index_down(
    connection: Connection, stage: Stage, warnings: ProblemLog, zone: tzinfo
) -> None:
    """Flag readings lower than the reading before them in time, and clear stale flags.

    Two kinds of reading can change: the imported ones (their predecessor may be new or
    changed) and the reading right after each imported one (its predecessor may now be the
    imported one). Warnings name the file line that caused the flag.
    """
    own = create_scratch(connection, "import_flags", _CHECKED)
    connection.exec_driver_sql(
        f"""INSERT INTO {own.name} ({own.column_list})
        SELECT line, meter_pk, read_at, index_wh, prev_wh, NULL,
               CASE WHEN prev_wh > index_wh THEN 1 ELSE 0 END
        FROM (
            SELECT s.line, s.meter_pk, s.read_at, s.index_wh, r.flag,
                   (SELECT p.index_wh FROM readings p
                    WHERE p.meter_pk = s.meter_pk AND p.read_at < s.read_at
                    ORDER BY p.read_at DESC LIMIT 1) AS prev_wh
            FROM {stage.name} s JOIN readings r
              ON r.meter_pk = s.meter_pk AND r.read_at = s.read_at
        ) x
        WHERE x.prev_wh > x.index_wh OR x.flag IS NOT NULL"""  # noqa: S608
    )
    _apply_flags(connection, own)
    previous_moment = """(SELECT MAX(p.read_at) FROM readings p
        WHERE p.meter_pk = c.meter_pk AND p.read_at < c.read_at)"""
    for line, index_wh, prev_wh, prev_at in _down(connection, own, previous_moment):
        add_below_previous(warnings, line, index_wh, prev_wh, prev_at, zone=zone)
    after = create_scratch(connection, "import_next", _CHECKED)
    connection.exec_driver_sql(
        f"""INSERT INTO {after.name} ({after.column_list})
        SELECT s.line, n.meter_pk, n.read_at, n.index_wh, s.index_wh, s.read_at,
               CASE WHEN n.index_wh < s.index_wh THEN 1 ELSE 0 END
        FROM {stage.name} s JOIN readings n
          ON n.meter_pk = s.meter_pk
         AND n.read_at = (SELECT MIN(x.read_at) FROM readings x
                          WHERE x.meter_pk = s.meter_pk AND x.read_at > s.read_at)
        WHERE (n.index_wh < s.index_wh AND n.flag IS NULL)
           OR (n.index_wh >= s.index_wh AND n.flag IS NOT NULL)"""  # noqa: S608
    )
    _apply_flags(connection, after)
    for line, index_wh, own_wh, next_at in _down(connection, after, "c.read_at"):
        add_above_next(warnings, line, own_wh, index_wh, next_at, zone=zone)
    drop_scratch(connection, own)
    drop_scratch(connection, after)


def _apply_flags(connection: Connection, checked: ScratchTable) -> None:
    """Set or clear `readings.flag` for the rows of a checked table."""
    for down, flag in ((1, "'index_down'"), (0, "NULL")):
        connection.exec_driver_sql(
            f"""UPDATE readings SET flag = {flag}
            WHERE (meter_pk, read_at) IN
                  (SELECT meter_pk, read_at FROM {checked.name} WHERE down = {down})"""  # noqa: S608
        )


def _down(
    connection: Connection, checked: ScratchTable, moment: str
) -> Iterator[tuple[int, int, int, object]]:
    """(line, index_wh, other_wh, moment) of the rows found lower than their predecessor."""
    yield from connection.exec_driver_sql(
        f"SELECT c.line, c.index_wh, c.other_wh, {moment} FROM {checked.name} c"  # noqa: S608
        " WHERE c.down = 1 ORDER BY c.line"
    )


@dataclass(frozen=True, slots=True)
class UsageSpan:
    """The readings an import wrote: first and last moment, and the meters (None: too many)."""

    first: object
    last: object
    meter_pks: list[int] | None


def staged_span(connection: Connection, stage: Stage) -> UsageSpan | None:
    """The span of the staged readings, or None when nothing was staged."""
    first, last, meter_count = connection.exec_driver_sql(
        f"SELECT MIN(read_at), MAX(read_at), COUNT(DISTINCT meter_pk) FROM {stage.name}"  # noqa: S608
    ).one()
    if first is None:
        return None
    meter_pks: list[int] | None = None
    if meter_count <= USAGE_METER_LIST_LIMIT:
        meter_pks = list(
            connection.exec_driver_sql(
                f"SELECT DISTINCT meter_pk FROM {stage.name}"  # noqa: S608
            ).scalars()
        )
    return UsageSpan(first, last, meter_pks)


def refresh_usage(connection: Connection, span: UsageSpan | None, zone: ZoneInfo) -> None:
    """Recompute the daily use of the days and meters the imported readings touch."""
    if span is None:
        return
    # a reading moves the day boundaries on both sides of it
    day = as_utc(span.first).astimezone(zone).date() - timedelta(days=1)
    last_day = as_utc(span.last).astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        window_end = min(last_day, day + timedelta(days=USAGE_WINDOW_DAYS - 1))
        refresh_daily_usage(connection, day, window_end, zone, span.meter_pks)
        day = window_end + timedelta(days=1)


def remove_appended(connection: Connection, stage: Stage, through_line: int) -> None:
    """Delete the readings an abandoned append wrote: the staged rows up to `through_line`.

    The append path only inserts keys that were not stored, and the general path stages the
    same rows again, so deleting them restores the store as it was before the import.
    """
    connection.exec_driver_sql(
        f"""DELETE FROM readings WHERE (meter_pk, read_at) IN
            (SELECT meter_pk, read_at FROM {stage.name} WHERE line <= {int(through_line)})"""  # noqa: S608
    )


def drop(connection: Connection, stage: Stage) -> None:
    """Drop the staged rows."""
    drop_scratch(connection, stage.table)
