"""outages.csv: planned interruptions and the stations they cut, keyed by outage_id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from meters.importer.compare import differs
from meters.importer.context import Fields, ImportContext
from meters.importer.csvstream import Columns
from meters.importer.errors import FieldError, ProblemLog
from meters.importer.fields import parse_key, parse_moment, parse_text
from meters.importer.records import Keys
from meters.importer.summary import Counts
from meters.schema import Outage, OutageStation

outages = Outage.metadata.tables[Outage.__tablename__]
stations = OutageStation.metadata.tables[OutageStation.__tablename__]


def parse_stations(text: str) -> frozenset[str]:
    """The `;`-separated station codes (none when empty)."""
    names = [name.strip() for name in text.split(";")]
    if not text.strip():
        return frozenset()
    if any(not name for name in names):
        raise FieldError(f"{text.strip()!r} has an empty station between ';'")
    for name in names:
        parse_text(name, 64)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class OutageRecord:
    """One row of outages.csv, validated."""

    outage_id: str
    starts_at: datetime
    ends_at: datetime
    area: str
    stations: frozenset[str]
    reason: str

    def outage_values(self) -> dict[str, Any]:
        """The `outages` columns of this record (announced_at aside)."""
        return {
            "outage_id": self.outage_id,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "area": self.area,
            "reason": self.reason,
        }


class OutageKind:
    """outages.csv."""

    name = "outages"
    columns = Columns(
        required=("outage_id", "start", "end", "area", "reason"), optional=("stations",)
    )

    def parse(self, fields: Fields, context: ImportContext) -> OutageRecord:
        """The record of one row; the end must come after the start."""
        record = OutageRecord(
            outage_id=fields.take("outage_id", parse_key),
            starts_at=fields.take("start", lambda text: parse_moment(text, context.zone)),
            ends_at=fields.take("end", lambda text: parse_moment(text, context.zone)),
            area=fields.take("area", lambda text: parse_text(text, 120)),
            stations=fields.take("stations", parse_stations),
            reason=fields.take("reason", lambda text: parse_text(text, 2000)),
        )
        if not fields.failed and record.ends_at <= record.starts_at:
            fields.fail("end", "is not after start")
        return record

    def keys(self, record: OutageRecord) -> Keys:
        """An outage id appears once per file."""
        return (("outage_id", record.outage_id),)

    def apply(
        self,
        connection: Connection,
        batch: Sequence[tuple[int, OutageRecord]],
        context: ImportContext,
        problems: ProblemLog,
    ) -> Counts:
        """Insert new outages (announced now), update changed ones and their stations."""
        wanted = [record.outage_id for _, record in batch]
        stored = {
            row.outage_id: row._mapping
            for row in connection.execute(select(outages).where(outages.c.outage_id.in_(wanted)))
        }
        cut: dict[str, set[str]] = {}
        for outage_id, station in connection.execute(
            select(stations.c.outage_id, stations.c.station).where(
                stations.c.outage_id.in_(wanted)
            )
        ):
            cut.setdefault(outage_id, set()).add(station)
        new = [record for _, record in batch if record.outage_id not in stored]
        if new:
            connection.execute(
                insert(outages),
                [{**record.outage_values(), "announced_at": context.now} for record in new],
            )
            _insert_stations(connection, new)
        updated = unchanged = 0
        for _line, record in batch:
            current = stored.get(record.outage_id)
            if current is None:
                continue
            changed = False
            if differs(current, record.outage_values()):
                connection.execute(
                    update(outages)
                    .where(outages.c.outage_id == record.outage_id)
                    .values(**record.outage_values())
                )
                changed = True
            if cut.get(record.outage_id, set()) != record.stations:
                connection.execute(
                    delete(stations).where(stations.c.outage_id == record.outage_id)
                )
                _insert_stations(connection, [record])
                changed = True
            updated += changed
            unchanged += not changed
        return Counts(len(new), updated, unchanged)


def _insert_stations(connection: Connection, records: Sequence[OutageRecord]) -> None:
    rows = [
        {"outage_id": record.outage_id, "station": station}
        for record in records
        for station in sorted(record.stations)
    ]
    if rows:
        connection.execute(insert(stations), rows)
