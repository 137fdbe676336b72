"""`generate_demo`: the whole demo data set, pure and deterministic in (seed, today, size).

Every part draws from its own `random.Random` stream named after the seed (and the customer
code for a customer's use, readings and bills), so the same inputs give the same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meters.demo.billing import customer_bills
from meters.demo.customers import customers_stream, draw_customers, usage_profile
from meters.demo.limits import DEFAULT_CUSTOMERS, DEFAULT_DAYS, MAX_DAYS, MIN_DAYS
from meters.demo.model import DemoBill, DemoCustomer, DemoData, DemoMeter, Fault, PlantedFault
from meters.demo.places import POWER_COMPANIES
from meters.demo.readings import (
    MeterSpec,
    Registers,
    midnights,
    plain_meter,
    read_times,
    with_gaps,
    with_replacement,
    with_reset,
)
from meters.demo.services import draw_outages, draw_payment_points, draw_requests
from meters.demo.usage import Calendar, daily_use, leak_load

DEBT_RATE = 0.03
CLIMATES = {company.name: company.climate for company in POWER_COMPANIES}


def fault_plan(rng: random.Random, customers: Sequence[DemoCustomer]) -> dict[str, Fault]:
    """Which residential single-meter customers get which planted fault."""
    candidates = [
        customer.customer_code
        for customer in customers
        if customer.customer_type == "residential" and customer.meter_kind == "single"
    ]
    rng.shuffle(candidates)
    count = len(customers)
    wanted = (
        (Fault.LEAK, max(1, count // 400)),
        (Fault.REPLACED, 1),
        (Fault.RESET, 1 if count < 1000 else 2),
        (Fault.GAPS, max(1, count // 300)),
    )
    plan: dict[str, Fault] = {}
    for fault, number in wanted:
        for _ in range(number):
            if candidates:
                plan[candidates.pop()] = fault
    return plan


def _starts(rng: random.Random, kind: str) -> tuple[int, int, int]:
    """Starting registers (normal, peak, offpeak) in Wh of a meter in service for years."""
    total = rng.randrange(500_000, 60_000_000)
    if kind != "tou":
        return total, 0, 0
    return total * 6 // 10, total * 2 // 10, total - total * 6 // 10 - total * 2 // 10


@dataclass(frozen=True, slots=True)
class _Frame:
    """What every customer's part of the data set shares."""

    seed: int
    today: date
    zone: ZoneInfo
    calendar: Calendar
    midnights: list[int]

    @property
    def first_day(self) -> date:
        return self.calendar.first_day


@dataclass(slots=True)
class _Parts:
    meters: list[DemoMeter] = field(default_factory=list)
    faults: list[PlantedFault] = field(default_factory=list)
    bills: list[DemoBill] = field(default_factory=list)


def _customer_part(
    frame: _Frame,
    customer: DemoCustomer,
    fault: Fault | None,
    meter_ids: Iterator[str],
    parts: _Parts,
    *,
    in_debt: bool,
) -> None:
    """Add one customer's meters (with a planted fault, if any) and bills to `parts`."""
    rng = random.Random(f"{frame.seed}:{customer.customer_code}")
    days, first_day = len(frame.calendar), frame.first_day
    installed = datetime.combine(
        first_day - timedelta(days=rng.randint(365, 12 * 365)), time(9), tzinfo=frame.zone
    )
    spec = MeterSpec(next(meter_ids), customer.customer_code, customer.meter_kind, installed)
    profile = usage_profile(customer, rng)
    extra: list[int] = []
    if fault is Fault.LEAK:
        leak_days = rng.randint(14, 21)
        extra = leak_load(days, leak_days, int(profile.base_wh * rng.uniform(0.8, 1.2)))
        parts.faults.append(
            PlantedFault(
                Fault.LEAK,
                customer.customer_code,
                spec.meter_id,
                frame.today - timedelta(days=leak_days),
                frame.today - timedelta(days=1),
            )
        )
    climate = CLIMATES[customer.power_company]
    consumption = daily_use(profile, climate, frame.calendar, rng, extra)
    registers = Registers.of(consumption, _starts(rng, customer.meter_kind))
    times = read_times(frame.midnights, rng)
    if fault is Fault.GAPS:
        meter, planted = with_gaps(spec, registers, times, first_day, rng)
        parts.meters.append(meter)
        parts.faults.append(planted)
    elif fault is Fault.RESET:
        meter, planted = with_reset(spec, registers, times, first_day, rng)
        parts.meters.append(meter)
        parts.faults.append(planted)
    elif fault is Fault.REPLACED:
        pair, planted = with_replacement(
            spec, registers, times, first_day, rng, new_meter_id=next(meter_ids)
        )
        parts.meters.extend(pair)
        parts.faults.append(planted)
    else:
        parts.meters.append(plain_meter(spec, registers, times))
    parts.bills.extend(
        customer_bills(
            customer, registers, first_day, frame.today, zone=frame.zone, rng=rng, in_debt=in_debt
        )
    )


def _meter_ids(rng: random.Random) -> Iterator[str]:
    """Distinct meter numbers."""
    used: set[str] = set()
    while True:
        meter_id = f"CT{rng.randrange(10**10):010d}"
        if meter_id not in used:
            used.add(meter_id)
            yield meter_id


def generate_demo(
    *,
    seed: int,
    customers: int = DEFAULT_CUSTOMERS,
    today: date,
    zone: ZoneInfo,
    days: int = DEFAULT_DAYS,
) -> DemoData:
    """The demo data set: `customers` contracts with `days` days of use ending yesterday."""
    if customers < 1:
        raise ValueError(f"the demo needs at least one customer, got {customers}")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be between {MIN_DAYS} and {MAX_DAYS}, got {days}")
    first_day = today - timedelta(days=days)
    frame = _Frame(
        seed, today, zone, Calendar.of(first_day, days), midnights(first_day, days + 1, zone)
    )
    people = draw_customers(customers_stream(seed), customers)
    plan = fault_plan(random.Random(f"{seed}:faults"), people)
    debt_rng = random.Random(f"{seed}:debt")
    meter_ids = _meter_ids(random.Random(f"{seed}:meters"))
    parts = _Parts()
    for customer in people:
        in_debt = customer.meter_kind != "prepaid" and debt_rng.random() < DEBT_RATE
        fault = plan.get(customer.customer_code)
        _customer_part(frame, customer, fault, meter_ids, parts, in_debt=in_debt)
    services_rng = random.Random(f"{seed}:services")
    return DemoData(
        seed=seed,
        today=today,
        first_day=first_day,
        customers=tuple(people),
        meters=tuple(parts.meters),
        faults=tuple(parts.faults),
        bills=tuple(parts.bills),
        outages=tuple(draw_outages(services_rng, people, today, zone)),
        payment_points=tuple(draw_payment_points(services_rng)),
        requests=tuple(draw_requests(services_rng, people, today, zone)),
    )
