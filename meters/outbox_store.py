"""The outbox: queue messages idempotently, lease them to dispatchers, record what happened.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several dispatcher processes share
the pending rows without waiting on each other; SQLite serialises writers, so a plain
`UPDATE … WHERE id IN (…)` is already atomic there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from meters.daily_numbers import DAILY_USAGE, daily_numbers
from meters.outbox_records import BucketBacklog, ClaimedMessage, NewMessage, StatusCount
from meters.schema import (
    ChatUser,
    ConversationLogEntry,
    OutboxMessage,
    SchedulerLease,
    SendBucket,
)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"  # given up after retries, or the recipient can no longer be reached
EXPIRED = "expired"  # not delivered in time: never sent late
# The key ON CONFLICT names: the dedup key with its batch, the partition key on PostgreSQL.
OUTBOX_KEY = ["dedup_key", "batch"]
NO_READING_ANY_MORE = "no reading of the message's day any more"


def dialect_insert(connection: Connection, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on the connection's database."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class SqlOutboxStore:
    """Queue, claim and settle outbox messages through one connection; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def enqueue(self, messages: Sequence[NewMessage], now: datetime) -> int:
        """Queue the messages not queued before (by `dedup_key`); how many were new."""
        if not messages:
            return 0
        rows = [
            {
                "dedup_key": message.dedup_key,
                "kind": message.kind,
                "channel": message.channel,
                "bucket": message.bucket,
                "chat_user_id": message.chat_user_id,
                "customer_id": message.customer_id,
                "payload": message.payload,
                "priority": message.priority,
                "status": PENDING,
                "not_before": message.not_before,
                "expires_at": message.expires_at,
                "attempts": 0,
                "created_at": now,
            }
            for message in messages
        ]
        statement = dialect_insert(self._connection, OutboxMessage).on_conflict_do_nothing(
            index_elements=OUTBOX_KEY
        )
        result = self._connection.execute(
            statement.execution_options(preserve_rowcount=True), rows
        )
        return max(int(result.rowcount), 0)

    def claim(
        self, bucket: str, limit: int, worker: str, now: datetime, lease: timedelta
    ) -> tuple[ClaimedMessage, ...]:
        """Lease up to `limit` due messages of `bucket` to `worker`, most urgent first."""
        candidates = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == PENDING,
                OutboxMessage.bucket == bucket,
                OutboxMessage.not_before <= now,
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
            )
            .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
        )
        if self._postgres:
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = self._connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
            .values(status=SENDING, claimed_by=worker, lease_until=now + lease)
            .returning(OutboxMessage.id)
        ).scalars()
        ids = list(claimed)
        if not ids:
            return ()
        rows = self._connection.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.kind,
                OutboxMessage.channel,
                OutboxMessage.bucket,
                OutboxMessage.chat_user_id,
                ChatUser.external_id,
                OutboxMessage.customer_id,
                OutboxMessage.payload,
                OutboxMessage.attempts,
                OutboxMessage.expires_at,
                ChatUser.last_seen_at,
            )
            .join(ChatUser, ChatUser.id == OutboxMessage.chat_user_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
        ).all()
        if len(rows) < len(ids):  # queued for a chat forgotten meanwhile: never to be sent
            found = {row[0] for row in rows}
            self._connection.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.id.in_([each for each in ids if each not in found])
                )
            )
        messages = [
            ClaimedMessage(
                id=row[0],
                kind=row[1],
                channel=row[2],
                bucket=row[3],
                chat_user_id=row[4],
                recipient=row[5],
                customer_id=row[6],
                payload=dict(row[7]),
                attempts=row[8],
                expires_at=row[9],
                last_seen_at=row[10],
            )
            for row in rows
        ]
        return tuple(self._with_daily_numbers(messages))

    def _with_daily_numbers(self, messages: list[ClaimedMessage]) -> list[ClaimedMessage]:
        """The daily messages with their numbers read now; one whose day has no reading any
        more (the readings were corrected away since the fan-out) is given up, not sent empty."""
        customers_by_day: dict[str, set[int]] = {}
        for message in messages:
            if message.kind == DAILY_USAGE and message.customer_id is not None:
                customers_by_day.setdefault(str(message.payload.get("day")), set()).add(
                    message.customer_id
                )
        if not customers_by_day:
            return messages
        numbers = {
            (day, customer): fields
            for day, customers in customers_by_day.items()
            for customer, fields in self._numbers_of(day, customers).items()
        }
        ready: list[ClaimedMessage] = []
        for message in messages:
            if message.kind != DAILY_USAGE:
                ready.append(message)
                continue
            fields = numbers.get((str(message.payload.get("day")), message.customer_id or 0))
            if fields is None:
                self.give_up(message.id, NO_READING_ANY_MORE)
            else:
                ready.append(replace(message, payload={**message.payload, **fields}))
        return ready

    def _numbers_of(self, day: str, customers: set[int]) -> dict[int, dict[str, Any]]:
        try:
            when = date.fromisoformat(day)
        except ValueError:  # not a day: every such message is given up
            return {}
        return daily_numbers(self._connection, when, customers)

    def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        """The platform accepted these messages."""
        self._settle(ids, status=SENT, sent_at=now, lease_until=None)

    def release(self, ids: Sequence[int]) -> None:
        """Put leased messages back without counting an attempt (a 429 pause, a shutdown)."""
        self._settle(ids, status=PENDING, lease_until=None, claimed_by=None)

    def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        """A transient failure: try again from `not_before`, one more attempt counted."""
        self._connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status=PENDING,
                attempts=OutboxMessage.attempts + 1,
                not_before=not_before,
                last_error=error[:500],
                lease_until=None,
                claimed_by=None,
            )
        )

    def give_up(self, message_id: int, error: str) -> None:
        """A permanent failure: never try this message again."""
        self._connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status=FAILED,
                attempts=OutboxMessage.attempts + 1,
                last_error=error[:500],
                lease_until=None,
            )
        )

    def expire(self, now: datetime) -> int:
        """Pending messages past their deadline become `expired`; how many."""
        result = self._connection.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == PENDING,
                OutboxMessage.expires_at.is_not(None),
                OutboxMessage.expires_at <= now,
            )
            .values(status=EXPIRED)
        )
        return int(result.rowcount)

    def reap(self, now: datetime) -> int:
        """Messages whose lease ran out (their dispatcher died) go back to pending; how many."""
        result = self._connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now)
            .values(status=PENDING, lease_until=None, claimed_by=None)
        )
        return int(result.rowcount)

    def status_counts(self) -> tuple[StatusCount, ...]:
        """Messages per kind, channel and status."""
        rows = self._connection.execute(
            select(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status, func.count())
            .group_by(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status)
            .order_by(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status)
        )
        return tuple(StatusCount(row[0], row[1], row[2], int(row[3])) for row in rows)

    def has_due(self, bucket: str, now: datetime) -> bool:
        """Whether `bucket` has a message to send now."""
        found = self._connection.execute(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == PENDING,
                OutboxMessage.bucket == bucket,
                OutboxMessage.not_before <= now,
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
            )
            .limit(1)
        ).first()
        return found is not None

    def pending_in_bucket(self, bucket: str, now: datetime) -> int:
        """Messages of `bucket` still to send (due or not yet due, not expired)."""
        return int(
            self._connection.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.bucket == bucket,
                    OutboxMessage.status.in_((PENDING, SENDING)),
                    or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
                )
            ).scalar_one()
        )

    def backlog(self, now: datetime) -> tuple[BucketBacklog, ...]:
        """Per bucket: messages still to send (pending or leased, not expired), earliest due."""
        rows = self._connection.execute(
            select(OutboxMessage.bucket, func.count(), func.min(OutboxMessage.not_before))
            .where(
                OutboxMessage.status.in_((PENDING, SENDING)),
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
            )
            .group_by(OutboxMessage.bucket)
            .order_by(OutboxMessage.bucket)
        )
        return tuple(BucketBacklog(row[0], int(row[1]), row[2]) for row in rows)

    def reserve_slots(
        self,
        bucket: str,
        count: int,
        rate: float,
        now: datetime,
        *,
        lead: timedelta = timedelta(0),
    ) -> datetime:
        """Reserve `count` send slots of `bucket` at `rate` per second; the first slot's time.

        The first slot is at least `lead` after `now` (time to claim the messages first).
        Commit right after: the bucket row is locked until then.
        """
        self._connection.execute(
            dialect_insert(self._connection, SendBucket)
            .values(key=bucket, next_slot_at=now, paused_until=None, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        query = select(SendBucket.next_slot_at, SendBucket.paused_until).where(
            SendBucket.key == bucket
        )
        if self._postgres:
            query = query.with_for_update()
        next_slot, paused_until = self._connection.execute(query).one()
        start = max(next_slot, now + lead, paused_until or now)
        self._connection.execute(
            update(SendBucket)
            .where(SendBucket.key == bucket)
            .values(next_slot_at=start + timedelta(seconds=count / rate), updated_at=now)
        )
        return start

    def pause_bucket(self, bucket: str, until: datetime, now: datetime) -> None:
        """Stop every dispatcher of `bucket` until `until` (a 429's retry_after)."""
        moment_type = SendBucket.next_slot_at.type
        self._connection.execute(
            update(SendBucket)
            .where(SendBucket.key == bucket)
            .values(
                paused_until=until,
                next_slot_at=case(
                    (
                        SendBucket.next_slot_at < literal(until, moment_type),
                        literal(until, moment_type),
                    ),
                    else_=SendBucket.next_slot_at,
                ),
                updated_at=now,
            )
        )

    def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the named lease; False while another holder's lease is alive."""
        self._connection.execute(
            dialect_insert(self._connection, SchedulerLease)
            .values(name=name, holder=holder, expires_at=now + ttl)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        result = self._connection.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == name,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
            )
            .values(holder=holder, expires_at=now + ttl)
        )
        return int(result.rowcount) == 1

    def _settle(self, ids: Sequence[int], **values: Any) -> None:
        if ids:
            self._connection.execute(
                update(OutboxMessage)
                .where(and_(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING))
                .values(**values)
            )


def messages_sent_since(connection: Connection, chat_user_id: int, since: datetime) -> int:
    """How many messages the chat has been sent since `since`: the conversation's replies and
    the scheduled messages delivered (by whichever route: a ZNS one counts, to be safe)."""
    replies = _count_of(
        ConversationLogEntry,
        ConversationLogEntry.chat_user_id == chat_user_id,
        ConversationLogEntry.direction == "out",
        ConversationLogEntry.created_at >= since,
    )
    scheduled = _count_of(
        OutboxMessage,
        OutboxMessage.chat_user_id == chat_user_id,
        OutboxMessage.status == SENT,
        OutboxMessage.sent_at >= since,
    )
    return int(connection.execute(select(replies + scheduled)).scalar_one())


def _count_of(table: Any, *conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(table).where(*conditions).scalar_subquery()
