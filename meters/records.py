"""Frozen records the conversation reads from the store (no ORM object leaves `meters/`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """A contract as the chat shows it to its verified owner."""

    id: int
    customer_code: str
    name: str
    phone: str
    address: str
    area: str
    customer_type: str
    households: Decimal
    voltage_kv: Decimal
    station: str | None
    reading_day: int
    power_company: str | None


@dataclass(frozen=True, slots=True)
class BillRecord:
    """One issued bill."""

    bill_no: str
    customer_id: int
    period_start: date
    period_end: date
    kwh: Decimal
    amount_before_vat: int
    vat: int
    total: int
    due_date: date
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutageRecord:
    """A planned interruption and the stations it cuts."""

    outage_id: str
    starts_at: datetime
    ends_at: datetime
    area: str
    reason: str
    stations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PaymentPointRecord:
    """A place to pay in person."""

    point_id: str
    name: str
    address: str
    area: str
    lat: float
    lon: float
    opening_hours: str
    kind: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step in the history of a service request."""

    status: str
    changed_at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A service request (or an incident report) and its history, oldest change first."""

    request_id: str
    customer_id: int | None
    service_type: str
    status: str
    created_at: datetime
    updated_at: datetime
    expected_at: datetime | None  # an incident's expected restoration, if the company said
    history: tuple[StatusChange, ...]


@dataclass(frozen=True, slots=True)
class ChatState:
    """Where a chat stands: the step it is in and the slots gathered so far."""

    step: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of the conversation log (masked): in or out, its text and when it was said."""

    direction: str
    text: str
    said_at: datetime


@dataclass(frozen=True, slots=True)
class PendingCode:
    """The one-time code a chat is waiting to have typed in.

    `customer_id` is None when no code was sent (an unknown customer code, or a limit
    reached): no typed code matches `code_hash` then.
    """

    id: int
    customer_code: str
    customer_id: int | None
    code_hash: str
    attempts: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A scheduled message a chat asked for."""

    customer_id: int
    kind: str
    threshold: dict[str, Any] | None
    delivery_hour: int | None
    active: bool
