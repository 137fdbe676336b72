"""Who gets a notice: customers of cut stations, of new or soon-due bills, of closed cases.

Every query starts from the people who may be sent the notice (an active subscription or a
consent, a linked chat), so its cost follows the subscribers concerned, not all customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from meters.alert_store import linked_and_consenting
from meters.outbox_store import dialect_insert
from meters.schema import (
    Bill,
    ChatLink,
    ChatUser,
    Consent,
    Customer,
    HandoffCase,
    Outage,
    OutageStation,
    ServiceRequest,
    Subscription,
    Survey,
)

COMPLETED = "completed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """A chat that may be sent a notice about one customer (None: about the chat itself)."""

    chat_user_id: int
    channel: str
    customer_id: int | None
    customer_code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutageNotice:
    """A planned outage that cuts the station of a subscriber's customer."""

    recipient: Recipient
    outage_id: str
    station: str
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BillNotice:
    """An unpaid bill of a subscriber's customer."""

    recipient: Recipient
    bill_no: str
    period_start: date
    period_end: date
    kwh_wh: int
    total: int
    due_date: date


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosedCase:
    """A completed service request or closed handoff case, not yet surveyed."""

    recipient: Recipient
    code: str  # the request code, the survey's key (a handoff case's code is its request's)
    handoff: bool
    agent_id: int | None
    unit: str | None


def outage_notices(
    connection: Connection, starts_after: datetime, starts_before: datetime
) -> tuple[OutageNotice, ...]:
    """Outages starting in (`starts_after`, `starts_before`] × subscribers of the cut stations."""
    rows = connection.execute(
        select(
            Subscription.chat_user_id,
            ChatUser.channel,
            Customer.id,
            Customer.customer_code,
            Outage.outage_id,
            OutageStation.station,
            Outage.starts_at,
            Outage.ends_at,
            Outage.reason,
        )
        .join(OutageStation, OutageStation.outage_id == Outage.outage_id)
        .join(Customer, Customer.station == OutageStation.station)
        .join(Subscription, Subscription.customer_id == Customer.id)
        .join(ChatUser, ChatUser.id == Subscription.chat_user_id)
        .where(
            Outage.starts_at > starts_after,
            Outage.starts_at <= starts_before,
            Subscription.kind == "outage",
            Subscription.active.is_(True),
            linked_and_consenting(Subscription.chat_user_id, Customer.id, "outages"),
        )
        .order_by(Outage.starts_at, Outage.outage_id, Subscription.id)
    )
    return tuple(
        OutageNotice(
            recipient=Recipient(
                chat_user_id=row[0], channel=row[1], customer_id=row[2], customer_code=row[3]
            ),
            outage_id=row[4],
            station=row[5],
            starts_at=row[6],
            ends_at=row[7],
            reason=row[8],
        )
        for row in rows
    )


def unpaid_bills(
    connection: Connection,
    *,
    period_end_from: date | None = None,
    due_from: date,
    due_to: date | None = None,
) -> tuple[BillNotice, ...]:
    """Unpaid bills due from `due_from` (to `due_to`, period ended since a day) × subscribers."""
    query = (
        select(
            Subscription.chat_user_id,
            ChatUser.channel,
            Customer.id,
            Customer.customer_code,
            Bill.bill_no,
            Bill.period_start,
            Bill.period_end,
            Bill.kwh,
            Bill.total,
            Bill.due_date,
        )
        .join(Customer, Customer.id == Bill.customer_id)
        .join(Subscription, Subscription.customer_id == Customer.id)
        .join(ChatUser, ChatUser.id == Subscription.chat_user_id)
        .where(
            Bill.paid_at.is_(None),
            Bill.due_date >= due_from,
            Subscription.kind == "bill",
            Subscription.active.is_(True),
            linked_and_consenting(Subscription.chat_user_id, Customer.id, "alerts"),
        )
        .order_by(Bill.due_date, Bill.bill_no, Subscription.id)
    )
    if due_to is not None:
        query = query.where(Bill.due_date <= due_to)
    if period_end_from is not None:
        query = query.where(Bill.period_end >= period_end_from)
    return tuple(
        BillNotice(
            recipient=Recipient(
                chat_user_id=row[0], channel=row[1], customer_id=row[2], customer_code=row[3]
            ),
            bill_no=row[4],
            period_start=row[5],
            period_end=row[6],
            kwh_wh=int(row[7] * 1000),
            total=int(row[8]),
            due_date=row[9],
        )
        for row in connection.execute(query)
    )


