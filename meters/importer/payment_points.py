"""payment-points.csv: places where bills are paid in person, keyed by point_id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from meters.importer.compare import differs
from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns
from meters.importer.errors import ProblemLog
from meters.importer.fields import parse_coordinate, parse_key, parse_text
from meters.importer.records import Keys
from meters.importer.summary import Counts
from meters.schema import PaymentPoint

points = PaymentPoint.metadata.tables[PaymentPoint.__tablename__]


@dataclass(frozen=True, slots=True)
class PaymentPointRecord:
    """One row of payment-points.csv, validated."""

    point_id: str
    name: str
    address: str
    area: str
    lat: float
    lon: float
    opening_hours: str
    kind: str


class PaymentPointKind:
    """payment-points.csv."""

    name = "payment-points"
    columns = Columns(
        required=("point_id", "name", "address", "area", "lat", "lon", "opening_hours", "kind")
    )

    def parse(self, fields: Fields, context: ImportContext) -> PaymentPointRecord:
        """The record of one row."""
        return PaymentPointRecord(
            point_id=fields.take("point_id", parse_key),
            name=fields.take("name", lambda text: parse_text(text, 200)),
            address=fields.take("address", lambda text: parse_text(text, 300)),
            area=fields.take("area", lambda text: parse_text(text, 120)),
            lat=fields.take("lat", lambda text: parse_coordinate(text, 90)),
            lon=fields.take("lon", lambda text: parse_coordinate(text, 180)),
            opening_hours=fields.take("opening_hours", lambda text: parse_text(text, 120)),
            kind=fields.take("kind", lambda text: parse_text(text, 40)),
        )

    def keys(self, record: PaymentPointRecord) -> Keys:
        """A point id appears once per file."""
        return (("point_id", record.point_id),)

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, PaymentPointRecord]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert new points and update changed ones."""
        wanted = [record.point_id for _, record in batch]
        stored = {
            row.point_id: row._mapping
            for row in connection.execute(select(points).where(points.c.point_id.in_(wanted)))
        }
        new: list[dict[str, Any]] = []
        updated = unchanged = 0
        for _line, record in batch:
            values = asdict(record)
            current = stored.get(record.point_id)
            if current is None:
                new.append(values)
            elif differs(current, values):
                connection.execute(
                    update(points).where(points.c.point_id == record.point_id).values(**values)
                )
                updated += 1
            else:
                unchanged += 1
        if new:
            connection.execute(insert(points), new)
        return Counts(len(new), updated, unchanged)
