"""Half-up rounding (never banker's) and exact splitting."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tariff.arithmetic import round_half_up, split_by_days


def test_halves_go_up_unlike_python_round() -> None:
    assert round_half_up(Fraction(5, 2)) == 3  # round(2.5) == 2
    assert round_half_up(Fraction(171, 2)) == 86
    assert round_half_up(Fraction(-5, 2)) == -3
    assert round_half_up(Fraction(2649, 31)) == 85  # 50 × 53 / 31 = 85,45…


@given(
    total=st.integers(min_value=0, max_value=10**6),
    days=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=4),
)
def test_split_by_days_keeps_the_total(total: int, days: list[int]) -> None:
    shares = split_by_days(total, tuple(days))
    assert sum(shares) == total
    assert all(share >= 0 for share in shares)
    assert shares[0] == round_half_up(Fraction(total * days[0], sum(days)))
