"""Sliding-window limits shared by every process of the service: events kept in `rate_events`.

A limit counts the events of one key (`signin-address:203.0.113.7`, `code-lookup:global`)
within the last `period`. Every function takes the caller's connection and never commits; the
count and the new event are one atomic step on both engines (`take`): on PostgreSQL an advisory
lock of the key, held until the transaction ends, orders the callers of one key; SQLite's insert
takes the database's write lock before the count. Each take drops its key's events that left
the window, and the scheduler's prune job drops the rest of the old rows (`prune`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, text

from meters.schema import RateEvent

KEY_LIMIT = 160  # the width of rate_events.key
KEPT = timedelta(days=1)  # no limit looks further back; older rows are pruned


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` events of a key within any `period`."""

    limit: int
    period: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1 or not timedelta(0) < self.period <= KEPT:
            raise ValueError(f"a limit is at least 1 event within (0, {KEPT}]")


@dataclass(frozen=True, slots=True)
class Recent:
    """The events of a key since some moment: how many, and the latest one."""

    count: int
    latest: datetime | None


def stored_key(key: str) -> str:
    """The key as stored: long keys are replaced by their SHA-256."""
    if len(key) <= KEY_LIMIT:
        return key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def lock_key(connection: Connection, key: str) -> None:
    """Order the transactions that count `key` (PostgreSQL; SQLite has one writer anyway)."""
    if connection.dialect.name == "postgresql":
        number = int.from_bytes(
            hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True
        )
        connection.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})


def recent(connection: Connection, key: str, since: datetime) -> Recent:
    """The events of `key` after `since`."""
    count, latest = connection.execute(
        select(func.count(), func.max(RateEvent.at)).where(
            RateEvent.key == stored_key(key), RateEvent.at > since
        )
    ).one()
    return Recent(int(count), latest)


def record(connection: Connection, key: str, now: datetime) -> None:
    """One event of `key` at `now`, whatever the count."""
    connection.execute(insert(RateEvent).values(key=stored_key(key), at=now))


def take(connection: Connection, key: str, limit: RateLimit, now: datetime) -> bool:
    """Record one event of `key` if fewer than `limit.limit` happened within the period before
    `now`; False (nothing recorded) when the limit is reached."""
    return take_all(connection, ((key, limit),), now) is None


def take_all(
    connection: Connection, limits: Sequence[tuple[str, RateLimit]], now: datetime
) -> tuple[str, RateLimit] | None:
    """Record one event of each key if every limit allows it, all or nothing.

    A key may come with several limits (5 a minute and 20 an hour): one event counts for each.
    Returns None when the events were recorded, else the first (key, limit) that was reached.
    """
    longest: dict[str, timedelta] = {}
    for key, limit in limits:
        stored = stored_key(key)
        longest[stored] = max(longest.get(stored, limit.period), limit.period)
    for stored in sorted(longest):  # one order in every process: no deadlock between keys
        lock_key(connection, stored)
    # Written first: on SQLite the insert takes the write lock, so the counts that follow see
    # every other process's committed events.
    event_ids = [
        connection.execute(
            insert(RateEvent).values(key=stored, at=now).returning(RateEvent.id)
        ).scalar_one()
        for stored in longest
    ]
    for stored, period in longest.items():
        connection.execute(
            delete(RateEvent).where(RateEvent.key == stored, RateEvent.at <= now - period)
        )
    for key, limit in limits:
        counted = connection.execute(
            select(func.count()).where(
                RateEvent.key == stored_key(key), RateEvent.at > now - limit.period
            )
        ).scalar_one()
        if int(counted) > limit.limit:
            connection.execute(delete(RateEvent).where(RateEvent.id.in_(event_ids)))
            return key, limit
    return None


def forget(connection: Connection, key: str) -> None:
    """Drop every event of `key` (a right password forgets the user's failures)."""
    connection.execute(delete(RateEvent).where(RateEvent.key == stored_key(key)))


def prune(connection: Connection, now: datetime) -> int:
    """Drop the events older than any limit looks at; how many were dropped."""
    return connection.execute(delete(RateEvent).where(RateEvent.at < now - KEPT)).rowcount
