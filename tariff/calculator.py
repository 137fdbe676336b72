"""`compute_bill`: EVN's bill to the đồng, following tariff.md §9."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from tariff.arithmetic import round_half_up, split_by_days
from tariff.errors import InvalidBillRequest, UnknownTariff
from tariff.model import (
    Band,
    Bill,
    BillLine,
    BillRequest,
    CustomerType,
    FlatReason,
    LineKind,
)
from tariff.periods import days_in_period, days_in_preceding_month, is_standard_month
from tariff.schedules import (
    Decision,
    ResidentialSchedule,
    ScheduleBook,
    default_schedule_book,
)
from tariff.validation import checked_request, households_of
from tariff.vat import VatRate, VatTable, default_vat_table


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of a period priced by one decision: its days and (after splitting) its kWh."""

    decision: Decision
    days: int


@dataclass(frozen=True, slots=True)
class PeriodPlan:
    """Everything about a period that does not depend on kWh: segments, proration, VAT."""

    segments: tuple[Segment, ...]
    segment_days: tuple[int, ...]
    prorated: bool
    month_days: int | None  # T' when prorated
    days: int
    vat: VatRate


def compute_bill(
    request: BillRequest,
    *,
    schedules: ScheduleBook | None = None,
    vat_table: VatTable | None = None,
) -> Bill:
    """Return the bill of one period (raises `InvalidBillRequest` or `UnknownTariff`)."""
    book = schedules if schedules is not None else default_schedule_book()
    vat_rates = vat_table if vat_table is not None else default_vat_table()
    customer_type = checked_request(request)
    start, end = request.period_start, request.period_end
    plan = plan_period(book, vat_rates, customer_type, start, end)
    if customer_type is CustomerType.RESIDENTIAL:
        kwh = request.kwh or 0
        lines = _residential_lines(request, plan, kwh)
    else:
        kwh, lines = _group_lines(request, customer_type, plan)
    subtotal = 0
    for line in lines:
        subtotal += line.amount
    tax = plan.vat.tax_on(subtotal)
    return Bill(
        kwh=kwh,
        period_start=start,
        period_end=end,
        lines=lines,
        amount_before_vat=subtotal,
        vat_rate=plan.vat.rate,
        vat=tax,
        total=subtotal + tax,
        customer_type=customer_type,
        households=households_of(request),
        days=plan.days,
        prorated=plan.prorated,
        vat_source=plan.vat.source,
    )


@lru_cache(maxsize=4096)
def plan_period(
    book: ScheduleBook, vat_table: VatTable, customer_type: CustomerType, start: date, end: date
) -> PeriodPlan:
    """Return the kWh-independent facts of a period (cached: they are pure functions of it)."""
    segments = split_period(book, customer_type, start, end)
    prorated = len(segments) > 1 or not is_standard_month(start, end)
    return PeriodPlan(
        segments=segments,
        segment_days=tuple(segment.days for segment in segments),
        prorated=prorated,
        month_days=days_in_preceding_month(end) if prorated else None,
        days=days_in_period(start, end),
        vat=vat_table.rate_on(end),
    )


def split_period(
    book: ScheduleBook, customer_type: CustomerType, start: date, end: date
) -> tuple[Segment, ...]:
    """Return the parts of a period under each decision, split by days as EVN does.

    A decision effective on day c leaves Nc = c − (previous reading date) days to the old
    decision (tariff.md §5.4 item 5), so one effective on `start` (the day after the previous
    reading) still leaves it one day, and one effective on the reading date adds no days.
    """
    first = book.in_force(customer_type, start)  # refuses a start before the first table
    previous_reading = start - timedelta(days=1)
    changes = [
        decision
        for decision in book.timeline(customer_type)
        if previous_reading < decision.effective_from <= end
    ]
    if changes and changes[0].effective_from == start:
        first = _decision_before(book, customer_type, start)
    total = days_in_period(start, end)
    segments = []
    decision, elapsed = first, 0
    for change in changes:
        boundary = (change.effective_from - start).days + 1
        segments.append(Segment(decision, boundary - elapsed))
        decision, elapsed = change, boundary
    segments.append(Segment(decision, total - elapsed))
    return tuple(segment for segment in segments if segment.days > 0)


