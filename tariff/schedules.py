"""Price schedules as data: one decision per file, parsed by a pure function, looked up by date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from tariff.errors import ScheduleDataError, UnknownTariff
from tariff.model import Band, CustomerType
from tariff.parsing import Fields, read_json

DECISION_FILE_PREFIX = "prices_"
NON_RESIDENTIAL = tuple(group for group in CustomerType if group is not CustomerType.RESIDENTIAL)


@dataclass(frozen=True, slots=True)
class Tier:
    """One residential block: `width` kWh (None: the unlimited last one) at `price` đồng/kWh."""

    number: int
    width: int | None
    price: int


@dataclass(frozen=True, slots=True, eq=False)
class ResidentialSchedule:
    """The block tariff of households, and the single price of prepaid-card meters if known."""

    tiers: tuple[Tier, ...]
    prepaid_price: int | None

    def tier_price(self, number: int) -> int:
        """Return the price of tier `number` (1-based)."""
        return self.tiers[number - 1].price


@dataclass(frozen=True, slots=True)
class VoltageLevel:
    """Prices for supply voltages from `min_kv` (inclusive, or exclusive when `exclusive`)."""

    min_kv: Decimal
    exclusive: bool
    band_prices: tuple[tuple[Band, int], ...]  # empty for single-price groups
    single_price: int | None

    def covers(self, voltage_kv: Decimal) -> bool:
        """Return whether a supply voltage falls in this level or above it."""
        return voltage_kv > self.min_kv if self.exclusive else voltage_kv >= self.min_kv

    def price(self, band: Band) -> int:
        """Return the price of one time-of-use band."""
        for candidate, price in self.band_prices:
            if candidate is band:
                return price
        raise UnknownTariff(f"no {band} price for this customer group (single-price group)")


@dataclass(frozen=True, slots=True)
class GroupSchedule:
    """The voltage levels of one non-residential group, highest voltage first."""

    levels: tuple[VoltageLevel, ...]

    def level_for(self, voltage_kv: Decimal) -> VoltageLevel:
        """Return the level that applies to a supply voltage."""
        for level in self.levels:
            if level.covers(voltage_kv):
                return level
        raise UnknownTariff(f"no price level covers {voltage_kv} kV")

    @property
    def time_of_use(self) -> bool:
        """Return whether the group is priced by time-of-use bands."""
        return bool(self.levels[0].band_prices)


@dataclass(frozen=True, slots=True, eq=False)
class Decision:
    """One price decision: from which date it applies, its legal source, and its tables."""

    effective_from: date
    name: str
    source: str
    average_price: Decimal | None
    residential: ResidentialSchedule | None
    groups: tuple[tuple[CustomerType, GroupSchedule], ...]

    def covers(self, customer_type: CustomerType) -> bool:
        """Return whether this decision has a table for the customer group."""
        if customer_type is CustomerType.RESIDENTIAL:
            return self.residential is not None
        return any(group is customer_type for group, _ in self.groups)

    def group(self, customer_type: CustomerType) -> GroupSchedule:
        """Return the table of a non-residential group."""
        for group, schedule in self.groups:
            if group is customer_type:
                return schedule
        raise UnknownTariff(f"decision {self.name} has no {customer_type} prices")


@dataclass(frozen=True, slots=True, eq=False)
class ScheduleBook:
    """Every known decision, oldest first; a group's prices are those of its latest decision."""

    decisions: tuple[Decision, ...]
    _timelines: dict[CustomerType, tuple[Decision, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        timelines = {
            group: tuple(decision for decision in self.decisions if decision.covers(group))
            for group in CustomerType
        }
        object.__setattr__(self, "_timelines", timelines)

    def timeline(self, customer_type: CustomerType) -> tuple[Decision, ...]:
        """Return the decisions with a table for the group, oldest first."""
        return self._timelines[customer_type]

    def in_force(self, customer_type: CustomerType, day: date) -> Decision:
        """Return the decision whose table for the group applies on `day`."""
        timeline = self.timeline(customer_type)
        current: Decision | None = None
        for decision in timeline:
            if decision.effective_from <= day:
                current = decision
        if current is None:
            first = f"; the first known is {timeline[0].effective_from}" if timeline else ""
            raise UnknownTariff(f"no {customer_type} tariff is known for {day}{first}")
        return current

    def with_decision(self, decision: Decision) -> ScheduleBook:
        """Return a book with one more decision (e.g. a future one, for what-if bills)."""
        if any(known.effective_from == decision.effective_from for known in self.decisions):
            raise ScheduleDataError(f"two decisions take effect on {decision.effective_from}")
        return ScheduleBook(
            tuple(sorted((*self.decisions, decision), key=lambda item: item.effective_from))
        )

    def frozen_at(self, customer_type: CustomerType, day: date) -> ScheduleBook:
        """Return a book where the decision in force on `day` applies at every date."""
        decision = self.in_force(customer_type, day)
        return ScheduleBook((_replace_date(decision, date.min),))


def _replace_date(decision: Decision, effective_from: date) -> Decision:
    return Decision(
        effective_from,
        decision.name,
        decision.source,
        decision.average_price,
        decision.residential,
        decision.groups,
    )


def parse_decision(data: object, origin: str) -> Decision:
    """Return the decision described by one parsed JSON document (`origin` names it in errors)."""
    fields = Fields(data, origin)
    effective_from = fields.day("effective_from")
    name = fields.text("decision")
    source = fields.text("source")
    average = fields.decimal("average_price") if fields.has("average_price") else None
    residential = _residential(fields.child("residential")) if fields.has("residential") else None
    groups = tuple(
        (group, _group(fields.child(group.value), group))
        for group in NON_RESIDENTIAL
        if fields.has(group.value)
    )
    fields.finish()
    if residential is None and not groups:
        raise ScheduleDataError(f"{origin}: a decision needs at least one customer group")
    return Decision(effective_from, name, source, average, residential, groups)


def _residential(fields: Fields) -> ResidentialSchedule:
    entries = fields.items("tiers")
    tiers: list[Tier] = []
    previous_bound = 0
    for number, entry in enumerate(entries, start=1):
        bound = entry.optional_positive_int("up_to_kwh")
        price = entry.positive_int("price")
        entry.finish()
        last = number == len(entries)
        if (bound is None) != last:
            raise ScheduleDataError(
                f"{entry.where}.up_to_kwh: only the last tier is unlimited (null), "
                "every other tier needs a bound"
            )
        if bound is not None and bound <= previous_bound:
            raise ScheduleDataError(f"{entry.where}.up_to_kwh: bounds must increase")
        tiers.append(Tier(number, None if bound is None else bound - previous_bound, price))
        previous_bound = bound or previous_bound
    prepaid = fields.optional_positive_int("prepaid_price")
    fields.finish()
    return ResidentialSchedule(tuple(tiers), prepaid)


def _group(fields: Fields, group: CustomerType) -> GroupSchedule:
    levels: list[VoltageLevel] = []
    for entry in fields.items("voltage_levels"):
        exclusive = entry.has("above_kv")
        min_kv = entry.decimal("above_kv" if exclusive else "min_kv")
        if entry.has("price"):
            levels.append(VoltageLevel(min_kv, exclusive, (), entry.positive_int("price")))
        else:
            bands = tuple((band, entry.positive_int(band.value)) for band in Band)
            levels.append(VoltageLevel(min_kv, exclusive, bands, None))
        entry.finish()
    fields.finish()
    levels.sort(key=lambda level: (level.min_kv, level.exclusive), reverse=True)
    if len({bool(level.band_prices) for level in levels}) != 1:
        raise ScheduleDataError(f"{fields.where}: mixes single-price and time-of-use levels")
    lowest = levels[-1]
    if lowest.min_kv != 0 or lowest.exclusive:
        raise ScheduleDataError(f'{fields.where}: the lowest level must start at min_kv "0"')
    return GroupSchedule(tuple(levels))


@cache
def default_schedule_book() -> ScheduleBook:
    """Return the decisions shipped in `tariff/data/prices_*.json` (read once)."""
    folder = resources.files("tariff.data")
    decisions = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.startswith(DECISION_FILE_PREFIX) and entry.name.endswith(".json"):
            origin = f"tariff/data/{entry.name}"
            decisions.append(parse_decision(read_json(entry.read_text("utf-8"), origin), origin))
    book = ScheduleBook(())
    for decision in decisions:
        book = book.with_decision(decision)
    return book
