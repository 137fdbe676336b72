"""customers.csv: contracts and their meters; a new meter_id for a customer replaces the meter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from meters.importer.compare import differs
from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns
from meters.importer.errors import FieldError, ProblemLog
from meters.importer.fields import (
    parse_choice,
    parse_customer_code,
    parse_decimal,
    parse_key,
    parse_optional_moment,
    parse_optional_text,
    parse_phone,
    parse_text,
    parse_whole,
)
from meters.importer.records import Keys
from meters.importer.summary import Counts
from meters.schema import Customer, Meter

CUSTOMER_TYPES = frozenset(
    {"residential", "business", "production", "admin_health_education", "admin_public"}
)
METER_KINDS = frozenset({"single", "tou", "prepaid"})
NUMERIC_LIMIT = Decimal("99999.999")  # Numeric(8, 3)
# The installation of a customer's first meter when the file does not say: it has been in place
# since before any reading (the contract's columns have no installation date, and a history
# imported next must count). Only a replacement needs a moment, the import's when not given.
BEFORE_ANY_READING = datetime(1970, 1, 1, tzinfo=UTC)

customers = Customer.metadata.tables[Customer.__tablename__]
meters = Meter.metadata.tables[Meter.__tablename__]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One row of customers.csv, validated."""

    customer_code: str
    name: str
    phone: str
    address: str
    area: str
    customer_type: str
    households: Decimal
    voltage_kv: Decimal
    meter_id: str
    meter_kind: str
    station: str | None
    reading_day: int
    power_company: str | None
    installed_at: datetime | None

    def customer_values(self) -> dict[str, Any]:
        """The `customers` columns of this record."""
        return {
            "customer_code": self.customer_code,
            "name": self.name,
            "phone": self.phone,
            "address": self.address,
            "area": self.area,
            "customer_type": self.customer_type,
            "households": self.households,
            "voltage_kv": self.voltage_kv,
            "station": self.station,
            "reading_day": self.reading_day,
            "power_company": self.power_company,
        }


def _positive_amount(text: str, default: str) -> Decimal:
    value = parse_decimal(text or default, 3, whole_digits=5, positive=True)
    if value > NUMERIC_LIMIT:
        raise FieldError(f"{value} is too large (at most {NUMERIC_LIMIT})")
    return value


