"""Exact arithmetic for money and quotas: fractions in, integers out, half-up rounding."""

from __future__ import annotations

from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """Return `value` rounded to the nearest integer, halves away from zero ("làm tròn số học")."""
    return round_half_up_ratio(value.numerator, value.denominator)


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """Return numerator / denominator (denominator > 0) rounded half away from zero."""
    if numerator < 0:
        return -round_half_up_ratio(-numerator, denominator)
    return (numerator * 2 + denominator) // (denominator * 2)


def split_by_days(total: int, days: tuple[int, ...]) -> tuple[int, ...]:
    """Return `total` shared in proportion to `days`, rounded half-up cumulatively."""
    if len(days) == 1:
        return (total,)
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
