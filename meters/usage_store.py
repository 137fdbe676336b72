"""Materialise `daily_usage` from cumulative register readings, set-based, on both engines.

Use of local day D = register at the boundary ending D minus register at the boundary starting D.
A boundary is the UTC moment of local midnight, clipped to the meter's installed interval:

- a reading at most `BOUNDARY_TOLERANCE` after the boundary counts as the boundary (exact);
- otherwise the register is interpolated linearly between the nearest readings around it
  (the day becomes `estimated`);
- before a meter's first reading its installation moment takes the first reading, after its
  last reading its removal moment takes the last one (a meter off the wall records nothing);
- a reading flagged `index_down` starts a new segment (reset, rollover, unrecorded change): a day
  whose boundaries lie in different segments has an unknown increment, so it is estimated from
  the average of the same meter's days within `NEIGHBOUR_DAYS` around it, and marked estimated.
  Its time-of-use split is unknown and left empty.

Days without enough readings (no reading after the boundary yet) are not written. Rows are
upserted, so refreshing a range again after late readings arrive gives the right answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, Integer, bindparam, text
from sqlalchemy.sql.elements import BindParameter

from meters.timestamps import UtcDateTime

BOUNDARY_TOLERANCE = timedelta(hours=1)
NEIGHBOUR_DAYS = 7
INDEX_DOWN = "index_down"
# Up to this many meters, one statement probes every boundary by key; beyond, regular days
# go through one windowed join and only the irregular meters are probed, in batches.
PROBE_LIMIT = 1000

_POSTGRES_CASTS = {"moment": "CAST({} AS TIMESTAMP WITH TIME ZONE)", "day": "CAST({} AS DATE)"}
_SQLITE_CASTS = {"moment": "{}", "day": "{}"}
_POSTGRES_SECONDS = "CAST(EXTRACT(EPOCH FROM ({later}) - ({earlier})) AS BIGINT)"
_SQLITE_SECONDS = (
    "(CAST(strftime('%s', {later}) AS INTEGER) - CAST(strftime('%s', {earlier}) AS INTEGER))"
)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment at which local `day` begins in `zone`."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Range:
    """The SQL fragments and bound parameters describing the days of one refresh."""

    bound_rows: str
    day_rows: str
    bound_count: int
    parameters: tuple[BindParameter[object], ...]
    seconds: str

    def statement(
        self, template: str, meter_pks: Sequence[int] | None, **fragments: str
    ) -> tuple[str, list[BindParameter[object]]]:
        """The SQL of `template` for this range and its parameters, filtered to `meter_pks`."""
        parameters = list(self.parameters)
        meter_filter = ""
        if meter_pks is not None:
            parameters.append(
                bindparam("meter_pks", list(meter_pks), expanding=True, type_=Integer())
            )
            meter_filter = "AND {column} IN :meter_pks"
        sql = template.format(
            bound_rows=self.bound_rows,
            day_rows=self.day_rows,
            bound_count=self.bound_count,
            meter_filter=meter_filter.format(column="m.id"),
            reading_filter=meter_filter.format(column="b.meter_pk"),
            interpolated_seconds=self.seconds.format(later="n.at", earlier="p.read_at"),
            gap_seconds=self.seconds.format(later="x.read_at", earlier="p.read_at"),
            **fragments,
        )
        used = set(re.findall(r":(\w+)", sql))
        return sql, [parameter for parameter in parameters if parameter.key in used]


def _describe_range(first_day: date, last_day: date, zone: ZoneInfo, dialect: str) -> _Range:
    """Boundaries, days and parameters of the local days `first_day`..`last_day`."""
    casts = _POSTGRES_CASTS if dialect == "postgresql" else _SQLITE_CASTS
    day_count = (last_day - first_day).days + 1
    parameters: list[BindParameter[object]] = []

    def bind(name: str, value: object, type_: object, cast: str) -> str:
        parameters.append(bindparam(name, value, type_=type_))  # type: ignore[arg-type]
        return casts[cast].format(f":{name}")

    def day(offset: int) -> date:
        return first_day + timedelta(days=offset)

    moments = [local_midnight(day(k), zone) for k in range(day_count + 1)]
    bound_rows = ", ".join(
        f"({k}, {bind(f'at{k}', at, UtcDateTime(), 'moment')}, "
        f"{bind(f'until{k}', at + BOUNDARY_TOLERANCE, UtcDateTime(), 'moment')})"
        for k, at in enumerate(moments)
    )
    day_rows = ", ".join(
        f"({k}, {bind(f'day{k}', day(k), Date(), 'day')}, "
        f"{casts['moment'].format(f':at{k}')}, {casts['moment'].format(f':at{k + 1}')}, "
        f"{bind(f'low{k}', day(k - NEIGHBOUR_DAYS), Date(), 'day')}, "
        f"{bind(f'high{k}', day(k + NEIGHBOUR_DAYS), Date(), 'day')})"
        for k in range(day_count)
    )
    bind("first_day", first_day, Date(), "day")
    bind("last_day", last_day, Date(), "day")
    bind("range_start", moments[0], UtcDateTime(), "moment")
    bind("range_end", moments[-1], UtcDateTime(), "moment")
    bind("range_end_until", moments[-1] + BOUNDARY_TOLERANCE, UtcDateTime(), "moment")
    return _Range(
        bound_rows=bound_rows,
        day_rows=day_rows,
        bound_count=len(moments),
        parameters=tuple(parameters),
        seconds=_POSTGRES_SECONDS if dialect == "postgresql" else _SQLITE_SECONDS,
    )


def refresh_daily_usage(
    connection: Connection,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    meter_pks: Sequence[int] | None = None,
) -> int:
    """Recompute and upsert the daily use of local days `first_day`..`last_day`; rows written."""
    if last_day < first_day or (meter_pks is not None and not meter_pks):
        return 0
    dialect = connection.dialect.name
    days = _describe_range(first_day, last_day, zone, dialect)
    if dialect == "postgresql":
        # The planner's estimates over the CTEs are far too high and would make it spend
        # seconds compiling the statement; JIT never pays off here. Lasts until commit.
        connection.exec_driver_sql("SET LOCAL jit = off")
    if meter_pks is not None and len(meter_pks) <= PROBE_LIMIT:
        return _refresh_probed(connection, days, meter_pks)
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS usage_irregular (meter_pk INTEGER PRIMARY KEY)"
    )
    connection.exec_driver_sql("DELETE FROM usage_irregular")
    sql, parameters = days.statement(_IRREGULAR, meter_pks)
    connection.execute(text(sql).bindparams(*parameters))
    sql, parameters = days.statement(_REGULAR, meter_pks)
    written = int(connection.execute(text(sql).bindparams(*parameters)).rowcount)
    irregular = list(
        connection.execute(
            text("SELECT meter_pk FROM usage_irregular ORDER BY meter_pk")
        ).scalars()
    )
    connection.exec_driver_sql("DROP TABLE usage_irregular")
    for start in range(0, len(irregular), PROBE_LIMIT):
        batch = irregular[start : start + PROBE_LIMIT]
        written += _refresh_probed(connection, days, batch)
    return written


def _refresh_probed(connection: Connection, days: _Range, meter_pks: Sequence[int]) -> int:
    """Upsert the days of a few meters, probing every boundary by key; rows written."""
    sql, parameters = days.statement(_GENERAL, meter_pks)
    return int(connection.execute(text(sql).bindparams(*parameters)).rowcount)


# Meters whose days are not all regular: installed or removed within the range, a boundary
# without exactly one reading within the tolerance, or an `index_down` reading in the range.
_IRREGULAR = """
INSERT INTO usage_irregular (meter_pk)
WITH
bounds (k, at, until_at) AS (VALUES {bound_rows}),
scope AS (
    SELECT m.id AS meter_pk, m.installed_at, m.removed_at
    FROM meters m
    WHERE m.installed_at < :range_end
      AND (m.removed_at IS NULL OR m.removed_at > :range_start) {meter_filter}
),
hit_counts AS (
    SELECT meter_pk, COUNT(*) AS hits, SUM(readings) AS readings
    FROM (
        SELECT r.meter_pk, b.k, COUNT(*) AS readings
        FROM bounds b JOIN readings r ON r.read_at >= b.at AND r.read_at <= b.until_at
        GROUP BY r.meter_pk, b.k
    ) AS hit
    GROUP BY meter_pk
)
SELECT s.meter_pk FROM scope s
LEFT JOIN hit_counts h ON h.meter_pk = s.meter_pk
WHERE s.installed_at > :range_start OR s.removed_at < :range_end
   OR h.hits IS NULL OR h.hits < {bound_count} OR h.readings > h.hits
