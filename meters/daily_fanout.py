"""Queue the daily usage message of every subscriber whose reading of the day has arrived.

One INSERT … SELECT per page of subscription ids, `ON CONFLICT (dedup_key) DO NOTHING`: a page
either commits whole or not at all, so a crashed or repeated fan-out only adds what is missing.
The payload carries the numbers (day, month to date, tariff situation); the text is rendered
when the message is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from meters.outbox_store import PENDING
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


@dataclass(frozen=True, slots=True)
class DailyPage:
    """One page of a day's fan-out: subscriptions `first_id`..`last_id`, and when to send."""

    day: date
    first_id: int
    last_id: int
    not_before_by_hour: Mapping[int, datetime]  # the customer's chosen hour -> first moment
    default_not_before: datetime
    expires_at: datetime
    now: datetime


def queue_daily_usage_page(connection: Connection, page: DailyPage) -> int:
    """Queue the daily messages of the page's subscriptions; how many were new."""
    use_index_probes(connection)
    statement = daily_usage_page_insert(connection.dialect.name == "postgresql", page)
    result = connection.execute(statement.execution_options(preserve_rowcount=True))
    return max(int(result.rowcount), 0)


def use_index_probes(connection: Connection) -> None:
    """Plan this transaction's page with index probes only (PostgreSQL; SQLite plans so anyway).

    Every row of a page is read by key, and the outbox check must be one probe of the key's
    index. With statistics of an empty outbox the planner would scan the table instead, once
    per subscription, while the page's own inserts make it grow: the 100 000 messages of a
    first fan-out took four minutes instead of three seconds.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")


def daily_usage_page_insert(postgres: bool, request: DailyPage) -> Any:
    """The INSERT … SELECT that queues one page's daily messages, for PostgreSQL or SQLite.

    The page's subscriptions are chosen first (a materialised CTE on PostgreSQL, so the planner
    cannot move the outbox check after the sums), leaving out those that already have the day's
    message: a repeated run or a catch-up only reads the page's subscriptions and outbox keys.
    The month's numbers are summed per customer: on PostgreSQL in a LATERAL subquery per
    subscription (about 7 index-read rows each, no sort of the page's joined rows); SQLite has
    no LATERAL and sums the page's customers in one grouped subquery.
    """
    day = request.day
    page = _page(postgres, day, request.first_id, request.last_id)
    usage = _month_to_date(postgres, day, page)
    moment_type = OutboxMessage.not_before.type
    hour_case = case(
        *(
            (page.c.delivery_hour == hour, literal(moment, moment_type))
            for hour, moment in sorted(request.not_before_by_hour.items())
        ),
        else_=literal(request.default_not_before, moment_type),
    )
    payload = _json_object(
        postgres,
        {
            "day": literal(day.isoformat()),
            "code": Customer.customer_code,
            "used_wh": usage.c.used_wh,
            "estimated": cast(usage.c.estimated, Boolean) if postgres else usage.c.estimated,
            "month_wh": usage.c.month_wh,
            "month_days": usage.c.month_days,
            "customer_type": Customer.customer_type,
            "households": cast(Customer.households, String),
            "reading_day": Customer.reading_day,
        },
    )
    rows = (
        select(
            page.c.dedup_key,
            literal(DAILY_USAGE),
            ChatUser.channel,
            ChatUser.channel,
            page.c.chat_user_id,
            page.c.customer_id,
            payload,
            literal(DIGEST_PRIORITY, Integer),
            literal(PENDING),
            hour_case,
            literal(request.expires_at, OutboxMessage.expires_at.type),
            literal(0, Integer),
            literal(request.now, OutboxMessage.created_at.type),
        )
        .select_from(page)
        .join(ChatUser, ChatUser.id == page.c.chat_user_id)
        .join(Customer, Customer.id == page.c.customer_id)
        .join(usage, true() if postgres else usage.c.customer_id == page.c.customer_id)
        .where(usage.c.has_today == 1)
    )
    insert_of = postgresql.insert if postgres else sqlite.insert
    return (
        insert_of(OutboxMessage)
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


def _padded(postgres: bool, column: Any) -> ColumnElement[str]:
    """An id as ten digits, so a day's keys sort like the ids.

    The fan-out queues a page in id order; with the day first and padded ids each page appends
    at one end of the `dedup_key` index instead of touching pages all over it (`…:10:` sorts
    before `…:9:` unpadded), which keeps the index's working set small at millions of rows.
    """
    if postgres:
        return func.lpad(cast(column, String), 10, "0")
    return func.printf("%010d", column)


def _page(postgres: bool, day: date, first_id: int, last_id: int) -> Any:
    """The page's active daily subscriptions, linked and consenting, without the day's message."""
    dedup = (
        literal(f"{DAILY_USAGE}:{day.isoformat()}:")
        + _padded(postgres, Subscription.customer_id)
        + literal(":")
        + _padded(postgres, Subscription.chat_user_id)
    )
    page = select(
        Subscription.chat_user_id,
        Subscription.customer_id,
        Subscription.delivery_hour,
        dedup.label("dedup_key"),
    ).where(
        Subscription.kind == DAILY_USAGE,
        Subscription.active.is_(True),
        Subscription.id.between(first_id, last_id),
        _no_message_yet(dedup),
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
    if postgres:
        return page.cte("page").prefix_with("MATERIALIZED")
    # A statement that starts with WITH gets no rowcount from Python's sqlite3: a subquery.
    return page.subquery("page")


def _no_message_yet(dedup: ColumnElement[str]) -> ColumnElement[bool]:
    """No outbox row has `dedup` yet, checked by one probe of the key's index per subscription.

    Written as a scalar subquery with LIMIT rather than NOT EXISTS, which the planner may turn
    into an anti join that hashes the whole outbox for every page: with statistics of an empty
    or small outbox it did, and each page of a 3 M fan-out then read all the rows queued so far.
    """
    probe = select(literal(1)).where(OutboxMessage.dedup_key == dedup).limit(1)
    return probe.scalar_subquery().is_(None)


def _month_to_date(postgres: bool, day: date, page: Any) -> Any:
    """Per customer: the day's use, whether estimated, month to date, days with data, has `day`."""
    today = DailyUsage.day == day
    columns = (
        func.sum(case((today, DailyUsage.used_wh), else_=0)).label("used_wh"),
        func.max(case((and_(today, DailyUsage.estimated.is_(True)), 1), else_=0)).label(
            "estimated"
        ),
        func.sum(DailyUsage.used_wh).label("month_wh"),
        func.count(func.distinct(DailyUsage.day)).label("month_days"),
        func.max(case((today, 1), else_=0)).label("has_today"),
    )
    month = (
        select()
        .select_from(Meter)
        .join(
            DailyUsage,
            and_(
                DailyUsage.meter_pk == Meter.id,
                DailyUsage.day >= day.replace(day=1),
                DailyUsage.day <= day,
            ),
        )
    )
    if postgres:
        return (
            month.add_columns(*columns)
            .where(Meter.customer_id == page.c.customer_id)
            .lateral("usage")
        )
    return (
        month.add_columns(Meter.customer_id, *columns)
        .where(Meter.customer_id.in_(select(page.c.customer_id)))
        .group_by(Meter.customer_id)
        .subquery("usage")
    )


def _json_object(postgres: bool, fields: Mapping[str, Any]) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for name, value in fields.items():
        arguments.extend((literal(name), value))
    if postgres:
        return func.json_build_object(*arguments)
    return func.json_object(*arguments)
