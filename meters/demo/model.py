"""The demo data set as plain values: what `generate` builds and `load` writes."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Fault(StrEnum):
    """A problem planted in some meters' readings, for operators and tests to find."""

    GAPS = "gaps"  # some days without a reading (communication failure)
    RESET = "reset"  # the register drops to near zero without a meter change (flagged)
    LEAK = "leak"  # the base load jumps for the last weeks (earth leakage after the meter)
    REPLACED = "replaced"  # the meter was exchanged mid-way; the old one has `removed_at`


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """One contract, with the kind of meter it has."""

    customer_code: str
    name: str
    phone: str
    address: str
    area: str
    customer_type: str
    households: Decimal
    voltage_kv: Decimal
    station: str
    reading_day: int
    power_company: str
    meter_kind: str  # single | tou | prepaid


@dataclass(frozen=True, slots=True)
class DemoMeter:
    """A meter and its readings, kept compact: UTC epoch seconds and Wh registers in arrays."""

    meter_id: str
    customer_code: str
    kind: str
    installed_at: datetime
    removed_at: datetime | None
    read_at: array[int]
    index_wh: array[int]
    normal_wh: array[int] | None
    peak_wh: array[int] | None
    offpeak_wh: array[int] | None
    index_down_at: tuple[int, ...]  # positions of readings flagged "index_down"


@dataclass(frozen=True, slots=True)
class PlantedFault:
    """Where a fault was planted: which meter, from which local day to which."""

    fault: Fault
    customer_code: str
    meter_id: str
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class DemoBill:
    """An issued bill of one period and whether (and when) it was paid."""

    bill_no: str
    customer_code: str
    period_start: date
    period_end: date
    kwh: int
    amount_before_vat: int
    vat: int
    total: int
    due_date: date
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class DemoOutage:
    """A planned interruption and the stations it cuts."""

    outage_id: str
    starts_at: datetime
    ends_at: datetime
    area: str
    reason: str
    announced_at: datetime
    stations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoPaymentPoint:
    """A place where bills are paid in person."""

    point_id: str
    name: str
    address: str
    area: str
    lat: float
    lon: float
    opening_hours: str
    kind: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a service request's history."""

    status: str
    changed_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class DemoRequest:
    """A service request with its status history (the last step is its current status)."""

    request_id: str
    customer_code: str
    service_type: str
    history: tuple[StatusChange, ...]

    @property
    def status(self) -> str:
        """The current status."""
        return self.history[-1].status


@dataclass(frozen=True, slots=True)
class DemoData:
    """The whole data set; `first_day`..`today - 1` are the days with daily use."""

    seed: int
    today: date
    first_day: date
    customers: tuple[DemoCustomer, ...]
    meters: tuple[DemoMeter, ...]
    faults: tuple[PlantedFault, ...]
    bills: tuple[DemoBill, ...]
    outages: tuple[DemoOutage, ...]
    payment_points: tuple[DemoPaymentPoint, ...]
    requests: tuple[DemoRequest, ...]

    @property
    def reading_count(self) -> int:
        """How many readings all meters hold."""
        return sum(len(meter.read_at) for meter in self.meters)
