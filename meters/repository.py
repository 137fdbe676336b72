"""Usage queries over the store, in domain language; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, Integer, bindparam, cast, func, select

from meters.driver_sql import DriverStatement
from meters.model import CustomerRef, DayUse, MeterIndex, MeterInfo
from meters.schema import Customer, DailyUsage, Meter, Reading

# A meter's newest reading, found by its key.
_NEWEST_OF_METER = (
    select(Reading.read_at)
    .where(Reading.meter_pk == Meter.id)
    .order_by(Reading.read_at.desc())
    .limit(1)
    .correlate(Meter)
    .scalar_subquery()
)
# The customer and every meter it has had, in one statement (one row per meter, or one row of
# NULL meter columns): an answer about a customer always needs its meters next, and each meter
# comes with its newest reading, so that a usage answer's freshness costs no statement of its
# own. These run on the driver's cursor (meters.driver_sql): they are the hot path of a turn.
_CUSTOMER_WITH_METERS = DriverStatement(
    select(
        Customer.id,
        Customer.customer_code,
        Customer.name,
        Customer.reading_day,
        Meter.id,
        Meter.meter_id,
        Meter.kind,
        Meter.installed_at,
        Meter.removed_at,
        _NEWEST_OF_METER,
    )
    .outerjoin(Meter, Meter.customer_id == Customer.id)
    .where(Customer.customer_code == bindparam("customer_code"))
    .order_by(Meter.installed_at, Meter.id)
)
_METERS_OF_CUSTOMER = DriverStatement(
    select(Meter.id, Meter.meter_id, Meter.kind, Meter.installed_at, Meter.removed_at)
    .where(Meter.customer_id == bindparam("customer_pk"))
    .order_by(Meter.installed_at, Meter.id)
)

_DAILY_USAGE_BETWEEN = DriverStatement(
    select(
        DailyUsage.day,
        func.sum(DailyUsage.used_wh),
        func.sum(DailyUsage.normal_wh),
        func.sum(DailyUsage.peak_wh),
        func.sum(DailyUsage.offpeak_wh),
        func.max(cast(DailyUsage.estimated, Integer)),
    )
    .where(
        DailyUsage.meter_pk.in_(bindparam("meter_pks", expanding=True)),
        DailyUsage.day >= bindparam("first_day", type_=DailyUsage.day.type),
        DailyUsage.day <= bindparam("last_day", type_=DailyUsage.day.type),
    )
    .group_by(DailyUsage.day)
    .order_by(DailyUsage.day)
)
_LATEST_READING = DriverStatement(
    select(
        Meter.meter_id,
        Reading.read_at,
        Reading.index_wh,
        Reading.normal_wh,
        Reading.peak_wh,
        Reading.offpeak_wh,
    )
    .join(Meter, Meter.id == Reading.meter_pk)
    .where(Reading.meter_pk == bindparam("meter_pk"))
    .order_by(Reading.read_at.desc())
    .limit(1)
)
# The newest of the meters' newest readings, each found by its key: `max(read_at)` over all
# the meters at once was planned as a backward walk of the (read_at, meter) index until one of
# them appeared, about a thousand entries (1.1 ms) with a thousand meters read at the same times.
_NEWEST_READING_AT = DriverStatement(
    select(func.max(_NEWEST_OF_METER)).where(Meter.id.in_(bindparam("meter_pks", expanding=True)))
)


class SqlMeterRepository:
    """Reads customers, meters, readings and daily use through one connection.

    Customers and their meters are remembered for the life of the repository (one
    transaction): one answer asks for them several times.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._customers: dict[str, CustomerRef | None] = {}
        self._meters: dict[int, tuple[MeterInfo, ...]] = {}
        self._newest: dict[int, datetime | None] = {}  # meter -> its newest reading, if read

    def customer_by_code(self, customer_code: str) -> CustomerRef | None:
        """The customer with `customer_code`, if any."""
        if customer_code not in self._customers:
            rows = _CUSTOMER_WITH_METERS.rows(self._connection, {"customer_code": customer_code})
            if not rows:
                self._customers[customer_code] = None
                return None
            customer = CustomerRef(*rows[0][:4])
            self._customers[customer_code] = customer
            self._meters[customer.id] = tuple(
                MeterInfo(*row[4:9]) for row in rows if row[4] is not None
            )
            self._newest.update((row[4], row[9]) for row in rows if row[4] is not None)
        return self._customers[customer_code]

    def meters_of_customer(self, customer_pk: int) -> tuple[MeterInfo, ...]:
        """Every meter the customer has had, oldest installation first."""
        if customer_pk not in self._meters:
            rows = _METERS_OF_CUSTOMER.rows(self._connection, {"customer_pk": customer_pk})
            self._meters[customer_pk] = tuple(MeterInfo(*row) for row in rows)
        return self._meters[customer_pk]

    def daily_usage_between(
        self, meter_pks: Sequence[int], first_day: date, last_day: date
    ) -> tuple[DayUse, ...]:
        """Daily use summed over `meter_pks` for each day of the range that has data."""
        if not meter_pks:
            return ()
        rows = _DAILY_USAGE_BETWEEN.rows(
            self._connection,
            {"meter_pks": meter_pks, "first_day": first_day, "last_day": last_day},
        )
        return tuple(
            DayUse(
                day=day,
                used_wh=int(used),
                normal_wh=_whole(normal),
                peak_wh=_whole(peak),
                offpeak_wh=_whole(offpeak),
                estimated=bool(estimated),
            )
            for day, used, normal, peak, offpeak, estimated in rows
        )

    def latest_reading(self, meter_pk: int) -> MeterIndex | None:
        """The newest reading of a meter, if it has any."""
        row = _LATEST_READING.first(self._connection, {"meter_pk": meter_pk})
        return None if row is None else MeterIndex(*row)

    def newest_reading_at(self, meter_pks: Sequence[int]) -> datetime | None:
        """The moment of the newest reading of any of `meter_pks`."""
        if not meter_pks:
            return None
        if all(meter_pk in self._newest for meter_pk in meter_pks):  # read with the meters
            known = [self._newest[meter_pk] for meter_pk in meter_pks]
            return max((moment for moment in known if moment is not None), default=None)
        moment: datetime | None = _NEWEST_READING_AT.scalar(
            self._connection, {"meter_pks": meter_pks}
        )
        return moment


def _whole(value: object) -> int | None:
    """An integer from a SQL sum (PostgreSQL returns Decimal), None stays None."""
    if value is None:
        return None
    assert isinstance(value, int | Decimal)
    return int(value)
