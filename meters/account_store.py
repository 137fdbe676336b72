"""Customers, bills, outages, payment points and service requests, as the chat reads them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, or_, select

from meters.records import (
    BillRecord,
    CustomerDetails,
    OutageRecord,
    PaymentPointRecord,
    RequestRecord,
    StatusChange,
)
from meters.schema import (
    Bill,
    ChatLink,
    Customer,
    Meter,
    Outage,
    OutageStation,
    PaymentPoint,
    Reading,
    RequestStatusChange,
    ServiceRequest,
)

WH_PER_KWH = 1000

_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.customer_code,
    Customer.name,
    Customer.phone,
    Customer.address,
    Customer.area,
    Customer.customer_type,
    Customer.households,
    Customer.voltage_kv,
    Customer.station,
    Customer.reading_day,
    Customer.power_company,
)

_LINKED_CUSTOMERS = (
    select(*_CUSTOMER_COLUMNS)
    .join(ChatLink, ChatLink.customer_id == Customer.id)
    .where(ChatLink.chat_user_id == bindparam("chat_user_id"))
    .order_by(ChatLink.linked_at, ChatLink.customer_id)
)


class SqlAccountStore:
    """Reads the data of customers and writes the requests they file; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def customer(self, customer_id: int) -> CustomerDetails | None:
        """The customer with this id."""
        row = self._connection.execute(
            select(*_CUSTOMER_COLUMNS).where(Customer.id == customer_id)
        ).first()
        return None if row is None else CustomerDetails(**row._mapping)

    def customers(self, customer_ids: Sequence[int]) -> tuple[CustomerDetails, ...]:
        """The customers with these ids, in the order given."""
        if not customer_ids:
            return ()
        rows = self._connection.execute(
            select(*_CUSTOMER_COLUMNS).where(Customer.id.in_(customer_ids))
        )
        found = {row.id: CustomerDetails(**row._mapping) for row in rows}
        return tuple(found[pk] for pk in customer_ids if pk in found)

    def linked_customers(self, chat_user_id: int) -> tuple[CustomerDetails, ...]:
        """The customers a chat has verified it owns, in linking order."""
        rows = self._connection.execute(_LINKED_CUSTOMERS, {"chat_user_id": chat_user_id})
        return tuple(CustomerDetails(**row._mapping) for row in rows)

    def customer_by_code(self, customer_code: str) -> CustomerDetails | None:
        """The customer with this code."""
        row = self._connection.execute(
            select(*_CUSTOMER_COLUMNS).where(Customer.customer_code == customer_code)
        ).first()
        return None if row is None else CustomerDetails(**row._mapping)

    def customers_by_phone(self, phone: str) -> tuple[CustomerDetails, ...]:
        """Every customer whose contract phone is `phone` (10 digits, leading 0)."""
        rows = self._connection.execute(
            select(*_CUSTOMER_COLUMNS).where(Customer.phone == phone).order_by(Customer.id)
        )
        return tuple(CustomerDetails(**row._mapping) for row in rows)

    def area_names(self) -> tuple[str, ...]:
        """Every area that customers, outages or payment points name (the NLU's gazetteer)."""
        names = self._connection.execute(
            select(Customer.area)
            .union(select(Outage.area), select(PaymentPoint.area))
            .order_by(Customer.area)
        ).scalars()
        return tuple(names)

    def bills(self, customer_id: int, limit: int = 13) -> tuple[BillRecord, ...]:
        """The customer's latest bills, newest period first."""
        rows = self._connection.execute(
            select(
                Bill.bill_no,
                Bill.customer_id,
                Bill.period_start,
                Bill.period_end,
                Bill.kwh,
                Bill.amount_before_vat,
                Bill.vat,
                Bill.total,
                Bill.due_date,
                Bill.paid_at,
            )
            .where(Bill.customer_id == customer_id)
            .order_by(Bill.period_end.desc())
            .limit(limit)
        )
        return tuple(BillRecord(**row._mapping) for row in rows)

    def outages_between(
        self, start: datetime, end: datetime, *, stations: Sequence[str], areas: Sequence[str]
    ) -> tuple[OutageRecord, ...]:
        """Planned interruptions overlapping `start`..`end` cutting one of `stations`/`areas`."""
        station_match = select(OutageStation.outage_id).where(OutageStation.station.in_(stations))
        conditions = []
        if stations:
            conditions.append(Outage.outage_id.in_(station_match))
        if areas:
            conditions.append(Outage.area.in_(areas))
        if not conditions:
            return ()
        rows = self._connection.execute(
            select(Outage.outage_id, Outage.starts_at, Outage.ends_at, Outage.area, Outage.reason)
            .where(Outage.ends_at > start, Outage.starts_at < end, or_(*conditions))
            .order_by(Outage.starts_at, Outage.outage_id)
        ).all()
        if not rows:
            return ()
        cut = self._connection.execute(
            select(OutageStation.outage_id, OutageStation.station)
            .where(OutageStation.outage_id.in_([row.outage_id for row in rows]))
            .order_by(OutageStation.station)
        )
        stations_of: dict[str, list[str]] = {}
        for outage_id, station in cut:
            stations_of.setdefault(outage_id, []).append(station)
        return tuple(
            OutageRecord(*row, stations=tuple(stations_of.get(row.outage_id, ()))) for row in rows
        )

    def payment_points(self, area: str | None = None) -> tuple[PaymentPointRecord, ...]:
        """Payment points, of one area when given."""
        query = select(
            PaymentPoint.point_id,
            PaymentPoint.name,
            PaymentPoint.address,
            PaymentPoint.area,
            PaymentPoint.lat,
            PaymentPoint.lon,
            PaymentPoint.opening_hours,
            PaymentPoint.kind,
        ).order_by(PaymentPoint.point_id)
        if area is not None:
            query = query.where(PaymentPoint.area == area)
        return tuple(PaymentPointRecord(*row) for row in self._connection.execute(query))

    def requests_of(
        self, customer_ids: Sequence[int], limit: int = 10
    ) -> tuple[RequestRecord, ...]:
        """The latest service requests of these customers, newest first, with their history."""
        if not customer_ids:
            return ()
        rows = self._connection.execute(
            select(
                ServiceRequest.request_id,
                ServiceRequest.customer_id,
                ServiceRequest.service_type,
                ServiceRequest.status,
                ServiceRequest.created_at,
                ServiceRequest.updated_at,
            )
            .where(ServiceRequest.customer_id.in_(customer_ids))
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.request_id)
            .limit(limit)
        ).all()
        return self._with_history(rows)

    def request(self, request_id: str) -> RequestRecord | None:
        """One request by its id."""
        rows = self._connection.execute(
            select(
                ServiceRequest.request_id,
                ServiceRequest.customer_id,
                ServiceRequest.service_type,
                ServiceRequest.status,
                ServiceRequest.created_at,
                ServiceRequest.updated_at,
            ).where(ServiceRequest.request_id == request_id)
        ).all()
        found = self._with_history(rows)
        return found[0] if found else None

    def file_request(
        self, customer_id: int | None, service_type: str, note: str, now: datetime
    ) -> str:
        """File a new request (status "received") and return its code, e.g. YC2026-000123.

        `customer_id` is None for a report from someone who has not linked a customer (a hazard
        seen in the street): the request is kept for the call centre all the same.
        """
        prefix = f"YC{now.year}-"
        count = self._connection.execute(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.request_id.like(f"{prefix}%"))
        ).scalar_one()
        number = int(count) + 1
        while self.request(f"{prefix}{number:06d}") is not None:
            number += 1
        request_id = f"{prefix}{number:06d}"
        self._connection.execute(
            insert(ServiceRequest).values(
                request_id=request_id,
                customer_id=customer_id,
                service_type=service_type,
                status="received",
                created_at=now,
                updated_at=now,
            )
        )
        self._connection.execute(
            insert(RequestStatusChange).values(
                request_id=request_id, status="received", changed_at=now, note=note
            )
        )
        return request_id

    def meter_kinds(self, customer_id: int) -> tuple[str, ...]:
        """Kinds (single | tou | prepaid) of the customer's meters in service, oldest first."""
        kinds = self._connection.execute(
            select(Meter.kind)
            .where(Meter.customer_id == customer_id, Meter.removed_at.is_(None))
            .order_by(Meter.installed_at)
        ).scalars()
        return tuple(kinds)

    def band_kwh_between(
        self, customer_id: int, start: datetime, end: datetime
    ) -> tuple[int, int, int] | None:
        """Whole-kWh use per band (normal, peak, offpeak) of a 3-price meter between the first
        unflagged readings at or after `start` and `end`, as a bill reads the registers.

        None unless one `tou` meter was in service over the whole interval with both readings.
        """
        meter_pk = self._connection.execute(
            select(Meter.id).where(
                Meter.customer_id == customer_id,
                Meter.kind == "tou",
                Meter.installed_at <= start,
                or_(Meter.removed_at.is_(None), Meter.removed_at >= end),
            )
        ).scalar()
        if meter_pk is None:
            return None
        registers = []
        for moment in (start, end):
            row = self._connection.execute(
                select(Reading.normal_wh, Reading.peak_wh, Reading.offpeak_wh)
                .where(
                    Reading.meter_pk == meter_pk,
                    Reading.read_at >= moment,
                    Reading.flag.is_(None),
                )
                .order_by(Reading.read_at)
                .limit(1)
            ).first()
            if row is None or None in tuple(row):
                return None
            registers.append(tuple(int(value) // WH_PER_KWH for value in row))
        first, last = registers
        return last[0] - first[0], last[1] - first[1], last[2] - first[2]

    def _with_history(self, rows: Sequence[object]) -> tuple[RequestRecord, ...]:
        ids = [row.request_id for row in rows]  # type: ignore[attr-defined]
        if not ids:
            return ()
        changes = self._connection.execute(
            select(
                RequestStatusChange.request_id,
                RequestStatusChange.status,
                RequestStatusChange.changed_at,
                RequestStatusChange.note,
            )
            .where(RequestStatusChange.request_id.in_(ids))
            .order_by(RequestStatusChange.changed_at, RequestStatusChange.id)
        )
        history: dict[str, list[StatusChange]] = {}
        for request_id, status, changed_at, note in changes:
            history.setdefault(request_id, []).append(StatusChange(status, changed_at, note))
        return tuple(
            RequestRecord(*row, history=tuple(history.get(row.request_id, ())))  # type: ignore[misc, attr-defined]
            for row in rows
        )