UNION
SELECT f.meter_pk FROM readings f
JOIN scope s ON s.meter_pk = f.meter_pk
WHERE f.flag = '{index_down}' AND f.read_at >= :range_start AND f.read_at <= :range_end_until
""".replace("{index_down}", INDEX_DOWN)

# Regular days of regular meters: the one reading at each boundary, differenced. One windowed
# self-join over the `(read_at, meter_pk, index_wh)` index.
_REGULAR = """
INSERT INTO daily_usage (meter_pk, day, used_wh, normal_wh, peak_wh, offpeak_wh, estimated)
WITH
bounds (k, at, until_at) AS (VALUES {bound_rows}),
days (k, day, start_at, end_at, window_low, window_high) AS (VALUES {day_rows})
SELECT b.meter_pk, d.day, e.index_wh - b.index_wh, e.normal_wh - b.normal_wh,
    e.peak_wh - b.peak_wh, e.offpeak_wh - b.offpeak_wh, FALSE
FROM days d
JOIN bounds bs ON bs.k = d.k
JOIN bounds be ON be.k = d.k + 1
JOIN readings b ON b.read_at >= bs.at AND b.read_at <= bs.until_at
JOIN readings e
    ON e.meter_pk = b.meter_pk AND e.read_at >= be.at AND e.read_at <= be.until_at
