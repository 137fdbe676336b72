"""Household appliances: typical consumption and what they add to the customer's own bill."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources

from tariff.arithmetic import round_half_up
from tariff.calculator import compute_bill
from tariff.errors import InvalidBillRequest, ScheduleDataError
from tariff.model import BillRequest
from tariff.parsing import Fields, read_json
from tariff.schedules import ScheduleBook
from tariff.vat import VatTable

WATTS_PER_KILOWATT = 1000
DAYS_PER_MONTH = 30
BTU_PER_HP = 9000  # the trade's convention in Vietnam: "1 ngựa" ≈ 9.000 BTU/h


@dataclass(frozen=True, slots=True)
class Appliance:
    """A catalogue entry: rated watts, typical hours a day and the share of them at full power."""

    key: str
    name: str  # Vietnamese, shown to customers
    watts: int
    hours_per_day: Decimal
    duty_cycle: Decimal
    aliases: tuple[str, ...]
    btu: int | None = None

    def kwh_per_day(self, quantity: int = 1, hours_per_day: Decimal | None = None) -> Decimal:
        """Return the kWh a day of `quantity` units used `hours_per_day` (default: typical)."""
        hours = self.hours_per_day if hours_per_day is None else hours_per_day
        return self.watts * hours * self.duty_cycle * quantity / WATTS_PER_KILOWATT

    def kwh_per_month(
        self, quantity: int = 1, hours_per_day: Decimal | None = None, days: int = DAYS_PER_MONTH
    ) -> Decimal:
        """Return the kWh of a month of `days` days (exact; round for display only)."""
        return self.kwh_per_day(quantity, hours_per_day) * days


@dataclass(frozen=True, slots=True)
class ApplianceEstimate:
    """What an appliance uses over the customer's billing period and what it adds to the bill."""

    appliance: Appliance
    quantity: int
    hours_per_day: Decimal
    kwh_per_day: Decimal
    kwh_per_period: int  # whole kWh, rounded half-up
    days: int
    added_before_vat: int  # marginal cost at the customer's own tiers
    added_total: int  # the same, VAT included


def parse_catalogue(data: object, origin: str) -> tuple[Appliance, ...]:
    """Return the appliances of a parsed catalogue document."""
    fields = Fields(data, origin)
    fields.text("source")
    appliances = []
    for entry in fields.items("appliances"):
        aliases = entry.raw("aliases")
        if not isinstance(aliases, list) or not all(isinstance(item, str) for item in aliases):
            raise ScheduleDataError(f"{entry.where}.aliases: expected an array of strings")
        appliance = Appliance(
            key=entry.text("key"),
            name=entry.text("name"),
            watts=entry.positive_int("watts"),
            hours_per_day=entry.decimal("hours_per_day"),
            duty_cycle=entry.decimal("duty_cycle"),
            aliases=tuple(aliases),
            btu=entry.optional_positive_int("btu"),
        )
        entry.finish()
        if appliance.hours_per_day > 24 or appliance.duty_cycle > 1:
            raise ScheduleDataError(f"{entry.where}: hours_per_day ≤ 24 and duty_cycle ≤ 1")
        appliances.append(appliance)
    fields.finish()
    keys = [appliance.key for appliance in appliances]
    if len(set(keys)) != len(keys):
        raise ScheduleDataError(f"{origin}: appliance keys must be unique")
    return tuple(appliances)


@cache
def appliance_catalogue() -> tuple[Appliance, ...]:
    """Return the catalogue shipped in `tariff/data/appliances.json` (read once)."""
    origin = "tariff/data/appliances.json"
    text = resources.files("tariff.data").joinpath("appliances.json").read_text("utf-8")
    return parse_catalogue(read_json(text, origin), origin)


def find_appliance(key: str) -> Appliance:
    """Return the catalogue entry with this key or alias."""
    wanted = key.strip().lower()
    for appliance in appliance_catalogue():
        if wanted == appliance.key or wanted in appliance.aliases:
            return appliance
    raise InvalidBillRequest(f"unknown appliance {key!r}")


def air_conditioner(*, hp: Decimal | None = None, btu: int | None = None) -> Appliance:
    """Return the catalogue air conditioner nearest to a size given in HP or BTU/h."""
    if (hp is None) == (btu is None):
        raise InvalidBillRequest("give the air conditioner's size in HP or in BTU, not both")
    size = hp * BTU_PER_HP if hp is not None else Decimal(btu or 0)
    if size <= 0:
        raise InvalidBillRequest("an air conditioner's size must be positive")
    units = [appliance for appliance in appliance_catalogue() if appliance.btu is not None]
    return min(units, key=lambda appliance: abs(Decimal(appliance.btu or 0) - size))


def estimate_appliance(
    appliance: Appliance,
    base: BillRequest,
    *,
    quantity: int = 1,
    hours_per_day: Decimal | None = None,
    schedules: ScheduleBook | None = None,
    vat_table: VatTable | None = None,
) -> ApplianceEstimate:
    """Return the appliance's use over `base`'s period and what it adds to that bill."""
    if quantity < 1:
        raise InvalidBillRequest(f"quantity must be at least 1, got {quantity}")
    hours = appliance.hours_per_day if hours_per_day is None else hours_per_day
    if not 0 <= hours <= 24:
        raise InvalidBillRequest(f"hours per day must be between 0 and 24, got {hours}")
    if base.kwh is None:
        raise InvalidBillRequest("the appliance estimate needs the customer's kwh")
    per_day = appliance.kwh_per_day(quantity, hours)
    days = (base.period_end - base.period_start).days + 1
    per_period = round_half_up(Fraction(per_day) * days)
    without = compute_bill(base, schedules=schedules, vat_table=vat_table)
    with_it = compute_bill(
        replace(base, kwh=base.kwh + per_period), schedules=schedules, vat_table=vat_table
    )
    return ApplianceEstimate(
        appliance=appliance,
        quantity=quantity,
        hours_per_day=hours,
        kwh_per_day=per_day,
        kwh_per_period=per_period,
        days=days,
        added_before_vat=with_it.amount_before_vat - without.amount_before_vat,
        added_total=with_it.total - without.total,
    )
