"""Webhook events from their acknowledgement to their answer (table `inbound_events`).

A webhook stores its event (`store_event`) and commits before it answers 200, so an event the
platform was told we have is never lost with a process. The storing process holds the event
for a lease and answers it; a worker of any process claims the events whose lease ran out
(`claim_expired`): those of a process that died. The turn's own transaction records the
replies (`mark_answered`), so a turn runs once; a worker that finds replies only sends them.
The row is deleted once they are sent (`finish`). Redeliveries are recognised by the
platform's event id (`processed_events`, kept for the channel's retention).

A chat's events are answered in their order: an event is not claimed while an older event of
its chat is held by another process, and a new one is stored unclaimed behind such an event.
Every function takes the caller's connection and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from meters.channel_store import record_event
from meters.schema import InboundEvent

CHAT_KEY_LIMIT = 80  # the width of inbound_events.chat_key


class EventTaken(Exception):
    """The event is no longer this process's: another worker claimed it or answered it."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event waiting for its answer, or for its answer to be sent (`replies`)."""

    id: int
    channel: str
    chat_key: str
    payload: dict[str, Any]
    received_at: datetime
    replies: tuple[dict[str, Any], ...] | None
    attempts: int


_COLUMNS = (
    InboundEvent.id,
    InboundEvent.channel,
    InboundEvent.chat_key,
    InboundEvent.payload,
    InboundEvent.received_at,
    InboundEvent.replies,
    InboundEvent.attempts,
)


def _stored(row: Sequence[Any]) -> StoredEvent:
    replies = row[5]
    return StoredEvent(
        id=int(row[0]),
        channel=str(row[1]),
        chat_key=str(row[2]),
        payload=dict(row[3]),
        received_at=row[4],
        replies=None if replies is None else tuple(dict(reply) for reply in replies),
        attempts=int(row[6]),
    )


def store_event(
    connection: Connection,
    *,
    channel: str,
    event_key: str,
    chat_key: str,
    payload: dict[str, Any],
    received_at: datetime,
    holder: str,
    lease_until: datetime,
) -> StoredEvent | None:
    """Keep a new event, held by `holder` until `lease_until` unless an older event of its chat
    is in other hands; None when the event was received before (a redelivery)."""
    if not record_event(connection, channel, event_key, received_at):
        return None
    chat_key = chat_key[:CHAT_KEY_LIMIT]
    waiting_behind = connection.execute(
        select(
            exists().where(
                InboundEvent.channel == channel,
                InboundEvent.chat_key == chat_key,
                or_(InboundEvent.claimed_by.is_(None), InboundEvent.claimed_by != holder),
            )
        )
    ).scalar_one()
    values: dict[str, Any] = {
        "channel": channel,
        "chat_key": chat_key,
        "payload": payload,
        "received_at": received_at,
        "claimed_by": None if waiting_behind else holder,
        "lease_until": None if waiting_behind else lease_until,
        "attempts": 0 if waiting_behind else 1,
    }
    event_id = connection.execute(
        insert(InboundEvent).values(**values).returning(InboundEvent.id)
    ).scalar_one()
    if waiting_behind:
        return None
    return StoredEvent(int(event_id), channel, chat_key, payload, received_at, None, 1)


def claim_expired(
    connection: Connection,
    *,
    channel: str,
    holder: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
) -> tuple[StoredEvent, ...]:
    """Take up to `limit` events whose lease ran out (or that were never held), oldest first;
    an event waits while an older event of its chat is held by another process."""
    older = aliased(InboundEvent)
    free = or_(InboundEvent.lease_until.is_(None), InboundEvent.lease_until < now)
    held_before = exists().where(
        older.channel == InboundEvent.channel,
        older.chat_key == InboundEvent.chat_key,
        older.id < InboundEvent.id,
        older.lease_until.is_not(None),
        older.lease_until >= now,
        older.claimed_by != holder,
    )
    claimable = (
        select(InboundEvent.id)
        .where(InboundEvent.channel == channel, free, ~held_before)
        .order_by(InboundEvent.id)
        .limit(limit)
    )
    ids = [int(found) for found in connection.execute(claimable).scalars()]
    if not ids:
        return ()
    rows = connection.execute(
        update(InboundEvent)
        .where(InboundEvent.id.in_(ids), free)  # another process may have claimed them meanwhile
        .values(claimed_by=holder, lease_until=lease_until, attempts=InboundEvent.attempts + 1)
        .returning(*_COLUMNS)
    ).all()
    return tuple(sorted((_stored(row) for row in rows), key=lambda event: event.id))


def renew(
    connection: Connection, holder: str, event_ids: Iterable[int], lease_until: datetime
) -> None:
    """Extend the lease of the events `holder` still works on."""
    ids = list(event_ids)
    if ids:
        connection.execute(
            update(InboundEvent)
            .where(InboundEvent.id.in_(ids), InboundEvent.claimed_by == holder)
            .values(lease_until=lease_until)
        )


def mark_answered(
    connection: Connection, event_id: int, holder: str, replies: Sequence[dict[str, Any]]
) -> None:
    """Record the replies in the turn's transaction; EventTaken (the turn must roll back) when
    the event is not held by `holder` any more or was answered already."""
    changed = connection.execute(
        update(InboundEvent)
        .where(
            InboundEvent.id == event_id,
            InboundEvent.claimed_by == holder,
            InboundEvent.replies.is_(None),
        )
        .values(replies=list(replies))
        .returning(InboundEvent.id)
    ).first()
    if changed is None:
        raise EventTaken(f"inbound event {event_id} is not held by {holder}")


def finish(connection: Connection, event_id: int, holder: str) -> bool:
    """The event is answered and its replies sent: forget it; False when another held it."""
    deleted = connection.execute(
        delete(InboundEvent)
        .where(InboundEvent.id == event_id, InboundEvent.claimed_by == holder)
        .returning(InboundEvent.id)
    ).first()
    return deleted is not None


def release(connection: Connection, holder: str) -> int:
    """Give back every event `holder` holds (a clean stop: the next process takes them)."""
    given_back = connection.execute(
        update(InboundEvent)
        .where(InboundEvent.claimed_by == holder)
        .values(claimed_by=None, lease_until=None)
        .returning(InboundEvent.id)
    ).all()
    return len(given_back)


def waiting(connection: Connection, channel: str | None = None) -> int:
    """How many events wait for their answer (all channels, or one)."""
    query = select(func.count()).select_from(InboundEvent)
    if channel is not None:
        query = query.where(InboundEvent.channel == channel)
    return int(connection.execute(query).scalar_one())