WHERE e.index_wh >= b.index_wh {reading_filter}
  AND NOT EXISTS (SELECT 1 FROM usage_irregular i WHERE i.meter_pk = b.meter_pk)
ON CONFLICT (meter_pk, day) DO UPDATE SET
    used_wh = excluded.used_wh,
    normal_wh = excluded.normal_wh,
    peak_wh = excluded.peak_wh,
    offpeak_wh = excluded.offpeak_wh,
    estimated = excluded.estimated
""".replace("{index_down}", INDEX_DOWN)


# Any day of a few meters: every boundary probed by key, interpolation, installation and
# removal, index drops estimated from the neighbouring days.
_GENERAL = """
INSERT INTO daily_usage (meter_pk, day, used_wh, normal_wh, peak_wh, offpeak_wh, estimated)
WITH
bounds (k, at, until_at) AS (VALUES {bound_rows}),
days (k, day, start_at, end_at, window_low, window_high) AS (VALUES {day_rows}),
scope AS (
    SELECT m.id AS meter_pk, m.installed_at, m.removed_at
    FROM meters m
    WHERE m.installed_at < :range_end
      AND (m.removed_at IS NULL OR m.removed_at > :range_start) {meter_filter}
),
points AS (
    SELECT s.meter_pk, b.at, b.until_at, 0 AS special FROM scope s
    JOIN bounds b ON s.installed_at <= b.at AND (s.removed_at IS NULL OR b.at <= s.removed_at)
    UNION ALL
    SELECT s.meter_pk, s.installed_at, s.installed_at, 1 FROM scope s
    WHERE s.installed_at > :range_start
      AND NOT EXISTS (SELECT 1 FROM bounds b WHERE b.at = s.installed_at)
    UNION ALL
    SELECT s.meter_pk, s.removed_at, s.removed_at, 1 FROM scope s
    WHERE s.removed_at < :range_end
      AND NOT EXISTS (SELECT 1 FROM bounds b WHERE b.at = s.removed_at)
),
hits AS MATERIALIZED (
    SELECT p.meter_pk, p.at,
        (SELECT MIN(r.read_at) FROM readings r
         WHERE r.meter_pk = p.meter_pk AND r.read_at >= p.at AND r.read_at <= p.until_at
        ) AS hit_at
    FROM points p
),
near AS MATERIALIZED (
    SELECT h.meter_pk, h.at, h.hit_at,
        CASE WHEN h.hit_at IS NULL THEN
            (SELECT MAX(r.read_at) FROM readings r
             WHERE r.meter_pk = h.meter_pk AND r.read_at < h.at) END AS prev_at,
        CASE WHEN h.hit_at IS NULL THEN
            (SELECT MIN(r.read_at) FROM readings r
             WHERE r.meter_pk = h.meter_pk AND r.read_at > h.at) END AS next_at
    FROM hits h
),
classified AS (
    SELECT n.meter_pk, n.at, n.hit_at, n.prev_at, n.next_at,
        CASE
            WHEN n.hit_at IS NOT NULL THEN 'hit'
            WHEN n.prev_at IS NOT NULL AND n.next_at IS NOT NULL
                 AND (x.flag IS NULL OR x.flag <> '{index_down}') THEN 'interpolated'
            WHEN n.prev_at IS NOT NULL AND n.next_at IS NOT NULL THEN 'broken'
            WHEN n.next_at IS NOT NULL AND n.at = s.installed_at THEN 'first'
            WHEN n.prev_at IS NOT NULL AND n.at = s.removed_at THEN 'last'
        END AS how
    FROM near n
    JOIN scope s ON s.meter_pk = n.meter_pk
    LEFT JOIN readings x ON x.meter_pk = n.meter_pk AND x.read_at = n.next_at
),
resolved AS MATERIALIZED (
    SELECT n.meter_pk, n.at, n.how,
        CASE n.how WHEN 'hit' THEN n.hit_at WHEN 'first' THEN n.next_at ELSE n.prev_at END
            AS anchor_at,
        CASE WHEN n.how = 'interpolated' THEN 1 ELSE 0 END AS estimated,
        CASE n.how
            WHEN 'hit' THEN h.index_wh WHEN 'first' THEN x.index_wh WHEN 'last' THEN p.index_wh
            WHEN 'interpolated' THEN p.index_wh + (x.index_wh - p.index_wh)
                * {interpolated_seconds} / {gap_seconds}
        END AS index_wh,
        CASE n.how
            WHEN 'hit' THEN h.normal_wh WHEN 'first' THEN x.normal_wh WHEN 'last' THEN p.normal_wh
            WHEN 'interpolated' THEN p.normal_wh + (x.normal_wh - p.normal_wh)
                * {interpolated_seconds} / {gap_seconds}
        END AS normal_wh,
        CASE n.how
            WHEN 'hit' THEN h.peak_wh WHEN 'first' THEN x.peak_wh WHEN 'last' THEN p.peak_wh
            WHEN 'interpolated' THEN p.peak_wh + (x.peak_wh - p.peak_wh)
                * {interpolated_seconds} / {gap_seconds}
        END AS peak_wh,
        CASE n.how
            WHEN 'hit' THEN h.offpeak_wh WHEN 'first' THEN x.offpeak_wh
            WHEN 'last' THEN p.offpeak_wh
            WHEN 'interpolated' THEN p.offpeak_wh + (x.offpeak_wh - p.offpeak_wh)
                * {interpolated_seconds} / {gap_seconds}
        END AS offpeak_wh
    FROM classified n
    LEFT JOIN readings h ON h.meter_pk = n.meter_pk AND h.read_at = n.hit_at
    LEFT JOIN readings p ON p.meter_pk = n.meter_pk AND p.read_at = n.prev_at
    LEFT JOIN readings x ON x.meter_pk = n.meter_pk AND x.read_at = n.next_at
),
meter_days AS (
    SELECT s.meter_pk, d.k, d.day, d.window_low, d.window_high,
        CASE WHEN s.installed_at > d.start_at THEN s.installed_at ELSE d.start_at END
            AS start_at,
        CASE WHEN s.removed_at IS NOT NULL AND s.removed_at < d.end_at THEN s.removed_at
             ELSE d.end_at END AS end_at
    FROM scope s
    JOIN days d ON s.installed_at < d.end_at
        AND (s.removed_at IS NULL OR s.removed_at > d.start_at)
),
day_values AS MATERIALIZED (
    SELECT md.meter_pk, md.k, md.day, md.window_low, md.window_high,
        CASE
            WHEN b.how IS NULL OR e.how IS NULL THEN 'missing'
            WHEN b.how = 'broken' OR e.how = 'broken' OR e.index_wh < b.index_wh THEN 'drop'
            WHEN EXISTS (
                SELECT 1 FROM readings f
                WHERE f.meter_pk = md.meter_pk AND f.read_at > b.anchor_at
                  AND f.read_at <= e.anchor_at AND f.flag = '{index_down}'
            ) THEN 'drop'
            ELSE 'ok'
        END AS status,
        e.index_wh - b.index_wh AS used_wh,
        e.normal_wh - b.normal_wh AS normal_wh,
        e.peak_wh - b.peak_wh AS peak_wh,
        e.offpeak_wh - b.offpeak_wh AS offpeak_wh,
        b.estimated + e.estimated AS estimated
    FROM meter_days md
    LEFT JOIN resolved b ON b.meter_pk = md.meter_pk AND b.at = md.start_at
    LEFT JOIN resolved e ON e.meter_pk = md.meter_pk AND e.at = md.end_at
),
neighbours AS (
    SELECT meter_pk, k, day, window_low, window_high, status, used_wh, normal_wh, peak_wh,
        offpeak_wh, estimated,
        CAST(SUM(CASE WHEN status = 'ok' THEN used_wh END) OVER w AS BIGINT) AS inside_sum,
        COUNT(CASE WHEN status = 'ok' THEN used_wh END) OVER w AS inside_count
    FROM day_values
    WINDOW w AS (PARTITION BY meter_pk ORDER BY k
        RANGE BETWEEN {neighbour_days} PRECEDING AND {neighbour_days} FOLLOWING)
),
estimates AS (
    SELECT v.*,
        CASE WHEN v.status = 'drop' THEN (
            SELECT CAST(COALESCE(SUM(u.used_wh), 0) AS BIGINT) FROM daily_usage u
            WHERE u.meter_pk = v.meter_pk AND u.day >= v.window_low AND u.day <= v.window_high
              AND (u.day < :first_day OR u.day > :last_day)) END AS outside_sum,
        CASE WHEN v.status = 'drop' THEN (
            SELECT COUNT(*) FROM daily_usage u
            WHERE u.meter_pk = v.meter_pk AND u.day >= v.window_low AND u.day <= v.window_high
              AND (u.day < :first_day OR u.day > :last_day)) END AS outside_count
    FROM neighbours v
    WHERE v.status <> 'missing'
)
SELECT meter_pk, day,
    CASE WHEN status = 'ok' THEN used_wh
         ELSE COALESCE(
            (2 * (COALESCE(inside_sum, 0) + outside_sum) + inside_count + outside_count)
            / NULLIF(2 * (inside_count + outside_count), 0), 0)
    END,
    CASE WHEN status = 'ok' THEN normal_wh END,
    CASE WHEN status = 'ok' THEN peak_wh END,
    CASE WHEN status = 'ok' THEN offpeak_wh END,
    status = 'drop' OR estimated > 0
FROM estimates
WHERE status <> 'missing'
ON CONFLICT (meter_pk, day) DO UPDATE SET
    used_wh = excluded.used_wh,
    normal_wh = excluded.normal_wh,
    peak_wh = excluded.peak_wh,
    offpeak_wh = excluded.offpeak_wh,
    estimated = excluded.estimated
""".replace("{index_down}", INDEX_DOWN).replace("{neighbour_days}", str(NEIGHBOUR_DAYS))
