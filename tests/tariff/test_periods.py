"""Which periods are plain months, and T' (the month before the billing month)."""

from __future__ import annotations

from datetime import date

import pytest

from tariff.periods import days_in_period, days_in_preceding_month, is_standard_month


@pytest.mark.parametrize(
    ("start", "end", "standard"),
    [
        (date(2025, 6, 1), date(2025, 6, 30), True),  # 1st to last day
        (date(2015, 6, 16), date(2015, 7, 15), True),  # day d to the day before d
        (date(2024, 1, 31), date(2024, 2, 29), True),  # read on the 30th, February has no 30th
        (date(2024, 3, 1), date(2024, 3, 30), True),  # 29/02 (the 30th moved) → 30/03
        (date(2024, 1, 4), date(2024, 2, 29), False),  # EVNHANOI's 57-day period
        (date(2025, 6, 1), date(2025, 6, 29), False),
        (date(2025, 6, 1), date(2025, 7, 1), False),
        (date(2025, 6, 5), date(2025, 6, 20), False),
    ],
)
def test_standard_month(start: date, end: date, standard: bool) -> None:
    assert is_standard_month(start, end) is standard


def test_days_count_both_ends() -> None:
    assert days_in_period(date(2015, 6, 16), date(2015, 7, 15)) == 30
    assert days_in_period(date(2025, 6, 1), date(2025, 6, 1)) == 1


@pytest.mark.parametrize(
    ("reading", "days"),
    [(date(2024, 2, 29), 31), (date(2024, 3, 31), 29), (date(2025, 1, 31), 31)],
)
def test_t_prime_is_the_preceding_month(reading: date, days: int) -> None:
    assert days_in_preceding_month(reading) == days
