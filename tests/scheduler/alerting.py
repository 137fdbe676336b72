"""Helpers of the alert and notice tests: consents, thresholds, a customer's own daily use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from meters.outbox_records import ClaimedMessage
from meters.schema import Consent, DailyUsage, Meter, OutboxMessage, Subscription
from tests.scheduler.conftest import MORNING, Subscriber


def grant(store: Engine, subscribers: Iterable[Subscriber], purpose: str) -> None:
    """Give each subscriber's chat the consent `purpose`."""
    with store.begin() as connection:
        connection.execute(
            insert(Consent),
            [
                {"chat_user_id": s.chat_user_id, "purpose": purpose, "granted_at": MORNING}
                for s in subscribers
            ],
        )


def set_threshold(store: Engine, subscriber: Subscriber, threshold: Mapping[str, Any]) -> None:
    """The threshold of the subscriber's (threshold) subscription."""
    with store.begin() as connection:
        connection.execute(
            update(Subscription)
            .where(Subscription.chat_user_id == subscriber.chat_user_id)
            .values(threshold=dict(threshold))
        )


def set_daily_use(store: Engine, subscriber: Subscriber, use: Mapping[date, int]) -> None:
    """Replace the customer's daily use by `use` (Wh per day, on its first meter)."""
    with store.begin() as connection:
        meters = list(
            connection.execute(
                select(Meter.id).where(Meter.customer_id == subscriber.customer_id)
            ).scalars()
        )
        connection.execute(delete(DailyUsage).where(DailyUsage.meter_pk.in_(meters)))
        connection.execute(
            insert(DailyUsage),
            [
                {"meter_pk": meters[0], "day": day, "used_wh": wh, "estimated": False}
                for day, wh in use.items()
            ],
        )


def queued(store: Engine, kind: str | None = None) -> list[Any]:
    """The queued outbox rows (of `kind`), oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    with store.connect() as connection:
        return list(connection.execute(query).all())


def as_claimed(message: Any) -> ClaimedMessage:
    """A queued message as the dispatcher would claim it (to render it)."""
    return ClaimedMessage(
        id=message.id,
        kind=message.kind,
        channel=message.channel,
        bucket=message.bucket,
        chat_user_id=message.chat_user_id,
        recipient="1",
        customer_id=message.customer_id,
        payload=dict(message.payload),
        attempts=0,
        expires_at=message.expires_at,
        last_seen_at=MORNING,
    )
