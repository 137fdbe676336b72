"""The shared send schedule of a bucket: slots reserved back to back at the rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from meters.outbox_store import SqlOutboxStore

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