def _decision_before(book: ScheduleBook, customer_type: CustomerType, start: date) -> Decision:
    """Return the decision of the day before `start`: it prices Nc = 1 day of the period."""
    older = [
        decision for decision in book.timeline(customer_type) if decision.effective_from < start
    ]
    if not older:
        raise UnknownTariff(
            f"no {customer_type} tariff is known before {start}: a period starting on the day "
            "a tariff takes effect bills its first day (Nc = 1, tariff.md §5.4) at the "
            "previous one"
        )
    return older[-1]


def tier_quotas(
    schedule: ResidentialSchedule, households: Decimal, days: int, month_days: int | None
) -> tuple[int | None, ...]:
    """Return each tier's kWh allowance: width × h, scaled by days / T' when prorated."""
    return _tier_quotas(schedule, households, days, month_days)


@lru_cache(maxsize=4096)
def _tier_quotas(
    schedule: ResidentialSchedule, households: Decimal, days: int, month_days: int | None
) -> tuple[int | None, ...]:
    scale = Fraction(households)
    if month_days is not None:
        scale = scale * days / month_days
    return tuple(
        None if tier.width is None else round_half_up(tier.width * scale)
        for tier in schedule.tiers
    )


def _residential_lines(request: BillRequest, plan: PeriodPlan, kwh: int) -> tuple[BillLine, ...]:
    shares = split_by_days(kwh, plan.segment_days)
    households = households_of(request)
    if len(shares) == 1 and not (request.prepaid or request.renter_undeclared):
        segment = plan.segments[0]
        schedule = _residential_schedule(segment.decision)
        quotas = _tier_quotas(schedule, households, segment.days, plan.month_days)
        return _fill(segment.decision, quotas, kwh)
    lines: list[BillLine] = []
    for segment, share in zip(plan.segments, shares, strict=True):
        decision = segment.decision
        schedule = _residential_schedule(decision)
        if request.prepaid:
            if schedule.prepaid_price is None:
                raise UnknownTariff(
                    f"no prepaid-meter price is known for decision {decision.name} "
                    f"(from {decision.effective_from})"
                )
            lines.append(_flat(decision, share, schedule.prepaid_price, FlatReason.PREPAID))
        elif request.renter_undeclared:
            price = schedule.tier_price(3)
            lines.append(_flat(decision, share, price, FlatReason.RENTER_UNDECLARED, tier=3))
        else:
            quotas = _tier_quotas(schedule, households, segment.days, plan.month_days)
            lines.extend(_fill(decision, quotas, share))
    return tuple(lines)


def _residential_schedule(decision: Decision) -> ResidentialSchedule:
    if decision.residential is None:  # pragma: no cover - timelines hold residential decisions
        raise UnknownTariff(f"decision {decision.name} has no residential prices")
    return decision.residential


@dataclass(frozen=True, slots=True)
class TierFill:
    """The kWh-independent part of filling one (sub-)period's tiers.

    `ends` holds the cumulative kWh at which each bounded tier is full, `full` the line of that
    tier filled to its quota (None for a zero quota), reused by every bill that passes it.
    """

    decision: Decision
    tiers: tuple[tuple[int, int, int | None], ...]  # (tier number, price, quota) of every tier
    ends: tuple[int, ...]
    full: tuple[BillLine | None, ...]


@lru_cache(maxsize=4096)
def _tier_fill(decision: Decision, quotas: tuple[int | None, ...]) -> TierFill:
    tiers = _residential_schedule(decision).tiers
    rows = tuple(
        (tier.number, tier.price, quota) for tier, quota in zip(tiers, quotas, strict=True)
    )
    ends: list[int] = []
    full: list[BillLine | None] = []
    reached = 0
    for number, price, quota in rows:
        if quota is None:
            break
        reached += quota
        ends.append(reached)
        full.append(_tier_line(decision, number, price, quota, quota) if quota else None)
    return TierFill(decision, rows, tuple(ends), tuple(full))


def _tier_line(
    decision: Decision, number: int, price: int, kwh: int, quota: int | None
) -> BillLine:
    return BillLine(
        kind=LineKind.TIER,
        kwh=kwh,
        price=price,
        amount=kwh * price,
        tariff_from=decision.effective_from,
        source=decision.name,
        tier=number,
        quota=quota,
    )


