"""bills.csv: issued bills and their payment state, keyed by bill_no."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from meters.importer.compare import differs
from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns
from meters.importer.errors import ProblemLog
from meters.importer.fields import (
    parse_customer_code,
    parse_date,
    parse_decimal,
    parse_key,
    parse_money,
    parse_optional_moment,
)
from meters.importer.lookup import customer_ids
from meters.importer.records import Keys
from meters.importer.summary import Counts
from meters.schema import Bill

bills = Bill.metadata.tables[Bill.__tablename__]


@dataclass(frozen=True, slots=True)
class BillRecord:
    """One row of bills.csv, validated."""

    bill_no: str
    customer_code: str
    period_start: date
    period_end: date
    kwh: Decimal
    amount_before_vat: int
    vat: int
    total: int
    due_date: date
    paid_at: datetime | None


class BillKind:
    """bills.csv."""

    name = "bills"
    columns = Columns(
        required=(
            "bill_no",
            "customer_code",
            "period_start",
            "period_end",
            "kwh",
            "amount_before_vat",
            "vat",
            "total",
            "due_date",
        ),
        optional=("paid_at",),
    )

    def parse(self, fields: Fields, context: ImportContext) -> BillRecord:
        """The record of one row, with the period and the total cross-checked."""
        record = BillRecord(
            bill_no=fields.take("bill_no", parse_key),
            customer_code=fields.take("customer_code", parse_customer_code),
            period_start=fields.take("period_start", parse_date),
            period_end=fields.take("period_end", parse_date),
            kwh=fields.take("kwh", lambda text: parse_decimal(text, 3, whole_digits=11)),
            amount_before_vat=fields.take("amount_before_vat", parse_money),
            vat=fields.take("vat", parse_money),
            total=fields.take("total", parse_money),
            due_date=fields.take("due_date", parse_date),
            paid_at=fields.take("paid_at", lambda text: parse_optional_moment(text, context.zone)),
        )
        if fields.failed:
            return record
        if record.period_end < record.period_start:
            fields.fail("period_end", f"{record.period_end} is before period_start")
        if record.total != record.amount_before_vat + record.vat:
            fields.fail(
                "total",
                f"{record.total} is not amount_before_vat + vat"
                f" ({record.amount_before_vat} + {record.vat}"
                f" = {record.amount_before_vat + record.vat})",
            )
        return record

    def keys(self, record: BillRecord) -> Keys:
        """A bill number appears once per file."""
        return (("bill_no", record.bill_no),)

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, BillRecord]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert new bills and update changed ones."""
        owners = customer_ids(connection, (record.customer_code for _, record in batch))
        stored = {
            row.bill_no: row
            for row in connection.execute(
                select(bills).where(bills.c.bill_no.in_([record.bill_no for _, record in batch]))
            )
        }
        new: list[dict[str, Any]] = []
        updated = unchanged = 0
        for line, record in batch:
            if record.customer_code not in owners:
                problems.add(line, "customer_code", f"unknown customer {record.customer_code}")
                continue
            values = asdict(record)
            del values["customer_code"]
            values["customer_id"] = owners[record.customer_code]
            current = stored.get(record.bill_no)
            if current is None:
                new.append(values)
            elif differs(current._mapping, values):
                connection.execute(
                    update(bills).where(bills.c.bill_no == record.bill_no).values(**values)
                )
                updated += 1
            else:
                unchanged += 1
        if new:
            connection.execute(insert(bills), new)
        return Counts(len(new), updated, unchanged)
