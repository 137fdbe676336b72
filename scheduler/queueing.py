"""Alerts and notices as outbox messages: a text, its stop button, when it may go out.

Unlike the daily message, these carry their text ({"text", "stop_kind"}), written when they
are queued: there are few of them, and the facts they state are those of the moment of queuing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection

from meters.notice_store import Recipient
from meters.outbox_records import NewMessage
from meters.outbox_store import SqlOutboxStore
from scheduler.window import DeliveryWindow

ALERT_PRIORITY = 0  # lower is sooner: alerts, then notices (5), then the daily digest (10)
NOTICE_PRIORITY = 5


def window_timing(
    window: DeliveryWindow, now: datetime, *, deadline: datetime | None = None
) -> tuple[datetime, datetime]:
    """From when and until when a message queued `now` may be sent: the next window, that day.

    A message that cannot go out before `deadline` (the start of an outage) gets a deadline no
    later than that, so it expires rather than arrive too late.
    """
    not_before = window.next_open(now)
    expires_at = window.closes(not_before.astimezone(window.zone).date())
    if deadline is not None:
        expires_at = min(expires_at, deadline)
    return not_before, expires_at


def new_message(
    *,
    dedup_key: str,
    kind: str,
    recipient: Recipient,
    text: str,
    stop_kind: str | None,
    timing: tuple[datetime, datetime],
    priority: int,
    buttons: Sequence[tuple[str, str]] = (),
    fields: Mapping[str, object] | None = None,
) -> NewMessage:
    """An outbox message carrying its text, its stop button's kind and any answer buttons.

    `fields`: the message's figures beside its text (a day, kWh as Wh, đồng, a tier, times),
    for the channels that fill a template with them instead of the text (Zalo's ZNS).
    """
    payload: dict[str, object] = {**(fields or {}), "text": text, "stop_kind": stop_kind}
    if buttons:
        payload["buttons"] = [[label, data] for label, data in buttons]
    return NewMessage(
        dedup_key=dedup_key,
        kind=kind,
        channel=recipient.channel,
        bucket=recipient.channel,
        chat_user_id=recipient.chat_user_id,
        customer_id=recipient.customer_id,
        payload=payload,
        not_before=timing[0],
        expires_at=timing[1],
        priority=priority,
    )


def queue(connection: Connection, messages: Sequence[NewMessage], now: datetime) -> int:
    """Queue the messages not queued before (by dedup key); how many were new."""
    messages = [m for m in messages if m.expires_at is None or m.expires_at > m.not_before]
    return SqlOutboxStore(connection).enqueue(messages, now)