def closed_cases(connection: Connection, since: datetime) -> tuple[ClosedCase, ...]:
    """Handoff cases closed and requests completed since `since`, not yet surveyed, one per code.

    A case is asked in its own chat; a request in a chat linked to its customer. Only chats that
    consent to "surveys".
    """
    unsurveyed = ~select(Survey.id).where(Survey.code == ServiceRequest.request_id).exists()
    cases = connection.execute(
        select(
            ChatUser.id,
            ChatUser.channel,
            HandoffCase.customer_id,
            ServiceRequest.request_id,
            HandoffCase.assignee_id,
            HandoffCase.unit,
        )
        .join(ChatUser, ChatUser.id == HandoffCase.chat_user_id)
        .join(ServiceRequest, ServiceRequest.request_id == HandoffCase.request_id)
        .where(
            HandoffCase.closed_at >= since,
            unsurveyed,
            _consents_to_surveys(),
        )
        .order_by(HandoffCase.closed_at, HandoffCase.id)
    )
    found: dict[str, ClosedCase] = {}
    for row in cases:
        recipient = Recipient(
            chat_user_id=row[0], channel=row[1], customer_id=row[2], customer_code=None
        )
        found.setdefault(
            row[3],
            ClosedCase(
                recipient=recipient, code=row[3], handoff=True, agent_id=row[4], unit=row[5]
            ),
        )
    requests = connection.execute(
        select(
            ChatUser.id,
            ChatUser.channel,
            Customer.id,
            Customer.customer_code,
            ServiceRequest.request_id,
        )
        .join(Customer, Customer.id == ServiceRequest.customer_id)
        .join(ChatLink, ChatLink.customer_id == Customer.id)
        .join(ChatUser, ChatUser.id == ChatLink.chat_user_id)
        .where(
            ServiceRequest.status == COMPLETED,
            ServiceRequest.updated_at >= since,
            unsurveyed,
            _consents_to_surveys(),
        )
        .order_by(
            ServiceRequest.updated_at, ServiceRequest.request_id, ChatUser.last_seen_at.desc()
        )
    )
    for line in requests:
        recipient = Recipient(
            chat_user_id=line[0], channel=line[1], customer_id=line[2], customer_code=line[3]
        )
        found.setdefault(
            line[4],
            ClosedCase(recipient=recipient, code=line[4], handoff=False, agent_id=None, unit=None),
        )
    return tuple(found.values())


def record_survey_sent(connection: Connection, case: ClosedCase, now: datetime) -> bool:
    """Record that the survey about `case` is sent (the row its answer fills); False if one was."""
    result = connection.execute(
        dialect_insert(connection, Survey)
        .values(
            code=case.code,
            chat_user_id=case.recipient.chat_user_id,
            agent_id=case.agent_id,
            unit=case.unit,
            sent_at=now,
        )
        .on_conflict_do_nothing(index_elements=["code"])
        .execution_options(preserve_rowcount=True)
    )
    return int(result.rowcount) == 1


def _consents_to_surveys() -> Any:
    return (
        select(Consent.id)
        .where(
            Consent.chat_user_id == ChatUser.id,
            Consent.purpose == "surveys",
            Consent.withdrawn_at.is_(None),
        )
        .exists()
    )
