"""Usage analytics for one customer: days, periods, comparisons, register and freshness.

"today" and "now" are arguments: nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from meters.model import (
    CustomerRef,
    DayUse,
    MeterIndex,
    MeterInfo,
    UnknownCustomer,
    UsageSummary,
)

LAST_DAY_OF_MONTH = 31


class UsageRepository(Protocol):
    """What the usage service reads from the store."""

    def customer_by_code(self, customer_code: str) -> CustomerRef | None:
        """The customer with `customer_code`, if any."""

    def meters_of_customer(self, customer_pk: int) -> tuple[MeterInfo, ...]:
        """Every meter the customer has had, oldest installation first."""

    def daily_usage_between(
        self, meter_pks: Sequence[int], first_day: date, last_day: date
    ) -> tuple[DayUse, ...]:
        """Daily use summed over `meter_pks` for each day of the range that has data."""

    def latest_reading(self, meter_pk: int) -> MeterIndex | None:
        """The newest reading of a meter, if it has any."""

    def newest_reading_at(self, meter_pks: Sequence[int]) -> datetime | None:
        """The moment of the newest reading of any of `meter_pks`."""


def reading_date(year: int, month: int, reading_day: int) -> date:
    """The reading date of a month: `reading_day`, or the month's last day when it is shorter."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(reading_day, last, LAST_DAY_OF_MONTH))


def billing_period(reading_day: int, today: date) -> tuple[date, date]:
    """The current billing period through `today`: the day after the previous reading date on."""
    this_month = reading_date(today.year, today.month, reading_day)
    if this_month < today:
        return this_month + timedelta(days=1), today
    previous_month = today.replace(day=1) - timedelta(days=1)
    previous = reading_date(previous_month.year, previous_month.month, reading_day)
    return previous + timedelta(days=1), today


def same_days_last_month(first_day: date, last_day: date) -> tuple[date, date]:
    """The same day numbers one month earlier, cut to that month's length."""

    def shift(day: date) -> date:
        previous = day.replace(day=1) - timedelta(days=1)
        return previous.replace(day=min(day.day, previous.day))

    return shift(first_day), shift(last_day)


def preceding_days(first_day: date, last_day: date) -> tuple[date, date]:
    """As many days as `first_day`..`last_day`, ending the day before `first_day`."""
    length = (last_day - first_day).days + 1
    return first_day - timedelta(days=length), first_day - timedelta(days=1)


def same_days_a_month_before(first_day: date, last_day: date) -> tuple[date, date] | None:
    """As many days as `first_day`..`last_day`, from the same day number one month earlier
    (cut to that month's length); None when they would reach `first_day` (30 days of March
    after a 28-day February).
    """
    length = (last_day - first_day).days + 1
    start, _ = same_days_last_month(first_day, first_day)
    end = start + timedelta(days=length - 1)
    return (start, end) if end < first_day else None


class UsageService:
    """Answers a customer's usage questions from materialised daily use."""

    def __init__(self, repository: UsageRepository) -> None:
        self._repository = repository

    def daily(self, customer_code: str, first_day: date, last_day: date) -> UsageSummary:
        """Use of the customer over the local days `first_day`..`last_day` (all their meters)."""
        return _summary(first_day, last_day, self._days(customer_code, first_day, last_day))

    def day_and_week_before(
        self, customer_code: str, day: date
    ) -> tuple[UsageSummary, UsageSummary]:
        """Use on `day`, and over the 7 days before it (to compare), read together."""
        week_before = day - timedelta(days=7)
        both = self._days(customer_code, week_before, day)
        return (
            _summary(day, day, tuple(use for use in both if use.day == day)),
            _summary(
                week_before, day - timedelta(days=1), tuple(use for use in both if use.day < day)
            ),
        )

    def meter_kinds(self, customer_code: str) -> tuple[str, ...]:
        """Kinds (single | tou | prepaid) of the customer's meters in service, oldest first."""
        meters = self._meters(customer_code)
        return tuple(meter.kind for meter in meters if meter.removed_at is None)

    def on_date(self, customer_code: str, day: date) -> UsageSummary:
        """Use on one local day."""
        return self.daily(customer_code, day, day)

    def yesterday(self, customer_code: str, today: date) -> UsageSummary:
        """Use on the day before `today`."""
        return self.on_date(customer_code, today - timedelta(days=1))

    def last_days(self, customer_code: str, count: int, today: date) -> UsageSummary:
        """Use over the `count` whole days before `today` (7 or 30 in the chat)."""
        return self.daily(customer_code, today - timedelta(days=count), today - timedelta(days=1))

    def month_to_date(self, customer_code: str, today: date) -> UsageSummary:
        """Use from the first of this month through `today`."""
        return self.daily(customer_code, today.replace(day=1), today)

    def billing_period_to_date(self, customer_code: str, today: date) -> UsageSummary:
        """Use since the previous reading date (from the customer's reading day)."""
        customer = self._customer(customer_code)
        first_day, last_day = billing_period(customer.reading_day, today)
        return self.daily(customer_code, first_day, last_day)

    def same_period_last_month(self, customer_code: str, today: date) -> UsageSummary:
        """Use over the month-to-date days of the previous month, for comparison."""
        first_day, last_day = same_days_last_month(today.replace(day=1), today)
        return self.daily(customer_code, first_day, last_day)

    def meter_index(self, customer_code: str) -> MeterIndex | None:
        """The latest register of the customer's current meter (with tou registers)."""
        meters = self._meters(customer_code)
        current = [meter for meter in meters if meter.removed_at is None] or list(meters)
        for meter in reversed(current):
            reading = self._repository.latest_reading(meter.id)
            if reading is not None:
                return reading
        return None

    def freshness(self, customer_code: str) -> datetime | None:
        """The moment the newest reading of the customer covers, if any."""
        meters = self._meters(customer_code)
        return self._repository.newest_reading_at([meter.id for meter in meters])

    def _customer(self, customer_code: str) -> CustomerRef:
        customer = self._repository.customer_by_code(customer_code)
        if customer is None:
            raise UnknownCustomer(customer_code)
        return customer

    def _days(self, customer_code: str, first_day: date, last_day: date) -> tuple[DayUse, ...]:
        meters = self._meters(customer_code)
        return self._repository.daily_usage_between(
            [meter.id for meter in meters], first_day, last_day
        )

    def _meters(self, customer_code: str) -> tuple[MeterInfo, ...]:
        return self._repository.meters_of_customer(self._customer(customer_code).id)


def _summary(first_day: date, last_day: date, days: tuple[DayUse, ...]) -> UsageSummary:
    return UsageSummary(
        first_day=first_day,
        last_day=last_day,
        used_wh=sum(day.used_wh for day in days),
        normal_wh=_total(day.normal_wh for day in days),
        peak_wh=_total(day.peak_wh for day in days),
        offpeak_wh=_total(day.offpeak_wh for day in days),
        estimated=any(day.estimated for day in days),
        days=days,
    )


def _total(values: Iterable[int | None]) -> int | None:
    """The sum of the known values, None when none is known."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None
