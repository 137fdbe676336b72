"""Frozen values the meters layer hands upward (no ORM objects leave `meters/`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


class UnknownCustomer(LookupError):
    """No customer has the given customer code."""


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """The parts of a customer that usage questions need."""

    id: int
    customer_code: str
    name: str
    reading_day: int


@dataclass(frozen=True, slots=True)
class MeterInfo:
    """A meter of a customer and the interval it was installed."""

    id: int
    meter_id: str
    kind: str
    installed_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DayUse:
    """Energy a customer used on one local day, summed over their meters (Wh)."""

    day: date
    used_wh: int
    normal_wh: int | None
    peak_wh: int | None
    offpeak_wh: int | None
    estimated: bool


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """Energy used over the local days `first_day`..`last_day` (Wh) and the days behind it."""

    first_day: date
    last_day: date
    used_wh: int
    normal_wh: int | None
    peak_wh: int | None
    offpeak_wh: int | None
    estimated: bool
    days: tuple[DayUse, ...]

    @property
    def days_with_data(self) -> int:
        """How many days of the range have a known use."""
        return len(self.days)


@dataclass(frozen=True, slots=True)
class MeterIndex:
    """The latest register reading of a meter (Wh), with time-of-use registers when it has them."""

    meter_id: str
    read_at: datetime
    index_wh: int
    normal_wh: int | None
    peak_wh: int | None
    offpeak_wh: int | None
