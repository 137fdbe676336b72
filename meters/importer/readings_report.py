"""The texts both readings paths report: meter problems and index-drop warnings.

The append path (`readings_append`) and the general path (`readings_sql`) must say exactly
the same thing about the same row, so the wording lives here once.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from meters.importer.errors import ProblemLog

TOU_REGISTERS_REQUIRED = (
    "the meter is a time-of-use meter: index_normal, index_peak and index_offpeak are required"
)
NOT_TOU = "the meter is not a time-of-use meter: leave it empty"


def add_meter_problem(
    problems: ProblemLog, line: int, unknown_meter: str | None, is_tou: bool
) -> None:
    """Log a row whose meter is unknown, or whose registers do not fit the meter's kind."""
    if unknown_meter is not None:
        problems.add(line, "meter_id", f"unknown meter {unknown_meter!r}")
    elif is_tou:
        problems.add(line, "index_normal", TOU_REGISTERS_REQUIRED)
    else:
        problems.add(line, "index_normal", NOT_TOU)


def add_below_previous(
    warnings: ProblemLog,
    line: int,
    index_wh: int,
    previous_wh: int,
    previous_at: object,
    *,
    zone: tzinfo,
) -> None:
    """Warn that a reading is below the reading before it in time (it is flagged)."""
    warnings.add(
        line,
        "index_kwh",
        f"{kwh(index_wh)} kWh is below the previous reading"
        f" ({kwh(previous_wh)} kWh at {local_time(previous_at, zone)})",
    )


def add_above_next(
    warnings: ProblemLog,
    line: int,
    own_wh: int,
    next_wh: int,
    next_at: object,
    *,
    zone: tzinfo,
) -> None:
    """Warn that a (late) reading is above the reading after it, which is now flagged."""
    warnings.add(
        line,
        "index_kwh",
        f"{kwh(own_wh)} kWh is above the next reading"
        f" ({kwh(next_wh)} kWh at {local_time(next_at, zone)}), which is now flagged",
    )


def kwh(watt_hours: int) -> str:
    """Watt-hours as kWh with three decimals."""
    return f"{watt_hours // 1000}.{watt_hours % 1000:03d}"


def as_utc(moment: object) -> datetime:
    """A stored moment (SQLite text, naive UTC or aware datetime) as an aware datetime."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):  # pragma: no cover - the columns hold times
        raise TypeError(f"not a moment: {moment!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stored_text(moment: object) -> str:
    """A stored moment as the UTC text the import stages: `YYYY-MM-DD HH:MM:SS.ffffff`."""
    return as_utc(moment).astimezone(UTC).isoformat(" ", "microseconds")[:26]


def local_time(moment: object, zone: tzinfo) -> str:
    """A stored moment as local ISO time."""
    return as_utc(moment).astimezone(zone).isoformat(timespec="minutes")
