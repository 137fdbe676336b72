"""What channel adapters share across processes: events already handled, and rotating tokens.

Every function takes an open `Connection` inside the caller's transaction and never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from meters.schema import ChannelToken, ProcessedEvent

EVENT_ID_LIMIT = 96  # the width of processed_events.event_id


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A credential as stored: its value and, when known, when it stops working."""

    value: str
    expires_at: datetime | None


def _insert(connection: Connection, table: Any) -> Any:
    """An INSERT for `table` that can skip rows whose key already exists."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def stored_event_id(event_id: str) -> str:
    """The key `event_id` is stored under (long ids are replaced by their SHA-256)."""
    if len(event_id) <= EVENT_ID_LIMIT:
        return event_id
    return hashlib.sha256(event_id.encode("utf-8")).hexdigest()


def record_event(
    connection: Connection, channel: str, event_id: str, received_at: datetime
) -> bool:
    """Whether the event is new: True records it, False means it was already handled."""
    statement = (
        _insert(connection, ProcessedEvent.__table__)
        .values(channel=channel, event_id=stored_event_id(event_id), received_at=received_at)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(ProcessedEvent.event_id)
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    return connection.execute(statement).first() is not None


def forget_events(connection: Connection, channel: str, before: datetime) -> int:
    """Drop the records of events received before `before`; how many were dropped."""
    statement = delete(ProcessedEvent).where(
        ProcessedEvent.channel == channel, ProcessedEvent.received_at < before
    )
    return connection.execute(statement).rowcount


def read_token(connection: Connection, name: str) -> StoredToken | None:
    """The token stored under `name`, or None."""
    row = connection.execute(
        select(ChannelToken.value, ChannelToken.expires_at).where(ChannelToken.name == name)
    ).one_or_none()
    return None if row is None else StoredToken(row.value, row.expires_at)


def lock_token(connection: Connection, name: str, initial: str, now: datetime) -> StoredToken:
    """The token under `name` (stored as `initial` if missing), locked until the transaction ends.

    PostgreSQL locks the row (`SELECT … FOR UPDATE`); SQLite takes the database's write lock
    with the INSERT, so on both engines a second caller waits here until the first commits.
    """
    seed = (
        _insert(connection, ChannelToken.__table__)
        .values(name=name, value=initial, expires_at=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    connection.execute(seed)
    row = connection.execute(
        select(ChannelToken.value, ChannelToken.expires_at)
        .where(ChannelToken.name == name)
        .with_for_update()
    ).one()
    return StoredToken(row.value, row.expires_at)


def write_token(
    connection: Connection, name: str, value: str, expires_at: datetime | None, now: datetime
) -> None:
    """Store `value` under `name`, replacing what was there."""
    changed = connection.execute(
        update(ChannelToken)
        .where(ChannelToken.name == name)
        .values(value=value, expires_at=expires_at, updated_at=now)
    ).rowcount
    if changed == 0:
        connection.execute(
            _insert(connection, ChannelToken.__table__).values(
                name=name, value=value, expires_at=expires_at, updated_at=now
            )
        )
