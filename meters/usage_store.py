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

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, Integer, bindparam, text
from sqlalchemy.sql.elements import BindParameter

from meters.timestamps import UtcDateTime

BOUNDARY_TOLERANCE = timedelta(hours=1)
NEIGHBOUR_DAYS = 7
INDEX_DOWN = "index_down"

_POSTGRES_CASTS = {"moment": "CAST({} AS TIMESTAMP WITH TIME ZONE)", "day": "CAST({} AS DATE)"}
_SQLITE_CASTS = {"moment": "{}", "day": "{}"}
_POSTGRES_SECONDS = "CAST(EXTRACT(EPOCH FROM ({later}) - ({earlier})) AS BIGINT)"
_SQLITE_SECONDS = (
    "(CAST(strftime('%s', {later}) AS INTEGER) - CAST(strftime('%s', {earlier}) AS INTEGER))"
)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment at which local `day` begins in `zone`."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def refresh_daily_usage(
    connection: Connection,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    meter_pks: Sequence[int] | None = None,
) -> int:
    """Recompute and upsert the daily use of local days `first_day`..`last_day`; rows written."""
    if last_day < first_day:
        return 0
    if meter_pks is not None and not meter_pks:
        return 0
    dialect = connection.dialect.name
    casts = _POSTGRES_CASTS if dialect == "postgresql" else _SQLITE_CASTS
    seconds = _POSTGRES_SECONDS if dialect == "postgresql" else _SQLITE_SECONDS
    day_count = (last_day - first_day).days + 1
    params: list[BindParameter[object]] = []

    def bind(name: str, value: object, type_: object) -> str:
        params.append(bindparam(name, value, type_=type_))  # type: ignore[arg-type]
        return f":{name}"

    moments = [local_midnight(first_day + timedelta(days=k), zone) for k in range(day_count + 1)]
    bound_rows = ", ".join(
        "({}, {}, {})".format(
            k,
            casts["moment"].format(bind(f"at{k}", at, UtcDateTime())),
            casts["moment"].format(bind(f"until{k}", at + BOUNDARY_TOLERANCE, UtcDateTime())),
        )
        for k, at in enumerate(moments)
    )
    day_rows = ", ".join(
        "({}, {}, {}, {}, {}, {})".format(
            k,
            casts["day"].format(bind(f"day{k}", first_day + timedelta(days=k), Date())),
            casts["moment"].format(f":at{k}"),
            casts["moment"].format(f":at{k + 1}"),
            casts["day"].format(
                bind(f"lo{k}", first_day + timedelta(days=k - NEIGHBOUR_DAYS), Date())
            ),
            casts["day"].format(
                bind(f"hi{k}", first_day + timedelta(days=k + NEIGHBOUR_DAYS), Date())
            ),
        )
        for k in range(day_count)
    )
    bind("first_day", first_day, Date())
    bind("last_day", last_day, Date())
    bind("range_start", moments[0], UtcDateTime())
    bind("range_end", moments[-1], UtcDateTime())
    meter_filter = ""
    if meter_pks is not None:
        params.append(bindparam("meter_pks", list(meter_pks), expanding=True, type_=Integer()))
        meter_filter = "AND m.id IN :meter_pks"
    if day_count > 1:
        window = (
            "WINDOW w AS (PARTITION BY meter_pk ORDER BY k "
            f"RANGE BETWEEN {NEIGHBOUR_DAYS} PRECEDING AND {NEIGHBOUR_DAYS} FOLLOWING)"
        )
        inside_sum = "CAST(SUM(CASE WHEN status = 'ok' THEN used_wh END) OVER w AS BIGINT)"
        inside_count = "COUNT(CASE WHEN status = 'ok' THEN used_wh END) OVER w"
    else:
        window, inside_sum, inside_count = "", "0", "0"
    statement = _STATEMENT.format(
        bound_rows=bound_rows,
        day_rows=day_rows,
        meter_filter=meter_filter,
        interpolated_seconds=seconds.format(later="n.at", earlier="p.read_at"),
        gap_seconds=seconds.format(later="x.read_at", earlier="p.read_at"),
        window=window,
        inside_sum=inside_sum,
        inside_count=inside_count,
    )
    result = connection.execute(text(statement).bindparams(*params))
    return int(result.rowcount)


_STATEMENT = """
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
    SELECT s.meter_pk, b.at, b.until_at FROM scope s
    JOIN bounds b ON s.installed_at <= b.at AND (s.removed_at IS NULL OR b.at <= s.removed_at)
    UNION ALL
    SELECT s.meter_pk, s.installed_at, s.installed_at FROM scope s
    WHERE s.installed_at > :range_start
      AND NOT EXISTS (SELECT 1 FROM bounds b WHERE b.at = s.installed_at)
    UNION ALL
    SELECT s.meter_pk, s.removed_at, s.removed_at FROM scope s
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
    SELECT meter_pk, day, window_low, window_high, status, used_wh, normal_wh, peak_wh,
        offpeak_wh, estimated,
        {inside_sum} AS inside_sum, {inside_count} AS inside_count
    FROM day_values
    {window}
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
WHERE TRUE
ON CONFLICT (meter_pk, day) DO UPDATE SET
    used_wh = excluded.used_wh,
    normal_wh = excluded.normal_wh,
    peak_wh = excluded.peak_wh,
    offpeak_wh = excluded.offpeak_wh,
    estimated = excluded.estimated
""".replace("{index_down}", INDEX_DOWN)
