"""The web chat's inbox: messages queued for a visitor, taken when its page asks (no push).

Agent replies, case status notices and surveys go through the outbox like on every channel;
web chat rows have no dispatcher: the page pulls them, and taking them marks them sent. A poll
first asks `has_due` in a read (no write lock: almost every poll finds nothing), and only then
takes the messages in a write transaction (on SQLite one that holds the write lock from its
start, so a poll never fails for another writer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from meters.outbox_store import PENDING, SENT
from meters.schema import OutboxMessage

INBOX_LIMIT = 20


def _due(chat_user_id: int, channel: str, now: datetime) -> Any:
    return (
        OutboxMessage.chat_user_id == chat_user_id,
        OutboxMessage.channel == channel,
        OutboxMessage.status == PENDING,
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
    )


def has_due(connection: Connection, chat_user_id: int, channel: str, now: datetime) -> bool:
    """Whether the chat has a message to take (a read)."""
    found = connection.execute(
        select(OutboxMessage.id).where(*_due(chat_user_id, channel, now)).limit(1)
    ).first()
    return found is not None


def take_inbox(
    connection: Connection, chat_user_id: int, channel: str, now: datetime
) -> tuple[dict[str, Any], ...]:
    """The payloads of the chat's due messages, oldest first; they are marked sent.

    One UPDATE … RETURNING: two polls at once never both take a message.
    """
    due = (
        select(OutboxMessage.id)
        .where(*_due(chat_user_id, channel, now))
        .order_by(OutboxMessage.id)
        .limit(INBOX_LIMIT)
    )
    rows = connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status == PENDING)
        .values(status=SENT, sent_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.payload)
    ).all()
    return tuple(dict(payload) for _, payload in sorted(rows, key=lambda row: int(row[0])))
