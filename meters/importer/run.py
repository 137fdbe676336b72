"""`import_file`: one CSV file of any kind into the store, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from meters.importer.bills import BillKind
from meters.importer.context import ImportContext
from meters.importer.csvstream import ProgressCallback
from meters.importer.customers import CustomerKind
from meters.importer.errors import ProblemLog
from meters.importer.outages import OutageKind
from meters.importer.payment_points import PaymentPointKind
from meters.importer.readings import import_readings
from meters.importer.records import RecordKind, import_records
from meters.importer.requests import RequestKind
from meters.importer.summary import ImportSummary

RECORD_KINDS: dict[str, RecordKind[Any]] = {
    kind.name: kind
    for kind in (CustomerKind(), BillKind(), OutageKind(), PaymentPointKind(), RequestKind())
}
KINDS = ("customers", "readings", "bills", "outages", "payment-points", "requests")


def import_file(
    connection: Connection,
    kind: str,
    path: Path,
    context: ImportContext,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import `path` as `kind` inside the caller's transaction.

    Raises ImportRejected (the caller rolls back) when any row is bad.
    """
    problems = ProblemLog(str(path))
    if kind == "readings":
        return import_readings(connection, path, context, problems, on_progress)
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return import_records(
        connection,
        RECORD_KINDS[kind],
        path,
        context=context,
        problems=problems,
        on_progress=on_progress,
    )