class CustomerKind:
    """customers.csv."""

    name = "customers"
    columns = Columns(
        required=(
            "customer_code",
            "name",
            "phone",
            "address",
            "area",
            "customer_type",
            "meter_id",
            "meter_kind",
            "reading_day",
        ),
        optional=("households", "voltage_kv", "station", "power_company", "installed_at"),
    )

    def parse(self, fields: Fields, context: ImportContext) -> CustomerRecord:
        """The record of one row."""
        return CustomerRecord(
            customer_code=fields.take("customer_code", parse_customer_code),
            name=fields.take("name", lambda text: parse_text(text, 200)),
            phone=fields.take("phone", parse_phone),
            address=fields.take("address", lambda text: parse_text(text, 300)),
            area=fields.take("area", lambda text: parse_text(text, 120)),
            customer_type=fields.take("customer_type", lambda t: parse_choice(t, CUSTOMER_TYPES)),
            households=fields.take("households", lambda text: _positive_amount(text, "1")),
            voltage_kv=fields.take("voltage_kv", lambda text: _positive_amount(text, "0.4")),
            meter_id=fields.take("meter_id", parse_key),
            meter_kind=fields.take("meter_kind", lambda text: parse_choice(text, METER_KINDS)),
            station=fields.take("station", lambda text: parse_optional_text(text, 64)),
            reading_day=fields.take("reading_day", lambda text: parse_whole(text, 1, 31)),
            power_company=fields.take(
                "power_company", lambda text: parse_optional_text(text, 120)
            ),
            installed_at=fields.take(
                "installed_at", lambda text: parse_optional_moment(text, context.zone)
            ),
        )

    def keys(self, record: CustomerRecord) -> Keys:
        """A customer code and a meter appear once per file."""
        return (("customer_code", record.customer_code), ("meter_id", record.meter_id))

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, CustomerRecord]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert new customers, update changed ones, install or replace meters."""
        stored = {
            row.customer_code: row
            for row in connection.execute(
                select(customers).where(
                    customers.c.customer_code.in_([record.customer_code for _, record in batch])
                )
            )
        }
        known_meters = {
            row.meter_id: row
            for row in connection.execute(
                select(meters, customers.c.customer_code)
                .join(customers, customers.c.id == meters.c.customer_id)
                .where(meters.c.meter_id.in_([record.meter_id for _, record in batch]))
            )
        }
        active = {
            row.customer_id: row
            for row in connection.execute(
                select(meters).where(
                    meters.c.customer_id.in_([row.id for row in stored.values()]),
                    meters.c.removed_at.is_(None),
                )
            )
        }
        inserted = updated = unchanged = 0
        new_records: list[CustomerRecord] = []
        for line, record in batch:
            owner = known_meters.get(record.meter_id)
            if owner is not None and owner.customer_code != record.customer_code:
                problems.add(
                    line,
                    "meter_id",
                    f"meter {record.meter_id} belongs to customer {owner.customer_code}",
                )
                continue
            current = stored.get(record.customer_code)
            if current is None:
                new_records.append(record)
                inserted += 1
            elif self._update(
                connection,
                record=record,
                current=current,
                active_meter=active.get(current.id),
                owned_meter=owner,
                context=context,
            ):
                updated += 1
            else:
                unchanged += 1
        if new_records:
            self._insert(connection, new_records, context)
        return Counts(inserted, updated, unchanged)

    def _insert(
        self, connection: Connection, records: list[CustomerRecord], context: ImportContext
    ) -> None:
        result = connection.execute(
            insert(customers).returning(customers.c.customer_code, customers.c.id),
            [{**record.customer_values(), "updated_at": context.now} for record in records],
        )
        ids: dict[str, int] = {row[0]: row[1] for row in result}
        connection.execute(
            insert(meters),
            [
                {
                    "meter_id": record.meter_id,
                    "customer_id": ids[record.customer_code],
                    "kind": record.meter_kind,
                    "installed_at": record.installed_at or BEFORE_ANY_READING,
                    "removed_at": None,
                }
                for record in records
            ],
        )

    def _update(
        self,
        connection: Connection,
        *,
        record: CustomerRecord,
        current: Row[Any],
        active_meter: Row[Any] | None,
        owned_meter: Row[Any] | None,
        context: ImportContext,
    ) -> bool:
        """Bring one stored customer and its meter in line with the record; True if changed."""
        changed = False
        values = record.customer_values()
        if differs(current._mapping, values):
            connection.execute(
                update(customers)
                .where(customers.c.id == current.id)
                .values(**values, updated_at=context.now)
            )
            changed = True
        first_meter = active_meter is None and owned_meter is None
        installed_at = record.installed_at or (BEFORE_ANY_READING if first_meter else context.now)
        if active_meter is not None and active_meter.meter_id == record.meter_id:
            meter_values: dict[str, Any] = {"kind": record.meter_kind}
            if record.installed_at is not None:
                meter_values["installed_at"] = record.installed_at
            if differs(active_meter._mapping, meter_values):
                connection.execute(
                    update(meters).where(meters.c.id == active_meter.id).values(**meter_values)
                )
                changed = True
            return changed
        if active_meter is not None:  # a replacement: the old meter leaves service
            connection.execute(
                update(meters)
                .where(meters.c.id == active_meter.id)
                .values(removed_at=installed_at)
            )
        if owned_meter is not None:  # back to one of this customer's earlier meters
            connection.execute(
                update(meters)
                .where(meters.c.id == owned_meter.id)
                .values(kind=record.meter_kind, installed_at=installed_at, removed_at=None)
            )
        else:
            connection.execute(
                insert(meters).values(
                    meter_id=record.meter_id,
                    customer_id=current.id,
                    kind=record.meter_kind,
                    installed_at=installed_at,
                )
            )
        return True
