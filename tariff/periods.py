"""Calendar rules of a billing period: its length, whether it is a plain month, and T'."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def days_in_period(start: date, end: date) -> int:
    """Return N: the days from the first day of consumption to the reading date, both included."""
    return (end - start).days + 1


def days_in_month(year: int, month: int) -> int:
    """Return the number of calendar days of a month."""
    return calendar.monthrange(year, month)[1]


def days_in_preceding_month(reading_date: date) -> int:
    """Return T': the calendar days of the month before the billing (reading) month."""
    if reading_date.month == 1:
        return days_in_month(reading_date.year - 1, 12)
    return days_in_month(reading_date.year, reading_date.month - 1)


def is_standard_month(start: date, end: date) -> bool:
    """Return whether the period runs exactly one month between two readings on the same day.

    The previous reading is the day before `start`. A reading day that a short month lacks
    moves to that month's last day (read on the 30th: 30/01 → 28/02 → 30/03).
    """
    previous = start - timedelta(days=1)
    months_apart = (end.year - previous.year) * 12 + end.month - previous.month
    if months_apart != 1:
        return False
    if end.day == previous.day:
        return True
    end_is_last = end.day == days_in_month(end.year, end.month)
    previous_is_last = previous.day == days_in_month(previous.year, previous.month)
    return (end_is_last and end.day < previous.day) or (
        previous_is_last and end.day > previous.day
    )
