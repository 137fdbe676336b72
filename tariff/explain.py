"""Explanations for the conversation: why a bill changed, and where this month is heading."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from tariff.arithmetic import round_half_up
from tariff.calculator import compute_bill, tier_bounds
from tariff.errors import InvalidBillRequest
from tariff.model import Bill, BillRequest, CustomerType
from tariff.schedules import ScheduleBook, default_schedule_book
from tariff.vat import VatTable

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class BillDifference:
    """current.total − previous.total split into causes (đồng; they add up exactly).

    `days`, `kwh`, `tier_mix` and `price_change` are before VAT; `vat` is the change in VAT, of
    which `vat_rate_change` comes from a new VAT rate (e.g. 8 % → 10 % on 01/01/2027).
    """

    previous: Bill
    current: Bill
    days: int  # more (or fewer) days at the previous daily use
    kwh: int  # the extra kWh at the previous average price
    tier_mix: int  # the extra kWh falling into dearer (or cheaper) tiers
    price_change: int  # a new price schedule
    vat: int

    @property
    def total(self) -> int:
        """Return the whole difference, VAT included."""
        return self.current.total - self.previous.total

    @property
    def vat_rate_change(self) -> int:
        """Return the part of `vat` due to a different VAT rate (the rest is VAT on the causes)."""
        rate_step = Fraction(self.current.vat_rate) - Fraction(self.previous.vat_rate)
        return round_half_up(rate_step * self.current.amount_before_vat)


@dataclass(frozen=True, slots=True)
class Projection:
    """A month-end forecast from month-to-date use, with the next tier in sight."""

    kwh_to_date: int
    days_elapsed: int
    days_left: int
    projected_kwh: int
    bill: Bill  # the projected bill
    tier: int | None  # tier the projected use ends in (None: not a tiered tariff)
    kwh_left_in_tier: int | None  # kWh still available before the next tier (from today's use)
    daily_kwh_to_stay: Decimal | None  # average kWh a day that keeps the bill in `tier`
    tier_price: int | None
    next_tier_price: int | None
    crossing_cost_per_kwh: int | None  # next − current price, before VAT


def explain_difference(
    previous: BillRequest,
    current: BillRequest,
    *,
    schedules: ScheduleBook | None = None,
    vat_table: VatTable | None = None,
) -> BillDifference:
    """Return why `current` costs more or less than `previous`, by cause."""
    if previous.customer_type != current.customer_type:
        raise InvalidBillRequest("compare two bills of the same customer type")
    if previous.kwh is None or current.kwh is None:
        raise InvalidBillRequest("the comparison needs kwh on both bills")
    book = schedules if schedules is not None else default_schedule_book()
    before = compute_bill(previous, schedules=book, vat_table=vat_table)
    after = compute_bill(current, schedules=book, vat_table=vat_table)
    old_prices = book.frozen_at(before.customer_type, previous.period_end)
    scaled_kwh = round_half_up(Fraction(previous.kwh * after.days, before.days))
    same_use = compute_bill(
        replace(current, kwh=scaled_kwh), schedules=old_prices, vat_table=vat_table
    )
    old_priced = compute_bill(current, schedules=old_prices, vat_table=vat_table)
    change = old_priced.amount_before_vat - same_use.amount_before_vat
    if same_use.kwh:
        linear = round_half_up(
            Fraction((current.kwh - same_use.kwh) * same_use.amount_before_vat, same_use.kwh)
        )
    else:
        linear = change
    return BillDifference(
        previous=before,
        current=after,
        days=same_use.amount_before_vat - before.amount_before_vat,
        kwh=linear,
        tier_mix=change - linear,
        price_change=after.amount_before_vat - old_priced.amount_before_vat,
        vat=after.vat - before.vat,
    )


def project_period_end(
    request: BillRequest,
    as_of: date,
    *,
    schedules: ScheduleBook | None = None,
    vat_table: VatTable | None = None,
) -> Projection:
    """Return the forecast of `request`'s period from its kwh used up to and including `as_of`."""
    if request.kwh is None:
        raise InvalidBillRequest("the projection needs the kWh used so far")
    if not request.period_start <= as_of <= request.period_end:
        raise InvalidBillRequest(
            f"{as_of} is outside the period {request.period_start} – {request.period_end}"
        )
    elapsed = (as_of - request.period_start).days + 1
    days = (request.period_end - request.period_start).days + 1
    projected = round_half_up(Fraction(request.kwh * days, elapsed))
    forecast = replace(request, kwh=projected)
    bill = compute_bill(forecast, schedules=schedules, vat_table=vat_table)
    tiered = (
        bill.customer_type is CustomerType.RESIDENTIAL
        and not request.prepaid
        and not request.renter_undeclared
    )
    if not tiered:
        return Projection(
            request.kwh,
            elapsed,
            days - elapsed,
            projected,
            bill,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    bounds = tier_bounds(forecast, schedules=schedules, vat_table=vat_table)
    tier = next(
        index for index, bound in enumerate(bounds, start=1) if bound is None or projected <= bound
    )
    bound = bounds[tier - 1]
    book = schedules if schedules is not None else default_schedule_book()
    schedule = book.in_force(CustomerType.RESIDENTIAL, request.period_end).residential
    prices = [] if schedule is None else [item.price for item in schedule.tiers]
    next_price = prices[tier] if tier < len(prices) else None
    left = None if bound is None else max(bound - request.kwh, 0)
    daily = None
    if left is not None and days > elapsed:
        daily = (Decimal(left) / (days - elapsed)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    return Projection(
        kwh_to_date=request.kwh,
        days_elapsed=elapsed,
        days_left=days - elapsed,
        projected_kwh=projected,
        bill=bill,
        tier=tier,
        kwh_left_in_tier=left,
        daily_kwh_to_stay=daily,
        tier_price=prices[tier - 1],
        next_tier_price=next_price,
        crossing_cost_per_kwh=None if next_price is None else next_price - prices[tier - 1],
    )
