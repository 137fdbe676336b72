"""The webhooks' inbox: stored once, held by a lease, taken over in order once it runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from meters import event_inbox
from meters.database import write_transaction
from meters.event_inbox import EventTaken

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=10)


def store(engine: Engine, key: str, chat: str, holder: str, at: datetime = T0):
    with write_transaction(engine) as connection:
        return event_inbox.store_event(
            connection,
            channel="zalo",
            event_key=key,
            chat_key=chat,
            payload={"key": key},
            received_at=at,
            holder=holder,
            lease_until=at + LEASE,
        )


def claim(engine: Engine, holder: str, now: datetime):
    with write_transaction(engine) as connection:
        return event_inbox.claim_expired(
            connection, channel="zalo", holder=holder, now=now, lease_until=now + LEASE, limit=10
        )


def test_an_event_is_stored_once_and_held_by_its_receiver(engine: Engine) -> None:
    first = store(engine, "m1", "u1", "web-1")
    assert first is not None
    assert first.attempts == 1
    assert store(engine, "m1", "u1", "web-1") is None  # a redelivery
    assert claim(engine, "web-2", T0 + LEASE / 2) == ()
    taken = claim(engine, "web-2", T0 + LEASE + timedelta(seconds=1))
    assert [(event.payload, event.attempts) for event in taken] == [({"key": "m1"}, 2)]


def test_the_turn_records_its_replies_once_and_only_for_the_holder(engine: Engine) -> None:
    event = store(engine, "m1", "u1", "web-1")
    assert event is not None
    with pytest.raises(EventTaken), write_transaction(engine) as connection:
        event_inbox.mark_answered(connection, event.id, "web-2", [{"text": "x"}])
    with write_transaction(engine) as connection:
        event_inbox.mark_answered(connection, event.id, "web-1", [{"text": "x"}])
    with pytest.raises(EventTaken), write_transaction(engine) as connection:
        event_inbox.mark_answered(connection, event.id, "web-1", [{"text": "x"}])
    [again] = claim(engine, "web-2", T0 + 2 * LEASE)
    assert again.replies == ({"text": "x"},)
    with write_transaction(engine) as connection:
        assert not event_inbox.finish(connection, event.id, "web-1")
        assert event_inbox.finish(connection, event.id, "web-2")
        assert event_inbox.waiting(connection) == 0


def test_a_chat_keeps_its_order_behind_an_event_another_process_holds(engine: Engine) -> None:
    assert store(engine, "m1", "u1", "web-1") is not None
    assert store(engine, "m2", "u1", "web-2") is None  # stored, but behind web-1's event
    assert store(engine, "m3", "u2", "web-2") is not None
    # web-2 may not take m2 while web-1 holds m1 (m3 is web-2's own, in its hands already).
    assert claim(engine, "web-2", T0 + timedelta(seconds=1)) == ()
    later = claim(engine, "web-2", T0 + LEASE + timedelta(seconds=1))
    assert [event.payload["key"] for event in later] == ["m1", "m2", "m3"]


def test_a_clean_stop_gives_the_events_back(engine: Engine) -> None:
    assert store(engine, "m1", "u1", "web-1") is not None
    with write_transaction(engine) as connection:
        assert event_inbox.release(connection, "web-1") == 1
    assert [event.payload["key"] for event in claim(engine, "web-2", T0)] == ["m1"]
