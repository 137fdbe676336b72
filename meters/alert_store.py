"""What the usage alerts read: subscribers of one kind, their daily use, their recent alerts.

Alerts are checked a page of subscription ids at a time; each query reads only that page, so
the work grows with the number of alert subscribers, not with the number of customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, exists, func, select

from meters.schema import (
    ChatLink,
    ChatUser,
    Consent,
    Customer,
    DailyUsage,
    Meter,
    OutboxMessage,
    Subscription,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertTarget:
    """One active, consenting subscription of a linked chat, with its customer's tariff facts."""

    subscription_id: int
    chat_user_id: int
    channel: str
    customer_id: int
    customer_code: str
    customer_type: str
    households: Decimal
    threshold: Mapping[str, Any]


def alert_targets(
    connection: Connection, kind: str, consent: str, first_id: int, last_id: int
) -> tuple[AlertTarget, ...]:
    """Active subscriptions of `kind` with ids `first_id`..`last_id` whose chat may be sent to."""
    rows = connection.execute(
        select(
            Subscription.id,
            Subscription.chat_user_id,
            ChatUser.channel,
            Subscription.customer_id,
            Customer.customer_code,
            Customer.customer_type,
            Customer.households,
            Subscription.threshold,
        )
        .join(ChatUser, ChatUser.id == Subscription.chat_user_id)
        .join(Customer, Customer.id == Subscription.customer_id)
        .where(
            Subscription.kind == kind,
            Subscription.active.is_(True),
            Subscription.id.between(first_id, last_id),
            linked_and_consenting(Subscription.chat_user_id, Subscription.customer_id, consent),
        )
        .order_by(Subscription.id)
    )
    return tuple(
        AlertTarget(
            subscription_id=row[0],
            chat_user_id=row[1],
            channel=row[2],
            customer_id=row[3],
            customer_code=row[4],
            customer_type=row[5],
            households=Decimal(row[6] if row[6] is not None else 1),
            threshold=dict(row[7] or {}),
        )
        for row in rows
    )


def linked_and_consenting(chat_user_id: Any, customer_id: Any, consent: str) -> Any:
    """SQL: the chat is still linked to the customer and has not withdrawn `consent`."""
    return exists().where(
        ChatLink.chat_user_id == chat_user_id, ChatLink.customer_id == customer_id
    ) & exists().where(
        Consent.chat_user_id == chat_user_id,
        Consent.purpose == consent,
        Consent.withdrawn_at.is_(None),
    )


def daily_use(
    connection: Connection, customer_ids: Collection[int], first: date, last: date
) -> dict[int, dict[date, int]]:
    """customer id -> day -> Wh used (all of the customer's meters), for `first`..`last`."""
    if not customer_ids:
        return {}
    rows = connection.execute(
        select(Meter.customer_id, DailyUsage.day, func.sum(DailyUsage.used_wh))
        .join(DailyUsage, DailyUsage.meter_pk == Meter.id)
        .where(Meter.customer_id.in_(customer_ids), DailyUsage.day.between(first, last))
        .group_by(Meter.customer_id, DailyUsage.day)
    )
    use: dict[int, dict[date, int]] = defaultdict(dict)
    for customer_id, day, used_wh in rows:
        use[int(customer_id)][day] = int(used_wh)
    return dict(use)


def recently_alerted(
    connection: Connection, kind: str, chat_user_ids: Collection[int], since: datetime
) -> set[tuple[int, int]]:
    """(customer id, chat user id) pairs already sent an alert of `kind` queued since `since`."""
    if not chat_user_ids:
        return set()
    rows = connection.execute(
        select(OutboxMessage.customer_id, OutboxMessage.chat_user_id)
        .where(
            OutboxMessage.chat_user_id.in_(chat_user_ids),
            OutboxMessage.kind == kind,
            OutboxMessage.created_at >= since,
        )
        .distinct()
    )
    return {(int(row[0]), int(row[1])) for row in rows if row[0] is not None}
