"""Where the current billing period is heading: projected kWh and bill, and the next tier.

From the billing-period-to-date use (through yesterday, the last day with data) with
`tariff.explain.project_period_end`; 3-price meters project each register the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

from handlers import texts
from handlers.context import Answer, Deps, say
from handlers.format import format_date, format_kwh, format_money
from handlers.types import Button, Reply
from meters.model import UsageSummary
from meters.records import CustomerDetails
from meters.usage import billing_period, reading_date
from tariff import BillRequest, TariffError, compute_bill
from tariff.arithmetic import round_half_up
from tariff.explain import Projection, project_period_end

WH_PER_KWH = 1000


def current_period(customer: CustomerDetails, today: date) -> tuple[date, date]:
    """The billing period `today` falls in: first day and reading date."""
    first, _ = billing_period(customer.reading_day, today)
    return first, next_reading_date(customer, today)


def next_reading_date(customer: CustomerDetails, today: date) -> date:
    """The reading date that closes the current period: one month after the previous one."""
    first, _ = billing_period(customer.reading_day, today)
    previous = first - timedelta(days=1)
    year, month = (
        (previous.year + 1, 1) if previous.month == 12 else (previous.year, previous.month + 1)
    )
    return reading_date(year, month, customer.reading_day)


def projection_answer(customer: CustomerDetails, deps: Deps) -> Answer:
    """The projection of the customer's current period, with the tier in sight."""
    code = customer.customer_code
    first, last = current_period(customer, deps.today)
    as_of = deps.today - timedelta(days=1)
    buttons = (
        Button(texts.BUTTON_USAGE_PERIOD, f"usage:period:{customer.id}"),
        Button(texts.BUTTON_USAGE_CHART, f"usage:chart:{customer.id}"),
    )
    summary = deps.usage.daily(code, first, as_of) if as_of >= first else None
    if summary is None or not summary.days:
        return say(Reply(texts.PROJECTION_NO_DATA.format(first=format_date(first)), buttons))
    kwh = whole_kwh(summary.used_wh)
    request = BillRequest(
        period_start=first,
        period_end=last,
        kwh=kwh,
        households=customer.households,
        customer_type=customer.customer_type,
        voltage_kv=customer.voltage_kv,
        prepaid="prepaid" in deps.usage.meter_kinds(customer.customer_code),
    )
    try:
        if summary.normal_wh is not None and summary.peak_wh is not None:
            projected_total = _three_price_total(request, summary, as_of)
            forecast = None
        else:
            forecast = project_period_end(request, as_of)
            projected_total = forecast.bill.total
    except TariffError:
        return say(Reply(texts.PROJECTION_NO_DATA.format(first=format_date(first)), buttons))
    days = (as_of - first).days + 1
    total_days = (last - first).days + 1
    projected_kwh = (
        forecast.projected_kwh
        if forecast is not None
        else round_half_up(Fraction(kwh * total_days, days))
    )
    lines = [
        texts.PROJECTION.format(
            first=format_date(first),
            last=format_date(last),
            as_of=format_date(as_of),
            code=code,
            kwh=format_kwh(kwh * WH_PER_KWH),
            days=days,
            projected=format_kwh(projected_kwh * WH_PER_KWH),
            total=format_money(projected_total),
        )
    ]
    if forecast is not None:
        lines.extend(tier_lines(forecast))
    return say(Reply("\n".join(lines), buttons))


def tier_lines(forecast: Projection) -> list[str]:
    """The tier the projection ends in, the kWh left before the next one and what it costs."""
    if forecast.tier is None or forecast.tier_price is None:
        return []
    lines = [
        texts.PROJECTION_TIER.format(tier=forecast.tier, price=format_money(forecast.tier_price))
    ]
    left = forecast.kwh_left_in_tier
    if forecast.next_tier_price is None or left is None or forecast.crossing_cost_per_kwh is None:
        return [texts.PROJECTION_TOP_TIER.format(price=format_money(forecast.tier_price))]
    lines.append(
        texts.PROJECTION_NEXT_TIER.format(
            left=format_kwh(left * WH_PER_KWH),
            next_tier=forecast.tier + 1,
            next_price=format_money(forecast.next_tier_price),
            extra=format_money(forecast.crossing_cost_per_kwh),
        )
    )
    if forecast.daily_kwh_to_stay is not None and forecast.days_left > 0:
        lines.append(
            texts.PROJECTION_STAY.format(
                next_tier=forecast.tier + 1,
                daily=format_kwh(int(forecast.daily_kwh_to_stay * WH_PER_KWH)),
                days=forecast.days_left,
            )
        )
    return lines


def whole_kwh(energy_wh: int) -> int:
    """Wh to whole kWh, rounded half up."""
    return (energy_wh + WH_PER_KWH // 2) // WH_PER_KWH


def _three_price_total(request: BillRequest, summary: UsageSummary, as_of: date) -> int:
    """The projected bill of a 3-price meter: each register scaled to the whole period."""
    elapsed = (as_of - request.period_start).days + 1
    days = (request.period_end - request.period_start).days + 1
    bands = (summary.normal_wh or 0, summary.peak_wh or 0, summary.offpeak_wh or 0)
    normal, peak, offpeak = (
        round_half_up(Fraction(whole_kwh(band) * days, elapsed)) for band in bands
    )
    projected = replace(request, kwh=None, normal_kwh=normal, peak_kwh=peak, offpeak_kwh=offpeak)
    return compute_bill(projected).total
