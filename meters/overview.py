"""What the store holds, in numbers (for the status page and operators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from meters.schema import Bill, Customer, Meter, Outage, PaymentPoint, Reading


@dataclass(frozen=True, slots=True)
class StoreOverview:
    """Row counts of the main tables and the newest reading time."""

    customers: int
    meters: int
    readings: int
    bills: int
    outages: int
    payment_points: int
    newest_reading: datetime | None


def store_overview(connection: Connection) -> StoreOverview:
    """Count what the store holds."""

    def count(table: type) -> int:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()

    return StoreOverview(
        customers=count(Customer),
        meters=count(Meter),
        readings=count(Reading),
        bills=count(Bill),
        outages=count(Outage),
        payment_points=count(PaymentPoint),
        newest_reading=connection.execute(select(func.max(Reading.read_at))).scalar_one(),
    )


def store_is_empty(connection: Connection) -> bool:
    """Whether no customer has been stored yet."""
    return connection.execute(select(Customer.id).limit(1)).first() is None
