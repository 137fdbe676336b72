"""Schedules are data: shipped files parse, bad files are refused precisely, new decisions fit."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from tariff import (
    BillRequest,
    CustomerType,
    ScheduleDataError,
    compute_bill,
    default_schedule_book,
    parse_decision,
)
from tariff.arithmetic import round_half_up
from tariff.parsing import read_json
from tests.tariff import spec_tables

FIVE_TIER: dict[str, Any] = {
    "effective_from": "2027-03-01",
    "decision": "14/2025/QĐ-TTg (hypothetical prices)",
    "source": "Decision 14/2025/QĐ-TTg structure; prices = tariff.md §3 illustration",
    "residential": {
        "tiers": [
            {"up_to_kwh": 100, "price": 1984},
            {"up_to_kwh": 200, "price": 2380},
            {"up_to_kwh": 400, "price": 2998},
            {"up_to_kwh": 700, "price": 3571},
            {"up_to_kwh": None, "price": 3967},
        ]
    },
}


def test_shipped_decisions_match_the_spec_tables() -> None:
    book = default_schedule_book()
    residential = book.timeline(CustomerType.RESIDENTIAL)
    assert {decision.effective_from for decision in residential} == set(spec_tables.RESIDENTIAL)
    for decision in residential:
        assert decision.residential is not None
        prices = tuple(tier.price for tier in decision.residential.tiers)
        assert prices == spec_tables.RESIDENTIAL[decision.effective_from]
        assert decision.source


def test_a_five_tier_future_decision_bills_without_code_changes() -> None:
    book = default_schedule_book().with_decision(parse_decision(FIVE_TIER, "five_tier"))
    request = BillRequest(kwh=750, period_start=date(2027, 4, 1), period_end=date(2027, 4, 30))
    bill = compute_bill(request, schedules=book)
    assert [(line.tier, line.kwh) for line in bill.lines] == [
        (1, 100),
        (2, 100),
        (3, 200),
        (4, 300),
        (5, 50),
    ]
    expected = 100 * 1984 + 100 * 2380 + 200 * 2998 + 300 * 3571 + 50 * 3967
    assert bill.amount_before_vat == expected
    assert bill.vat_rate == Decimal("0.10")  # the 8 % reduction ends on 31/12/2026
    assert {line.source for line in bill.lines} == {FIVE_TIER["decision"]}
    before = compute_bill(
        BillRequest(kwh=750, period_start=date(2027, 1, 1), period_end=date(2027, 1, 31)),
        schedules=book,
    )
    assert len(before.lines) == 6  # still the 6-tier table before it takes effect


@pytest.mark.parametrize("bound", [100, 200, 400, 700])
def test_five_tier_boundaries_price_each_kwh_at_its_tier(bound: int) -> None:
    book = default_schedule_book().with_decision(parse_decision(FIVE_TIER, "five_tier"))
    prices = [tier["price"] for tier in FIVE_TIER["residential"]["tiers"]]
    tier = [100, 200, 400, 700].index(bound)

    def subtotal(kwh: int) -> int:
        request = BillRequest(kwh=kwh, period_start=date(2027, 4, 1), period_end=date(2027, 4, 30))
        return compute_bill(request, schedules=book).amount_before_vat

    assert subtotal(bound) - subtotal(bound - 1) == prices[tier]
    assert subtotal(bound + 1) - subtotal(bound) == prices[tier + 1]


def test_a_five_tier_decision_file_fits_next_to_the_shipped_ones() -> None:
    """The 5-tier table dated in the future, as a data file would hold it, bills a month."""
    book = default_schedule_book().with_decision(
        parse_decision(read_json(json.dumps(FIVE_TIER), "prices_2027-03-01.json"), "five_tier")
    )
    request = BillRequest(kwh=99, period_start=date(2027, 4, 1), period_end=date(2027, 4, 30))
    bill = compute_bill(request, schedules=book)
    assert [(line.tier, line.kwh, line.price) for line in bill.lines] == [(1, 99, 1984)]
    assert bill.total == 99 * 1984 + round_half_up(Fraction(99 * 1984, 10))


def test_the_switch_month_from_six_to_five_tiers_splits_by_days() -> None:
    book = default_schedule_book().with_decision(parse_decision(FIVE_TIER, "five_tier"))
    request = BillRequest(kwh=300, period_start=date(2027, 2, 15), period_end=date(2027, 3, 14))
    bill = compute_bill(request, schedules=book)
    assert {line.tariff_from for line in bill.lines} == {date(2025, 5, 10), date(2027, 3, 1)}
    assert sum(line.kwh for line in bill.lines) == 300


def broken(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """FIVE_TIER with one field replaced (or removed when `value` is ...)."""
    document = copy.deepcopy(FIVE_TIER)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (broken(("effective_from",), ...), "five_tier: missing field 'effective_from'"),
        (broken(("effective_from",), "1/3/2027"), "five_tier.effective_from: not an ISO date"),
        (
            broken(("residential", "tiers", 1, "price"), 0),
            "tiers[1].price: expected a positive integer",
        ),
        (
            broken(("residential", "tiers", 1, "price"), 23.8),
            "tiers[1].price: expected a positive integer",
        ),
        (
            broken(("residential", "tiers", 2, "up_to_kwh"), 150),
            "tiers[2].up_to_kwh: bounds must increase",
        ),
        (broken(("residential", "tiers", 4, "up_to_kwh"), 900), "only the last tier is unlimited"),
        (broken(("residential", "tiers", 0, "prise"), 1), "unknown field(s) prise"),
        (broken(("residential",), ...), "at least one customer group"),
        (broken(("average_price",), 2204.0655), "write decimals as strings"),
    ],
)
def test_malformed_decisions_are_refused_with_the_field(document: object, message: str) -> None:
    with pytest.raises(ScheduleDataError) as raised:
        parse_decision(document, "five_tier")
    assert message in str(raised.value)


def test_voltage_levels_must_reach_down_to_zero() -> None:
    document = dict(FIVE_TIER, business={"voltage_levels": [{"min_kv": "6", "price": 1}]})
    with pytest.raises(ScheduleDataError, match="lowest level"):
        parse_decision(document, "five_tier")


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(ScheduleDataError, match=r"^prices_x\.json:2:1: invalid JSON"):
        read_json('{"a": 1,\n}', "prices_x.json")


def test_two_decisions_on_one_day_are_refused() -> None:
    twin = parse_decision(dict(FIVE_TIER, effective_from="2025-05-10"), "twin")
    with pytest.raises(ScheduleDataError, match="2025-05-10"):
        default_schedule_book().with_decision(twin)
