"""A day's daily messages as one batch of the outbox, a partition of its own on PostgreSQL.

Inserting three million rows into the indexed outbox one by one cost more than the rest of the
fan-out: every row went into the heap and four B-trees. So on PostgreSQL a day's fan-out writes
its pages into a table of their own without indexes (the stage), builds the outbox's indexes
on it once, sorted, and attaches it as the day's partition: for 1 M messages about 10 s of
writes and 5 s of index builds, against 22 s into the indexed outbox. The day's messages can be
claimed from the moment it is attached. Each staged page writes a marker (`fan_out_pages`) in
its own transaction, so a fan-out that stopped half-way stages only the pages without one.
After the attach, the day is an ordinary partition: a catch-up queues into the outbox, checked
by the dedup key.

SQLite keeps one table: a batch is only a column there, and nothing is staged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, column, delete, exists, func, select, table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.expression import TableClause

from meters.daily_numbers import DAILY_USAGE
from meters.outbox_store import PENDING, SENDING
from meters.schema import FanOutPage, OutboxMessage

# The outbox's keys and indexes, as the stage must have them for the attach to adopt them
# rather than build its own (migration 0003 defines the partitioned table's).
STAGE_KEYS = (
    ("pkey", "PRIMARY KEY (id, batch)"),
    ("dedup_key", "UNIQUE (dedup_key, batch)"),
)
STAGE_INDEXES = (
    ("claimable", "(bucket, priority, not_before, id) WHERE status = 'pending'"),
    ("leased", "(lease_until) WHERE status = 'sending'"),
    ("chat_user_id", "(chat_user_id)"),
)
# What a fan-out page writes of each message (the rest are the columns' defaults).
FAN_OUT_COLUMNS = (
    "dedup_key",
    "batch",
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
)
KEEP_DAYS = 7  # a day's batch is dropped this many days after its day
LOCK_NOT_AVAILABLE = "55P03"
WAITING = (PENDING, SENDING)  # a day with messages in these statuses is not dropped


def day_batch(day: date) -> str:
    """The batch of `day`'s daily messages."""
    return f"{DAILY_USAGE}:{day.isoformat()}"


def partition_name(day: date) -> str:
    """The table that holds `day`'s daily messages on PostgreSQL."""
    return f"outbox_daily_{day:%Y%m%d}"


def stage_table(day: date) -> TableClause:
    """The day's table, for an INSERT of the columns a fan-out writes."""
    return table(partition_name(day), *(column(name) for name in FAN_OUT_COLUMNS))


def is_attached(connection: Connection, day: date) -> bool:
    """Whether `day`'s partition is part of the outbox (its messages can be claimed)."""
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_inherits"
                " WHERE inhrelid = to_regclass(:name) AND inhparent = to_regclass('outbox'))"
            ),
            {"name": partition_name(day)},
        ).scalar_one()
    )


def create_stage(connection: Connection, day: date, page_size: int) -> None:
    """The day's unindexed table, unless a run before this one created it.

    Raises StagedPagesDiffer when an earlier run staged the day in pages of another size: its
    pages and this run's would overlap, and the overlap would be staged twice.
    """
    _lock(connection, f"outbox-stage:{day_batch(day)}")
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} (LIKE outbox INCLUDING DEFAULTS)"
    )
    staged = connection.execute(
        select(FanOutPage.first_id, FanOutPage.last_id)
        .where(FanOutPage.batch == day_batch(day))
        .limit(1)
    ).first()
    if staged is None:
        return
    staged_size = staged.last_id - staged.first_id + 1
    if staged_size != page_size:
        raise StagedPagesDiffer(
            f"{day_batch(day)} was staged in pages of {staged_size}"
            f" subscriptions, not {page_size}: finish it with the page size it began with"
        )


class StagedPagesDiffer(RuntimeError):
    """The day's fan-out was staged in pages of another size: its pages would overlap."""


def mark_page_staged(connection: Connection, batch: str, first_id: int, last_id: int) -> bool:
    """Record that this transaction stages the page; False when one already did."""
    marked = connection.execute(
        postgresql.insert(FanOutPage)
        .values(batch=batch, first_id=first_id, last_id=last_id)
        .on_conflict_do_nothing()
        .returning(FanOutPage.first_id)
    ).first()
    return marked is not None


def lock_stage(connection: Connection, day: date) -> bool:
    """Hold the day's table until this transaction ends, so that it cannot be attached
    meanwhile; False when it is attached already (a page then goes into the outbox)."""
    connection.exec_driver_sql(f"LOCK TABLE {partition_name(day)} IN ROW EXCLUSIVE MODE")
    return not is_attached(connection, day)


