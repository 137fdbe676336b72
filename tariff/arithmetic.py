"""Exact arithmetic for money and quotas: fractions in, integers out, half-up rounding."""

from __future__ import annotations

from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """Return `value` rounded to the nearest integer, halves away from zero ("làm tròn số học")."""
    if value < 0:
        return -round_half_up(-value)
    return int((value.numerator * 2 + value.denominator) // (value.denominator * 2))


def split_by_days(total: int, days: tuple[int, ...]) -> tuple[int, ...]:
    """Return `total` shared in proportion to `days`, rounded half-up cumulatively."""
    all_days = sum(days)
    shares = []
    allotted = 0
    elapsed = 0
    for count in days:
        elapsed += count
        cumulative = round_half_up(Fraction(total * elapsed, all_days))
        shares.append(cumulative - allotted)
        allotted = cumulative
    return tuple(shares)
