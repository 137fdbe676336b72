"""Appliance estimates: kWh from watts, hours and duty cycle; cost at the customer's own tier."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tariff import BillRequest, InvalidBillRequest, compute_bill
from tariff.appliances import (
    air_conditioner,
    appliance_catalogue,
    estimate_appliance,
    find_appliance,
)


def november(kwh: int) -> BillRequest:
    """A residential request for November 2025 (a plain month)."""
    return BillRequest(kwh=kwh, period_start=date(2025, 11, 1), period_end=date(2025, 11, 30))


def test_catalogue_covers_the_common_vietnamese_household() -> None:
    keys = {appliance.key for appliance in appliance_catalogue()}
    for key in ("may_lanh_1hp", "tu_lanh", "binh_nong_lanh", "may_giat", "noi_com_dien"):
        assert key in keys
    for key in ("quat_dung", "tivi", "bom_nuoc", "bep_tu", "sac_xe_may_dien"):
        assert key in keys
    assert all(appliance.name != appliance.key for appliance in appliance_catalogue())


@pytest.mark.parametrize(
    ("hp", "btu"), [(Decimal(1), 9000), (Decimal("1.5"), 12000), (Decimal(2), 18000)]
)
def test_air_conditioners_by_hp_and_by_btu_agree(hp: Decimal, btu: int) -> None:
    assert air_conditioner(hp=hp) == air_conditioner(btu=btu)
    assert air_conditioner(hp=hp).btu == btu


def test_kwh_per_day_is_watts_times_hours_times_duty() -> None:
    fridge = find_appliance("tu lanh")
    assert fridge.kwh_per_day() == fridge.watts * fridge.hours_per_day * fridge.duty_cycle / 1000
    assert fridge.kwh_per_day(quantity=2) == 2 * fridge.kwh_per_day()
    assert fridge.kwh_per_day() == Decimal("1.152")  # 120 W × 24 h × 0,4
    assert fridge.kwh_per_month() == Decimal("34.56")  # 30 days
    assert fridge.kwh_per_month(days=31) == 31 * fridge.kwh_per_day()


def test_names_keys_and_aliases_are_unambiguous() -> None:
    owners: dict[str, set[str]] = {}
    for item in appliance_catalogue():
        for word in (item.key, *item.aliases):
            owners.setdefault(word, set()).add(item.key)
    assert all(len(keys) == 1 for keys in owners.values())
    for appliance in appliance_catalogue():
        for alias in appliance.aliases:
            assert find_appliance(alias) == appliance


def test_marginal_cost_is_priced_at_the_customers_own_tier() -> None:
    unit = air_conditioner(hp=Decimal(1))
    base = november(450)  # already in tier 6
    estimate = estimate_appliance(unit, base, hours_per_day=Decimal(8))
    assert estimate.kwh_per_period == 30 * 800 * 8 * 7 // 10 // 1000  # 134,4 → 134
    assert estimate.added_before_vat == estimate.kwh_per_period * 3460
    low = estimate_appliance(unit, november(0), hours_per_day=Decimal(8))
    assert low.added_before_vat < estimate.added_before_vat
    total_with = compute_bill(november(450 + estimate.kwh_per_period)).total
    assert estimate.added_total == total_with - compute_bill(base).total


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: find_appliance("máy bay"), "unknown appliance"),
        (air_conditioner, "HP or in BTU"),
        (lambda: air_conditioner(hp=Decimal(0)), "positive"),
        (
            lambda: estimate_appliance(find_appliance("tivi"), november(1), quantity=0),
            "quantity",
        ),
        (
            lambda: estimate_appliance(
                find_appliance("tivi"), november(1), hours_per_day=Decimal(25)
            ),
            "hours per day",
        ),
    ],
)
def test_bad_appliance_questions_are_refused(call: object, message: str) -> None:
    with pytest.raises(InvalidBillRequest, match=message):
        call()  # type: ignore[operator]