@lru_cache(maxsize=65536)
def _fill(decision: Decision, quotas: tuple[int | None, ...], kwh: int) -> tuple[BillLine, ...]:
    """Return the tier lines of `kwh` filled into `quotas` (memoised: lines are immutable).

    Tiers are filled in order; every tier passed is its shared full line, so a bill creates at
    most one new line, the tier where the kWh run out.
    """
    fill = _tier_fill(decision, quotas)
    lines: list[BillLine] = []
    filled = 0
    index = 0
    for end in fill.ends:
        if kwh < end:
            break
        line = fill.full[index]
        if line is not None:
            lines.append(line)
        filled = end
        index += 1
    rest = kwh - filled
    if rest > 0 and index < len(fill.tiers):
        number, price, quota = fill.tiers[index]
        lines.append(_tier_line(fill.decision, number, price, rest, quota))
    return tuple(lines)


def _flat(
    decision: Decision,
    kwh: int,
    price: int,
    reason: FlatReason,
    *,
    tier: int | None = None,
    band: Band | None = None,
) -> BillLine:
    return BillLine(
        kind=LineKind.FLAT,
        kwh=kwh,
        price=price,
        amount=kwh * price,
        tariff_from=decision.effective_from,
        source=decision.name,
        tier=tier,
        band=band,
        flat_reason=reason,
    )


def _group_lines(
    request: BillRequest, customer_type: CustomerType, plan: PeriodPlan
) -> tuple[int, tuple[BillLine, ...]]:
    segments, days = plan.segments, plan.segment_days
    lines: list[BillLine] = []
    if request.kwh is not None:
        for segment, share in zip(segments, split_by_days(request.kwh, days), strict=True):
            level = segment.decision.group(customer_type).level_for(request.voltage_kv)
            if level.single_price is not None:
                reason = FlatReason.ADMINISTRATIVE
                lines.append(_flat(segment.decision, share, level.single_price, reason))
            else:
                price = level.price(Band.NORMAL)
                reason = FlatReason.SINGLE_RATE
                lines.append(_flat(segment.decision, share, price, reason, band=Band.NORMAL))
        return request.kwh, tuple(lines)
    registers = (
        (Band.NORMAL, request.normal_kwh or 0),
        (Band.PEAK, request.peak_kwh or 0),
        (Band.OFFPEAK, request.offpeak_kwh or 0),
    )
    split = {band: split_by_days(kwh, days) for band, kwh in registers}
    for index, segment in enumerate(segments):
        level = segment.decision.group(customer_type).level_for(request.voltage_kv)
        for band, _ in registers:
            kwh = split[band][index]
            price = level.price(band)
            lines.append(
                BillLine(
                    kind=LineKind.BAND,
                    kwh=kwh,
                    price=price,
                    amount=kwh * price,
                    tariff_from=segment.decision.effective_from,
                    source=segment.decision.name,
                    band=band,
                )
            )
    return sum(kwh for _, kwh in registers), tuple(lines)


def tier_bounds(
    request: BillRequest,
    *,
    schedules: ScheduleBook | None = None,
    vat_table: VatTable | None = None,
) -> tuple[int | None, ...]:
    """Return the cumulative kWh at which each residential tier ends over the period.

    Quotas of every part of the period are added tier by tier; the last tier has no end (None).
    """
    book = schedules if schedules is not None else default_schedule_book()
    vat_rates = vat_table if vat_table is not None else default_vat_table()
    customer_type = checked_request(request)
    if customer_type is not CustomerType.RESIDENTIAL:
        raise InvalidBillRequest(f"{customer_type} prices have no tiers")
    start, end = request.period_start, request.period_end
    plan = plan_period(book, vat_rates, customer_type, start, end)
    households = households_of(request)
    per_segment = [
        _tier_quotas(
            _residential_schedule(segment.decision), households, segment.days, plan.month_days
        )
        for segment in plan.segments
    ]
    tiers = min(len(quotas) for quotas in per_segment)
    bounds: list[int | None] = []
    reached = 0
    for index in range(tiers - 1):
        reached += sum(quotas[index] or 0 for quotas in per_segment)
        bounds.append(reached)
    bounds.append(None)
    return tuple(bounds)
