"""Customers, bills, outages, payment points and service requests, as the chat reads them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from meters.case_records import BY_BOT
from meters.driver_sql import DriverStatement
from meters.gazetteer import gazetteer_of
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
    HandoffCase,
    Meter,
    Outage,
    OutageStation,
    PaymentPoint,
    Reading,
    RequestNumber,
    RequestStatusChange,
    ServiceRequest,
)
from nlu.areas import Gazetteer

WH_PER_KWH = 1000

CUSTOMER_COLUMNS = (
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

# Statements of the chat's questions, built once (building one costs more than running it)
# and run on the driver's cursor (meters.driver_sql): they are the hot path of a turn.
_LINKED_CUSTOMERS = DriverStatement(
    select(*CUSTOMER_COLUMNS)
    .join(ChatLink, ChatLink.customer_id == Customer.id)
    .where(ChatLink.chat_user_id == bindparam("chat_user_id"))
    .order_by(ChatLink.linked_at, ChatLink.customer_id)
)
_CUSTOMER_BY_ID = DriverStatement(
    select(*CUSTOMER_COLUMNS).where(Customer.id == bindparam("customer_id"))
)
_CUSTOMERS_BY_IDS = DriverStatement(
    select(*CUSTOMER_COLUMNS).where(Customer.id.in_(bindparam("customer_ids", expanding=True)))
)
_CUSTOMER_BY_CODE = DriverStatement(
    select(*CUSTOMER_COLUMNS).where(Customer.customer_code == bindparam("customer_code"))
)
_CUSTOMERS_BY_PHONE = DriverStatement(
    select(*CUSTOMER_COLUMNS).where(Customer.phone == bindparam("phone")).order_by(Customer.id)
)
_BILLS = DriverStatement(
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
    .where(Bill.customer_id == bindparam("customer_id"))
    .order_by(Bill.period_end.desc())
    .limit(bindparam("limit"))
)
_OUTAGE_COLUMNS = (Outage.outage_id, Outage.starts_at, Outage.ends_at, Outage.area, Outage.reason)
_OUTAGES_BETWEEN = (
    Outage.ends_at > bindparam("start", type_=Outage.ends_at.type),
    Outage.starts_at < bindparam("end", type_=Outage.starts_at.type),
)
_CUTTING_STATIONS = Outage.outage_id.in_(
    select(OutageStation.outage_id).where(
        OutageStation.station.in_(bindparam("stations", expanding=True))
    )
)
_IN_AREAS = Outage.area.in_(bindparam("areas", expanding=True))


def _outages_cutting(cut: ColumnElement[bool]) -> DriverStatement:
    return DriverStatement(
        select(*_OUTAGE_COLUMNS)
        .where(*_OUTAGES_BETWEEN, cut)
        .order_by(Outage.starts_at, Outage.outage_id)
    )


# By whether stations and areas are given.
_OUTAGES = {
    (True, True): _outages_cutting(or_(_CUTTING_STATIONS, _IN_AREAS)),
    (True, False): _outages_cutting(_CUTTING_STATIONS),
    (False, True): _outages_cutting(_IN_AREAS),
}
_STATIONS_OF_OUTAGES = DriverStatement(
    select(OutageStation.outage_id, OutageStation.station)
    .where(OutageStation.outage_id.in_(bindparam("outage_ids", expanding=True)))
    .order_by(OutageStation.station)
)
_PAYMENT_POINT_ROWS = select(
    PaymentPoint.point_id,
    PaymentPoint.name,
    PaymentPoint.address,
    PaymentPoint.area,
    PaymentPoint.lat,
    PaymentPoint.lon,
    PaymentPoint.opening_hours,
    PaymentPoint.kind,
).order_by(PaymentPoint.point_id)
_PAYMENT_POINTS = DriverStatement(_PAYMENT_POINT_ROWS)
_PAYMENT_POINTS_OF_AREAS = DriverStatement(
    _PAYMENT_POINT_ROWS.where(PaymentPoint.area.in_(bindparam("areas", expanding=True)))
)
_TOU_METER_OVER = DriverStatement(
    select(Meter.id).where(
        Meter.customer_id == bindparam("customer_id"),
        Meter.kind == "tou",
        Meter.installed_at <= bindparam("start", type_=Meter.installed_at.type),
        or_(
            Meter.removed_at.is_(None),
            Meter.removed_at >= bindparam("end", type_=Meter.installed_at.type),
        ),
    )
)
_FIRST_REGISTERS_FROM = DriverStatement(
    select(Reading.normal_wh, Reading.peak_wh, Reading.offpeak_wh)
    .where(
        Reading.meter_pk == bindparam("meter_pk"),
        Reading.read_at >= bindparam("moment", type_=Reading.read_at.type),
        Reading.flag.is_(None),
    )
    .order_by(Reading.read_at)
    .limit(1)
)


# A request's columns in `RequestRecord` order (its history is read apart).
_REQUEST_COLUMNS = (
    ServiceRequest.request_id,
    ServiceRequest.customer_id,
    ServiceRequest.service_type,
    ServiceRequest.status,
    ServiceRequest.created_at,
    ServiceRequest.updated_at,
    ServiceRequest.expected_at,
)


def _customer_details(row: Sequence[Any]) -> CustomerDetails:
    """A customer from a row of `CUSTOMER_COLUMNS`, by position."""
    return CustomerDetails(*row)


def _bill_record(row: Sequence[Any]) -> BillRecord:
    """A bill from a row of `_BILLS`, by position."""
    return BillRecord(*row)


class SqlAccountStore:
    """Reads the data of customers and writes the requests they file; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def customer(self, customer_id: int) -> CustomerDetails | None:
        """The customer with this id."""
        row = _CUSTOMER_BY_ID.first(self._connection, {"customer_id": customer_id})
        return None if row is None else _customer_details(row)

    def customers(self, customer_ids: Sequence[int]) -> tuple[CustomerDetails, ...]:
        """The customers with these ids, in the order given."""
        if not customer_ids:
            return ()
        rows = _CUSTOMERS_BY_IDS.rows(self._connection, {"customer_ids": customer_ids})
        found = {row[0]: _customer_details(row) for row in rows}
        return tuple(found[pk] for pk in customer_ids if pk in found)

    def linked_customers(self, chat_user_id: int) -> tuple[CustomerDetails, ...]:
        """The customers a chat has verified it owns, in linking order."""
        rows = _LINKED_CUSTOMERS.rows(self._connection, {"chat_user_id": chat_user_id})
        return tuple(_customer_details(row) for row in rows)

    def customer_by_code(self, customer_code: str) -> CustomerDetails | None:
        """The customer with this code."""
        row = _CUSTOMER_BY_CODE.first(self._connection, {"customer_code": customer_code})
        return None if row is None else _customer_details(row)

    def customers_by_phone(self, phone: str) -> tuple[CustomerDetails, ...]:
        """Every customer whose contract phone is `phone` (10 digits, leading 0)."""
        rows = _CUSTOMERS_BY_PHONE.rows(self._connection, {"phone": phone})
        return tuple(_customer_details(row) for row in rows)

    def area_names(self) -> Gazetteer:
        """Every area that customers, outages or payment points name, with every name customers
        may use for them, old and new (the NLU's gazetteer, `meters.gazetteer`)."""
        names = self._connection.execute(
            select(Customer.area)
            .union(select(Outage.area), select(PaymentPoint.area))
            .order_by(Customer.area)
        ).scalars()
        return gazetteer_of(tuple(names))

    def bills(self, customer_id: int, limit: int = 13) -> tuple[BillRecord, ...]:
        """The customer's latest bills, newest period first."""
        rows = _BILLS.rows(self._connection, {"customer_id": customer_id, "limit": limit})
        return tuple(_bill_record(row) for row in rows)

    def outages_between(
        self, start: datetime, end: datetime, *, stations: Sequence[str], areas: Sequence[str]
    ) -> tuple[OutageRecord, ...]:
        """Planned interruptions overlapping `start`..`end` cutting one of `stations`/`areas`."""
        if not stations and not areas:
            return ()
        statement = _OUTAGES[bool(stations), bool(areas)]
        parameters = {"start": start, "end": end, "stations": stations, "areas": areas}
        rows = statement.rows(self._connection, parameters)
        if not rows:
            return ()
        cut = _STATIONS_OF_OUTAGES.rows(self._connection, {"outage_ids": [row[0] for row in rows]})
        stations_of: dict[str, list[str]] = {}
        for outage_id, station in cut:
            stations_of.setdefault(outage_id, []).append(station)
        return tuple(
            OutageRecord(
                outage_id, starts_at, ends_at, area, reason, tuple(stations_of.get(outage_id, ()))
            )
            for outage_id, starts_at, ends_at, area, reason in rows
        )

    def payment_points(self, areas: Sequence[str] | None = None) -> tuple[PaymentPointRecord, ...]:
        """Payment points, of these areas when given, by point id."""
        if areas is None:
            rows = _PAYMENT_POINTS.rows(self._connection, {})
        elif not areas:
            return ()
        else:
            rows = _PAYMENT_POINTS_OF_AREAS.rows(self._connection, {"areas": list(areas)})
        return tuple(PaymentPointRecord(*row) for row in rows)

    def requests_of(
        self, customer_ids: Sequence[int], limit: int = 10, *, asked_only: bool = False
    ) -> tuple[RequestRecord, ...]:
        """The latest service requests of these customers, newest first, with their history.

        `asked_only` leaves out the cases the bot opened by itself (`handoff_cases.opened_by`).
        """
        if not customer_ids:
            return ()
        query = select(*_REQUEST_COLUMNS).where(ServiceRequest.customer_id.in_(customer_ids))
        if asked_only:
            by_bot = (
                select(HandoffCase.id)
                .where(
                    HandoffCase.request_id == ServiceRequest.request_id,
                    HandoffCase.opened_by == BY_BOT,
                )
                .exists()
            )
            query = query.where(~by_bot)
        rows = self._connection.execute(
            query.order_by(ServiceRequest.created_at.desc(), ServiceRequest.request_id).limit(
                limit
            )
        ).all()
        return self._with_history(rows)

    def request(self, request_id: str) -> RequestRecord | None:
        """One request by its id."""
        rows = self._connection.execute(
            select(*_REQUEST_COLUMNS).where(ServiceRequest.request_id == request_id)
        ).all()
        found = self._with_history(rows)
        return found[0] if found else None

    def reports_at_station(
        self, station: str, service_types: Sequence[str], since: datetime
    ) -> tuple[RequestRecord, ...]:
        """Requests of these types filed since `since` by customers of `station`, newest first."""
        rows = self._connection.execute(
            select(*_REQUEST_COLUMNS)
            .join(Customer, Customer.id == ServiceRequest.customer_id)
            .where(
                Customer.station == station,
                ServiceRequest.service_type.in_(service_types),
                ServiceRequest.created_at >= since,
            )
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.request_id)
        ).all()
        return self._with_history(rows)

    def file_request(
        self, customer_id: int | None, service_type: str, note: str, now: datetime
    ) -> str:
        """File a new request (status "received") and return its code, e.g. YC2026-000123.

        `customer_id` is None for a report from someone who has not linked a customer (a hazard
        seen in the street): the request is kept for the call centre all the same.
        """
        prefix = f"YC{now.year}-"
        request_id = f"{prefix}{self._next_request_number(now.year):06d}"
        while self.request(request_id) is not None:  # a number an import holds already
            request_id = f"{prefix}{self._next_request_number(now.year):06d}"
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

    def _next_request_number(self, year: int) -> int:
        """The next number of `year`'s request codes, taken for this transaction.

        One upsert of the year's counter row: on PostgreSQL a concurrent transaction waits on
        the row until this one ends and then takes the number after it (a rolled-back number
        is given again); SQLite has one writer at a time.
        """
        postgres = self._connection.dialect.name == "postgresql"
        insert_of = postgresql.insert if postgres else sqlite.insert
        statement = insert_of(RequestNumber).values(year=year, last_number=1)
        taken = statement.on_conflict_do_update(
            index_elements=[RequestNumber.year],
            set_={"last_number": RequestNumber.last_number + 1},
        ).returning(RequestNumber.last_number)
        return int(self._connection.execute(taken).scalar_one())

    def band_kwh_between(
        self, customer_id: int, start: datetime, end: datetime
    ) -> tuple[int, int, int] | None:
        """Whole-kWh use per band (normal, peak, offpeak) of a 3-price meter between the first
        unflagged readings at or after `start` and `end`, as a bill reads the registers.

        None unless one `tou` meter was in service over the whole interval with both readings.
        """
        meter_pk = _TOU_METER_OVER.scalar(
            self._connection, {"customer_id": customer_id, "start": start, "end": end}
        )
        if meter_pk is None:
            return None
        registers = []
        for moment in (start, end):
            row = _FIRST_REGISTERS_FROM.first(
                self._connection, {"meter_pk": meter_pk, "moment": moment}
            )
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