def index_and_attach(connection: Connection, day: date) -> None:
    """Build the outbox's keys and indexes on the day's table and attach it as the day's
    partition, in the connection's transaction: a run that stopped in the middle left nothing
    of it, and of two runs at once the second finds it done."""
    _lock(connection, f"outbox-stage:{day_batch(day)}")
    name = partition_name(day)
    if not is_attached(connection, day):
        # Sorting a 3 M-row day's keys in the default 64 MB spills to disk. For 3 M messages
        # the index builds and the attach took 25.1 s with 256 MB, 20.9 s with 1 GB.
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for suffix, definition in STAGE_KEYS:
            connection.exec_driver_sql(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_{suffix} {definition}"
            )
        for suffix, definition in STAGE_INDEXES:
            connection.exec_driver_sql(f"CREATE INDEX {name}_{suffix} ON {name} {definition}")
        # Statistics before its messages can be claimed: the planner would otherwise guess
        # until autovacuum came by, and a claim of 250 took 200-390 ms instead of 35-65 ms.
        connection.exec_driver_sql(f"ANALYZE {name}")
        connection.exec_driver_sql(
            f"ALTER TABLE outbox ATTACH PARTITION {name} FOR VALUES IN ('{day_batch(day)}')"
        )
    connection.execute(delete(FanOutPage).where(FanOutPage.batch == day_batch(day)))


@dataclass(frozen=True, slots=True)
class StagedDay:
    """A day's fan-out whose messages are written but not attached yet: not claimable."""

    day: date
    pages: int
    messages: int


def staged_days(connection: Connection) -> tuple[StagedDay, ...]:
    """The days being fanned out, or whose fan-out stopped before the attach (PostgreSQL)."""
    if connection.dialect.name != "postgresql":
        return ()
    pages = connection.execute(
        select(FanOutPage.batch, func.count())
        .group_by(FanOutPage.batch)
        .order_by(FanOutPage.batch)
    ).all()
    staged: list[StagedDay] = []
    for batch, count in pages:
        day = date.fromisoformat(batch.removeprefix(f"{DAILY_USAGE}:"))
        if is_attached(connection, day):  # attached a moment ago; its markers go next
            continue
        messages = connection.execute(
            select(func.count()).select_from(table(partition_name(day)))
        ).scalar_one()
        staged.append(StagedDay(day, int(count), int(messages)))
    return tuple(staged)


def drop_days_before(
    connection: Connection, first_kept: date, *, lock_timeout_ms: int = 2_000
) -> None:
    """Drop the daily messages of the days before `first_kept`, once none of a day's is still
    waiting to be sent.

    A day's messages expire at the close of the next day's window, so by then they are sent,
    failed or expired. On PostgreSQL the day's table is dropped whole, which holds the outbox's
    lock for a moment; waiting longer than `lock_timeout_ms` for it raises (SQLSTATE 55P03,
    LOCK_NOT_AVAILABLE), and the caller's transaction then drops nothing.
    """
    if connection.dialect.name != "postgresql":
        old = and_(
            OutboxMessage.batch.like(f"{DAILY_USAGE}:%"),
            OutboxMessage.batch < day_batch(first_kept),
        )
        still_waiting = (
            select(OutboxMessage.batch).where(old, OutboxMessage.status.in_(WAITING)).distinct()
        )
        connection.execute(
            delete(OutboxMessage).where(old, OutboxMessage.batch.not_in(still_waiting))
        )
        return
    tables = connection.execute(
        text(
            "SELECT relname FROM pg_class WHERE relkind = 'r'"
            " AND relname LIKE 'outbox\\_daily\\_%' AND relname < :first"
            " AND relnamespace ="
            " (SELECT relnamespace FROM pg_class WHERE oid = 'outbox'::regclass)"
        ),
        {"first": partition_name(first_kept)},
    ).scalars()
    # A session holding the outbox (an idle transaction, a long report) would otherwise hold the
    # DROP, and every claim queued behind it, for as long as it lasts.
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{lock_timeout_ms}ms'")
    for name in list(tables):
        status = table(name, column("status")).c.status
        if connection.execute(select(exists().where(status.in_(WAITING)))).scalar():
            continue
        connection.exec_driver_sql(f'DROP TABLE "{name}"')
    connection.execute(delete(FanOutPage).where(FanOutPage.batch < day_batch(first_kept)))


def _lock(connection: Connection, key: str) -> None:
    """A transaction-long advisory lock on `key`: the DDL of one day never runs twice at once."""
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
