"""Explanations add up: a change splits exactly into causes; projections see the next tier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tariff import BillRequest, compute_bill
from tariff.explain import explain_difference, project_period_end


def month(year: int, number: int, kwh: int) -> BillRequest:
    """A residential request for one calendar month."""
    start = date(year, number, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return BillRequest(kwh=kwh, period_start=start, period_end=end)


def test_same_use_same_prices_explains_nothing() -> None:
    difference = explain_difference(month(2025, 9, 250), month(2025, 11, 250))
    assert difference.total == 0
    assert (difference.days, difference.kwh, difference.tier_mix, difference.price_change) == (
        0,
        0,
        0,
        0,
    )


def test_more_kwh_within_one_tier_is_only_a_kwh_effect() -> None:
    difference = explain_difference(month(2025, 9, 20), month(2025, 11, 40))
    assert difference.kwh == 20 * 1984
    assert difference.tier_mix == 0
    assert difference.days == difference.price_change == 0


def test_crossing_into_dearer_tiers_shows_as_tier_mix() -> None:
    difference = explain_difference(month(2025, 9, 100), month(2025, 11, 300))
    assert difference.tier_mix > 0


def test_longer_period_after_a_reading_date_change_shows_as_days() -> None:
    previous = month(2024, 1, 300)
    longer = BillRequest(
        kwh=300 * 60 // 31, period_start=date(2024, 2, 1), period_end=date(2024, 3, 31)
    )
    difference = explain_difference(previous, longer)
    assert difference.days > 0
    assert difference.price_change == 0


def test_a_new_price_schedule_shows_as_price_change() -> None:
    difference = explain_difference(month(2024, 9, 300), month(2024, 11, 300))
    old = month(2024, 9, 300)
    new = month(2024, 11, 300)
    assert (
        difference.price_change
        == compute_bill(new).amount_before_vat - compute_bill(old).amount_before_vat
    )
    assert difference.kwh == difference.tier_mix == difference.days == 0


@given(
    first=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 10, 1)),
    gap=st.integers(min_value=1, max_value=14),
    kwh=st.tuples(st.integers(0, 1500), st.integers(0, 1500)),
)
def test_causes_add_up_to_the_difference(first: date, gap: int, kwh: tuple[int, int]) -> None:
    previous = month(first.year, first.month, kwh[0])
    later = first.replace(day=1) + timedelta(days=31 * gap)
    current = month(later.year, later.month, kwh[1])
    difference = explain_difference(previous, current)
    parts = difference.days + difference.kwh + difference.tier_mix + difference.price_change
    assert parts + difference.vat == difference.total


def test_projection_scales_month_to_date_use_and_warns_of_the_next_tier() -> None:
    request = BillRequest(kwh=90, period_start=date(2025, 11, 1), period_end=date(2025, 11, 30))
    projection = project_period_end(request, date(2025, 11, 15))
    assert projection.projected_kwh == 180
    assert projection.tier == 3
    assert projection.kwh_left_in_tier == 200 - 90
    assert projection.daily_kwh_to_stay == Decimal("7.3")  # 110 kWh over 15 days
    assert (projection.tier_price, projection.next_tier_price) == (2380, 2998)
    assert projection.crossing_cost_per_kwh == 2998 - 2380
    assert projection.bill == compute_bill(
        BillRequest(kwh=180, period_start=date(2025, 11, 1), period_end=date(2025, 11, 30))
    )


def test_projection_in_the_last_tier_has_no_next_tier() -> None:
    request = BillRequest(kwh=500, period_start=date(2025, 11, 1), period_end=date(2025, 11, 30))
    projection = project_period_end(request, date(2025, 11, 10))
    assert projection.tier == 6
    assert projection.next_tier_price is None
    assert projection.kwh_left_in_tier is None


def test_a_new_vat_rate_shows_in_the_vat_part() -> None:
    """8 % until 31/12/2026, 10 % from 01/01/2027: same use, same prices, only VAT moves."""
    difference = explain_difference(month(2026, 12, 300), month(2027, 1, 300))
    subtotal = difference.current.amount_before_vat
    assert (difference.days, difference.kwh, difference.tier_mix, difference.price_change) == (
        0,
        0,
        0,
        0,
    )
    assert difference.vat == difference.total == difference.vat_rate_change
    assert difference.vat_rate_change == subtotal * 2 // 100  # 907.000 × 2 %, exact


def test_projection_of_an_irregular_period_uses_its_prorated_tiers() -> None:
    """A 20-day first bill read on 20/03/2025 (T' = 28): tier 1 ends at 36, tier 2 at 72."""
    request = BillRequest(kwh=30, period_start=date(2025, 3, 1), period_end=date(2025, 3, 20))
    projection = project_period_end(request, date(2025, 3, 10))
    assert projection.projected_kwh == 60
    assert projection.tier == 2
    assert projection.kwh_left_in_tier == 72 - 30
    assert projection.crossing_cost_per_kwh == 2271 - 1956
