"""Queue the daily usage message of every subscriber whose reading of the day has arrived.

One INSERT … SELECT per page of subscription ids, `ON CONFLICT (dedup_key) DO NOTHING`: a page
either commits whole or not at all, so a crashed or repeated fan-out only adds what is missing.
A message holds only its day: its numbers (the day's use, the month to date, the tariff
situation) are read when it is claimed, and its text is rendered then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from meters.daily_numbers import DAILY_USAGE
from meters.outbox_days import (
    FAN_OUT_COLUMNS,
    day_batch,
    lock_stage,
    mark_page_staged,
    stage_table,
)
from meters.outbox_store import OUTBOX_KEY, PENDING
from meters.schema import (
    ChatLink,
    ChatUser,
    Consent,
    DailyUsage,
    Meter,
    OutboxMessage,
    Subscription,
)

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


def stage_daily_usage_page(connection: Connection, page: DailyPage) -> int:
    """Write the page's daily messages into the day's unattached partition (PostgreSQL); how
    many. A page another run already staged is skipped: its marker is written with its rows.
    Once another run has attached the day, the page is queued into the outbox instead."""
    if not lock_stage(connection, page.day):
        return queue_daily_usage_page(connection, page)
    if not mark_page_staged(connection, day_batch(page.day), page.first_id, page.last_id):
        return 0
    use_index_probes(connection)
    statement = daily_usage_page_insert(True, page, into=stage_table(page.day))
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


def daily_usage_page_insert(
    postgres: bool, request: DailyPage, *, into: TableClause | None = None
) -> Any:
    """The INSERT … SELECT that queues one page's daily messages, for PostgreSQL or SQLite.

    Into the outbox, the page's subscriptions are chosen first (a materialised CTE on
    PostgreSQL, so the planner cannot move the outbox check after the rest), leaving out those
    that already have the day's message: a repeated run or a catch-up only reads the page's
    subscriptions and outbox keys. `into` an unattached day partition (meters.outbox_days), a
    page is written once (its marker says so) and needs neither the check nor ON CONFLICT.
    A message holds only its day; its numbers are read when it is claimed (meters.daily_numbers).
    """
    day = request.day
    page = _page(postgres, day, request.first_id, request.last_id, check_outbox=into is None)
    moment_type = OutboxMessage.not_before.type
    hour_case = case(
        *(
            (page.c.delivery_hour == hour, literal(moment, moment_type))
            for hour, moment in sorted(request.not_before_by_hour.items())
        ),
        else_=literal(request.default_not_before, moment_type),
    )
    rows = (
        select(
            page.c.dedup_key,
            literal(day_batch(day)),
            literal(DAILY_USAGE),
            ChatUser.channel,
            ChatUser.channel,
            page.c.chat_user_id,
            page.c.customer_id,
            _day_payload(postgres, day),
            literal(DIGEST_PRIORITY, Integer),
            literal(PENDING),
            hour_case,
            literal(request.expires_at, OutboxMessage.expires_at.type),
            literal(0, Integer),
            literal(request.now, OutboxMessage.created_at.type),
        )
        .select_from(page)
        .join(ChatUser, ChatUser.id == page.c.chat_user_id)
    )
    if into is not None:
        return insert(into).from_select(FAN_OUT_COLUMNS, rows)
    insert_of = postgresql.insert if postgres else sqlite.insert
    return (
        insert_of(OutboxMessage)
        .from_select(FAN_OUT_COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=OUTBOX_KEY)
    )


def _day_payload(postgres: bool, day: date) -> ColumnElement[Any]:
    """The payload every message of the page shares, as one JSON constant."""
    text = literal(json.dumps({"day": day.isoformat()}))
    return cast(text, postgresql.JSON) if postgres else text


def _padded(postgres: bool, column: Any) -> ColumnElement[str]:
    """An id as ten digits, so a day's keys sort like the ids.

    The fan-out queues a page in id order; with the day first and padded ids each page appends
    at one end of the `dedup_key` index instead of touching pages all over it (`…:10:` sorts
    before `…:9:` unpadded), which keeps the index's working set small at millions of rows.
    """
    if postgres:
        return func.lpad(cast(column, String), 10, "0")
    return func.printf("%010d", column)


def _page(postgres: bool, day: date, first_id: int, last_id: int, *, check_outbox: bool) -> Any:
    """The page's active daily subscriptions, linked, consenting, with a reading of `day` and
    (when `check_outbox`) without the day's message."""
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
        _no_message_yet(dedup, day_batch(day)) if check_outbox else true(),
        exists().where(
            ChatLink.chat_user_id == Subscription.chat_user_id,
            ChatLink.customer_id == Subscription.customer_id,
        ),
        exists().where(
            Consent.chat_user_id == Subscription.chat_user_id,
            Consent.purpose == "daily",
            Consent.withdrawn_at.is_(None),
        ),
        select(literal(1))
        .select_from(Meter)
        .join(DailyUsage, and_(DailyUsage.meter_pk == Meter.id, DailyUsage.day == day))
        .where(Meter.customer_id == Subscription.customer_id)
        .exists(),
    )
    if postgres and check_outbox:
        return page.cte("page").prefix_with("MATERIALIZED")
    # A statement that starts with WITH gets no rowcount from Python's sqlite3: a subquery.
    return page.subquery("page")


def _no_message_yet(dedup: ColumnElement[str], batch: str) -> ColumnElement[bool]:
    """No outbox row has `dedup` yet, checked by one probe of the key's index per subscription.

    Written as a scalar subquery with LIMIT rather than NOT EXISTS, which the planner may turn
    into an anti join that hashes the whole outbox for every page: with statistics of an empty
    or small outbox it did, and each page of a 3 M fan-out then read all the rows queued so far.
    """
    probe = (
        select(literal(1))
        .where(OutboxMessage.dedup_key == dedup, OutboxMessage.batch == batch)
        .limit(1)
    )
    return probe.scalar_subquery().is_(None)
