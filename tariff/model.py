"""The values of the tariff engine: what is asked (`BillRequest`) and what is billed (`Bill`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class CustomerType(StrEnum):
    """Customer groups of the retail tariff (the names of `--type` and `customers.csv`)."""

    RESIDENTIAL = "residential"
    BUSINESS = "business"
    PRODUCTION = "production"
    ADMIN_HEALTH_EDUCATION = "admin_health_education"
    ADMIN_PUBLIC = "admin_public"


class Band(StrEnum):
    """Time-of-use registers of a 3-price meter."""

    NORMAL = "normal"
    PEAK = "peak"
    OFFPEAK = "offpeak"


class LineKind(StrEnum):
    """How a bill line was priced."""

    TIER = "tier"  # residential block (bậc)
    BAND = "band"  # time-of-use register of a 3-price meter
    FLAT = "flat"  # one price for all kWh (prepaid, undeclared renters, single-rate, admin)


class FlatReason(StrEnum):
    """Why a line has a single price."""

    PREPAID = "prepaid"
    RENTER_UNDECLARED = "renter_undeclared"
    SINGLE_RATE = "single_rate"
    ADMINISTRATIVE = "administrative"


@dataclass(frozen=True, slots=True, kw_only=True)
class BillRequest:
    """One billing period of one meter: consumption, period and the customer's tariff situation.

    `period_start` is the first day of consumption (the day after the previous reading) and
    `period_end` the reading date. Give either `kwh` or all three band registers.
    """

    period_start: date
    period_end: date
    kwh: int | None = None
    households: Decimal = Decimal(1)
    customer_type: str = CustomerType.RESIDENTIAL
    voltage_kv: Decimal = Decimal("0.4")
    persons: int | None = None
    renter_undeclared: bool = False
    prepaid: bool = False
    normal_kwh: int | None = None
    peak_kwh: int | None = None
    offpeak_kwh: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BillLine:
    """One priced quantity: kWh × price = amount, and the schedule it came from."""

    kind: LineKind
    kwh: int
    price: int
    amount: int
    tariff_from: date
    source: str
    tier: int | None = None
    quota: int | None = None  # kWh allowed in this tier for this (sub-)period; None = unlimited
    band: Band | None = None
    flat_reason: FlatReason | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bill:
    """A computed bill: lines, subtotal, VAT and total in integer đồng."""

    kwh: int
    period_start: date
    period_end: date
    lines: tuple[BillLine, ...]
    amount_before_vat: int
    vat_rate: Decimal
    vat: int
    total: int
    customer_type: CustomerType
    households: Decimal
    days: int
    prorated: bool  # quotas scaled by days (irregular period or price change inside it)
    vat_source: str
