"""Queue the daily usage message of every subscriber whose reading of the day has arrived.

One INSERT … SELECT per page of subscription ids, `ON CONFLICT (dedup_key) DO NOTHING`: a page
either commits whole or not at all, so a crashed or repeated fan-out only adds what is missing.
The payload carries the numbers (day, month to date, tariff situation); the text is rendered
when the message is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from meters.outbox_store import PENDING, dialect_insert
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

DAILY_USAGE = "daily_usage"
DIGEST_PRIORITY = 10  # lower is sooner: alerts (0) and notices (5) go first


def subscription_id_range(connection: Connection, kind: str = DAILY_USAGE) -> tuple[int, int]:
    """The lowest and highest id of active subscriptions of `kind` ((0, -1) when none)."""
    low, high = connection.execute(
        select(func.min(Subscription.id), func.max(Subscription.id)).where(
            Subscription.kind == kind, Subscription.active.is_(True)
        )
    ).one()
    return (int(low), int(high)) if low is not None else (0, -1)


def queue_daily_usage_page(
    connection: Connection,
    *,
    day: date,
    first_id: int,
    last_id: int,
    not_before_by_hour: Mapping[int, datetime],
    default_not_before: datetime,
    expires_at: datetime,
    now: datetime,
) -> int:
    """Queue the daily messages of subscriptions `first_id`..`last_id`; how many were new."""
    postgres = connection.dialect.name == "postgresql"
    month_start = day.replace(day=1)
    used = func.sum(case((DailyUsage.day == day, DailyUsage.used_wh), else_=0))
    days_with_data = func.count(func.distinct(DailyUsage.day))
    has_today = func.max(case((DailyUsage.day == day, 1), else_=0))
    estimated = func.max(
        case((and_(DailyUsage.day == day, DailyUsage.estimated.is_(True)), 1), else_=0)
    )
    moment_type = OutboxMessage.not_before.type
    hour_case = case(
        *(
            (Subscription.delivery_hour == hour, literal(moment, moment_type))
            for hour, moment in sorted(not_before_by_hour.items())
        ),
        else_=literal(default_not_before, moment_type),
    )
    payload = _json_object(
        postgres,
        {
            "day": literal(day.isoformat()),
            "code": Customer.customer_code,
            "used_wh": used,
            "estimated": cast(estimated, Boolean) if postgres else estimated,
            "month_wh": func.sum(DailyUsage.used_wh),
            "month_days": days_with_data,
            "customer_type": Customer.customer_type,
            "households": cast(Customer.households, String),
            "reading_day": Customer.reading_day,
        },
    )
    dedup = (
        literal(f"{DAILY_USAGE}:")
        + cast(Subscription.customer_id, String)
        + literal(f":{day.isoformat()}:")
        + cast(Subscription.chat_user_id, String)
    )
    rows = (
        select(
            dedup,
            literal(DAILY_USAGE),
            ChatUser.channel,
            ChatUser.channel,
            Subscription.chat_user_id,
            Subscription.customer_id,
            payload,
            literal(DIGEST_PRIORITY, Integer),
            literal(PENDING),
            hour_case,
            literal(expires_at, OutboxMessage.expires_at.type),
            literal(0, Integer),
            literal(now, OutboxMessage.created_at.type),
        )
        .join(ChatUser, ChatUser.id == Subscription.chat_user_id)
        .join(Customer, Customer.id == Subscription.customer_id)
        .join(Meter, Meter.customer_id == Subscription.customer_id)
        .join(
            DailyUsage,
            and_(
                DailyUsage.meter_pk == Meter.id,
                DailyUsage.day >= month_start,
                DailyUsage.day <= day,
            ),
        )
        .where(
            Subscription.kind == DAILY_USAGE,
            Subscription.active.is_(True),
            Subscription.id.between(first_id, last_id),
            exists().where(
                ChatLink.chat_user_id == Subscription.chat_user_id,
                ChatLink.customer_id == Subscription.customer_id,
            ),
            exists().where(
                Consent.chat_user_id == Subscription.chat_user_id,
                Consent.purpose == "daily",
                Consent.withdrawn_at.is_(None),
            ),
        )
        .group_by(
            Subscription.id,
            Subscription.customer_id,
            Subscription.chat_user_id,
            Subscription.delivery_hour,
            ChatUser.channel,
            Customer.customer_code,
            Customer.customer_type,
            Customer.households,
            Customer.reading_day,
        )
        .having(has_today == 1)
    )
    statement = (
        dialect_insert(connection, OutboxMessage)
        .from_select(
            [
                "dedup_key",
                "kind",
                "channel",
                "bucket",
                "chat_user_id",
                "customer_id",
                "payload",
                "priority",
                "status",
                "not_before",
                "expires_at",
                "attempts",
                "created_at",
            ],
            rows,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    result = connection.execute(statement.execution_options(preserve_rowcount=True))
    return max(int(result.rowcount), 0)


def _json_object(postgres: bool, fields: Mapping[str, Any]) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for name, value in fields.items():
        arguments.extend((literal(name), value))
    if postgres:
        return func.json_build_object(*arguments)
    return func.json_object(*arguments)
