"""The shared send schedule of a bucket: slots reserved back to back at the rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from meters.outbox_store import SqlOutboxStore, messages_sent_since
from meters.schema import ChatUser, ConversationLogEntry, OutboxMessage

NOW = datetime(2026, 11, 8, 1, 0, tzinfo=UTC)
LEAD = timedelta(seconds=0.25)


def reserve(engine: Engine, count: int, now: datetime = NOW) -> datetime:
    with engine.begin() as connection:
        return SqlOutboxStore(connection).reserve_slots("telegram", count, 100.0, now, lead=LEAD)


def test_an_idle_buckets_first_slot_leaves_time_to_claim(engine: Engine) -> None:
    assert reserve(engine, 50) == NOW + LEAD


def test_reservations_follow_each_other_at_the_rate(engine: Engine) -> None:
    first = reserve(engine, 50)
    second = reserve(engine, 25)
    third = reserve(engine, 10)

    assert second - first == timedelta(seconds=0.5)  # 50 slots at 100/s
    assert third - second == timedelta(seconds=0.25)


def test_a_bucket_that_fell_idle_starts_again_from_now(engine: Engine) -> None:
    reserve(engine, 50)
    later = NOW + timedelta(minutes=5)

    assert reserve(engine, 50, later) == later + LEAD


def test_a_paused_bucket_reserves_from_the_end_of_its_pause(engine: Engine) -> None:
    reserve(engine, 1)
    until = NOW + timedelta(seconds=30)
    with engine.begin() as connection:
        SqlOutboxStore(connection).pause_bucket("telegram", until, NOW)

    assert reserve(engine, 10) == until


def test_messages_sent_since_count_replies_and_delivered_messages(engine: Engine) -> None:
    """What Zalo counts against its 8 free replies: everything the chat was sent since."""
    since = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    with engine.begin() as connection:
        chat = connection.execute(
            insert(ChatUser)
            .values(channel="zalo", external_id="z1", created_at=since, last_seen_at=since)
            .returning(ChatUser.id)
        ).scalar_one()
        log = [("out", since + timedelta(minutes=1)), ("in", since + timedelta(minutes=2))]
        log += [("out", since - timedelta(minutes=1))]  # before the user's message
        connection.execute(
            insert(ConversationLogEntry),
            [
                {"chat_user_id": chat, "direction": d, "text": "x", "created_at": at}
                for d, at in log
            ],
        )
        statuses = [("sent", since + timedelta(hours=1)), ("pending", None), ("failed", None)]
        statuses += [("sent", since - timedelta(hours=1))]
        connection.execute(
            insert(OutboxMessage),
            [
                {
                    "dedup_key": f"k{number}",
                    "kind": "threshold",
                    "channel": "zalo",
                    "bucket": "zalo",
                    "chat_user_id": chat,
                    "payload": {},
                    "status": status,
                    "not_before": since,
                    "sent_at": sent_at,
                    "created_at": since,
                }
                for number, (status, sent_at) in enumerate(statuses)
            ],
        )
        assert messages_sent_since(connection, chat, since) == 2
        assert messages_sent_since(connection, chat, since + timedelta(days=1)) == 0
