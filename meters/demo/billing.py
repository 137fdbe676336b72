"""Bills of a demo customer: periods by reading day, kWh from the registers, the tariff engine.

A period runs from the day after the previous reading date to the reading date; its kWh is the
difference of the whole-kWh registers at the readings that close those two dates (the reading
early on the next morning). 3-price meters are billed per band.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from meters.demo.model import DemoBill, DemoCustomer
from meters.demo.readings import Registers
from tariff import BillRequest, UnknownTariff, compute_bill

PERIODS = 12
DUE_AFTER_DAYS = 10
WH_PER_KWH = 1000
EARLY_PAYMENT_RATE = 0.45  # latest bill paid while it is not yet due
LATE_PAYMENT_RATE = 0.92  # latest bill paid by its due date


def reading_date(year: int, month: int, reading_day: int) -> date:
    """The reading date of a month: `reading_day`, or the month's last day if shorter."""
    return date(year, month, min(reading_day, calendar.monthrange(year, month)[1]))


def billing_periods(reading_day: int, first_day: date, today: date) -> list[tuple[date, date]]:
    """The last (at most `PERIODS`) whole periods between `first_day` and yesterday."""
    year, month = first_day.year, first_day.month
    ends: list[date] = []
    while (year, month) <= (today.year, today.month):
        ends.append(reading_date(year, month, reading_day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    periods = [
        (previous + timedelta(days=1), end)
        for previous, end in pairwise(ends)
        if previous + timedelta(days=1) >= first_day and end < today
    ]
    return periods[-PERIODS:]


def _kwh_between(registers: list[int], start: int, end: int) -> int:
    return registers[end] // WH_PER_KWH - registers[start] // WH_PER_KWH


def period_request(
    customer: DemoCustomer, registers: Registers, first_day: date, period: tuple[date, date]
) -> BillRequest:
    """The tariff request of one period, its kWh read from the registers."""
    period_start, period_end = period
    start = (period_start - first_day).days
    end = (period_end - first_day).days + 1
    if registers.bands is not None:
        normal, peak, offpeak = (_kwh_between(band, start, end) for band in registers.bands)
        return BillRequest(
            period_start=period_start,
            period_end=period_end,
            customer_type=customer.customer_type,
            voltage_kv=customer.voltage_kv,
            normal_kwh=normal,
            peak_kwh=peak,
            offpeak_kwh=offpeak,
        )
    return BillRequest(
        period_start=period_start,
        period_end=period_end,
        customer_type=customer.customer_type,
        voltage_kv=customer.voltage_kv,
        kwh=_kwh_between(registers.total, start, end),
        households=customer.households,
        prepaid=customer.meter_kind == "prepaid",
    )


def customer_bills(
    customer: DemoCustomer,
    registers: Registers,
    first_day: date,
    today: date,
    *,
    zone: ZoneInfo,
    rng: random.Random,
    in_debt: bool,
) -> list[DemoBill]:
    """The customer's bills; older ones paid, the latest paid or not, debtors' last two unpaid."""
    periods = billing_periods(customer.reading_day, first_day, today)
    bills: list[DemoBill] = []
    for number, period in enumerate(periods):
        try:
            bill = compute_bill(period_request(customer, registers, first_day, period))
        except UnknownTariff:  # the tariff data does not reach this far back for this group
            continue
        period_start, period_end = period
        due_date = period_end + timedelta(days=DUE_AFTER_DAYS)
        paid_at: datetime | None = None
        if customer.meter_kind == "prepaid":
            paid_at = _at(period_start, zone, rng)
        elif _pays(rng, number, len(periods), due_date, today, in_debt=in_debt):
            latest_day = min(due_date, today) - timedelta(days=1)
            if latest_day > period_end:
                paid_day = period_end + timedelta(
                    days=rng.randint(1, (latest_day - period_end).days)
                )
                paid_at = _at(paid_day, zone, rng)
        bills.append(
            DemoBill(
                bill_no=f"{customer.customer_code}{period_end:%y%m}",
                customer_code=customer.customer_code,
                period_start=period_start,
                period_end=period_end,
                kwh=bill.kwh,
                amount_before_vat=bill.amount_before_vat,
                vat=bill.vat,
                total=bill.total,
                due_date=due_date,
                paid_at=paid_at,
            )
        )
    return bills


def _pays(
    rng: random.Random, number: int, count: int, due_date: date, today: date, *, in_debt: bool
) -> bool:
    """Whether bill `number` of `count` is paid: debtors owe the last two, others mostly pay."""
    if number < count - (2 if in_debt else 1):
        return True
    if in_debt:
        return False
    return rng.random() < (LATE_PAYMENT_RATE if due_date < today else EARLY_PAYMENT_RATE)


def _at(day: date, zone: ZoneInfo, rng: random.Random) -> datetime:
    """A moment during the opening hours of `day`."""
    seconds = rng.randrange(7 * 3600, 20 * 3600)
    return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60), tzinfo=zone)
