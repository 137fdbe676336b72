"""requests.csv: service requests, with a history row at creation and at each status change.

The optional `expected_at` is when the power company expects the supply back for an incident
it handles (empty: not said); the chat tells it to the customers who ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from meters.importer.compare import differs
from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns
from meters.importer.errors import ProblemLog
from meters.importer.fields import (
    parse_choice,
    parse_customer_code,
    parse_key,
    parse_moment,
    parse_optional_moment,
)
from meters.importer.lookup import customer_ids
from meters.importer.records import Keys
from meters.importer.summary import Counts
from meters.schema import RequestStatusChange, ServiceRequest

REQUEST_STATUSES = frozenset(
    {
        "received",
        "in_progress",
        "waiting_customer",
        "scheduled",
        "completed",
        "cancelled",
        "rejected",
        "forwarded",  # sent on to the local power company unit (a case, a request)
    }
)

requests = ServiceRequest.metadata.tables[ServiceRequest.__tablename__]
history = RequestStatusChange.metadata.tables[RequestStatusChange.__tablename__]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One row of requests.csv, validated."""

    request_id: str
    customer_code: str | None
    service_type: str
    status: str
    created_at: datetime
    updated_at: datetime
    expected_at: datetime | None


def _optional_code(text: str) -> str | None:
    return parse_customer_code(text) if text.strip() else None


class RequestKind:
    """requests.csv."""

    name = "requests"
    columns = Columns(
        required=(
            "request_id",
            "customer_code",
            "service_type",
            "status",
            "created_at",
            "updated_at",
        ),
        optional=("expected_at",),
    )

    def parse(self, fields: Fields, context: ImportContext) -> RequestRecord:
        """The record of one row; updated_at may not precede created_at."""
        record = RequestRecord(
            request_id=fields.take("request_id", parse_key),
            customer_code=fields.take("customer_code", _optional_code),
            service_type=fields.take("service_type", parse_key),
            status=fields.take("status", lambda text: parse_choice(text, REQUEST_STATUSES)),
            created_at=fields.take("created_at", lambda text: parse_moment(text, context.zone)),
            updated_at=fields.take("updated_at", lambda text: parse_moment(text, context.zone)),
            expected_at=fields.take(
                "expected_at", lambda text: parse_optional_moment(text, context.zone)
            ),
        )
        if not fields.failed and record.updated_at < record.created_at:
            fields.fail("updated_at", "is before created_at")
        return record

    def keys(self, record: RequestRecord) -> Keys:
        """A request id appears once per file."""
        return (("request_id", record.request_id),)

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, RequestRecord]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert new requests, update changed ones, and record status changes."""
        owners = customer_ids(
            connection, (record.customer_code for _, record in batch if record.customer_code)
        )
        wanted = [record.request_id for _, record in batch]
        stored = {
            row.request_id: row._mapping
            for row in connection.execute(
                select(requests).where(requests.c.request_id.in_(wanted))
            )
        }
        new: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        updated = unchanged = 0
        for line, record in batch:
            if record.customer_code is not None and record.customer_code not in owners:
                problems.add(line, "customer_code", f"unknown customer {record.customer_code}")
                continue
            values = {
                "request_id": record.request_id,
                "customer_id": owners.get(record.customer_code or ""),
                "service_type": record.service_type,
                "status": record.status,
                "created_at": record.created_at,
                "updated_at": record.updated_at,
                "expected_at": record.expected_at,
            }
            current = stored.get(record.request_id)
            if current is None:
                new.append(values)
                steps.append(_step(record, record.created_at))
            elif differs(current, values):
                connection.execute(
                    update(requests)
                    .where(requests.c.request_id == record.request_id)
                    .values(**values)
                )
                if current["status"] != record.status:
                    steps.append(_step(record, record.updated_at))
                updated += 1
            else:
                unchanged += 1
        if new:
            connection.execute(insert(requests), new)
        if steps:
            connection.execute(insert(history), steps)
        return Counts(len(new), updated, unchanged)


def _step(record: RequestRecord, moment: datetime) -> dict[str, Any]:
    return {
        "request_id": record.request_id,
        "status": record.status,
        "changed_at": moment,
        "note": None,
    }
