"""Frozen values of the outbox: a message to queue, a claimed message, a status count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class NewMessage:
    """A message to queue; `dedup_key` makes queuing it twice a no-op."""

    dedup_key: str
    kind: str
    channel: str
    bucket: str
    chat_user_id: int
    customer_id: int | None
    payload: dict[str, Any]
    not_before: datetime
    expires_at: datetime | None
    priority: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimedMessage:
    """A message leased to one dispatcher, with its recipient on the channel."""

    id: int
    kind: str
    channel: str
    bucket: str
    chat_user_id: int
    recipient: str
    customer_id: int | None
    payload: dict[str, Any]
    attempts: int
    expires_at: datetime | None
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class StatusCount:
    """How many messages of one kind and channel are in one status."""

    kind: str
    channel: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class BucketBacklog:
    """What one bucket still has to send, and the earliest moment any of it may go."""

    bucket: str
    pending: int
    first_due: datetime | None
