"""A day's daily messages are one batch: on PostgreSQL staged unindexed, then attached whole."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import OperationalError

from meters.daily_fanout import DailyPage, stage_daily_usage_page
from meters.database import alembic_config, create_store_engine
from meters.outbox_days import (
    LOCK_NOT_AVAILABLE,
    StagedPagesDiffer,
    create_stage,
    day_batch,
    drop_days_before,
    is_attached,
    partition_name,
)
from meters.outbox_records import NewMessage
from meters.outbox_store import SqlOutboxStore
from meters.schema import FanOutPage, OutboxMessage, Subscription
from scheduler.fanout import fan_out_daily
from tests.scheduler.bulk import add_subscribers
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY

SUBSCRIBERS = 40
SENDING_TIME = MORNING + timedelta(hours=2)


def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps one table: nothing is staged there")


def keys_per_subscriber(engine: Engine) -> Counter[int]:
    with engine.connect() as connection:
        return Counter(
            connection.execute(
                select(OutboxMessage.customer_id).where(OutboxMessage.kind == "daily_usage")
            ).scalars()
        )


def first_page(first_id: int, last_id: int) -> DailyPage:
    send_day = YESTERDAY + timedelta(days=1)
    return DailyPage(
        day=YESTERDAY,
        first_id=first_id,
        last_id=last_id,
        not_before_by_hour=WINDOW.hours(send_day),
        default_not_before=WINDOW.opens(send_day),
        expires_at=WINDOW.closes(send_day),
        now=MORNING,
    )


def stage_first_page(engine: Engine, page_size: int) -> int:
    """What a run that stopped after its first page left: the day's table and that page."""
    with engine.begin() as connection:
        create_stage(connection, YESTERDAY, page_size)
        return stage_daily_usage_page(connection, first_page(1, page_size))


def claim(engine: Engine) -> int:
    with engine.begin() as connection:
        store = SqlOutboxStore(connection)
        return len(store.claim("telegram", 1_000, "test", SENDING_TIME, timedelta(minutes=1)))


def test_a_days_first_fan_out_attaches_its_own_partition_indexed_like_the_outbox(
    engine: Engine,
) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    report = fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=7)
    name = partition_name(YESTERDAY)
    with engine.connect() as connection:
        assert is_attached(connection, YESTERDAY)
        in_partition = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
        indexes = connection.execute(
            text(
                "SELECT indexname FROM pg_indexes"
                " WHERE tablename = :name AND schemaname = current_schema()"
            ),
            {"name": name},
        ).scalars()
        markers = connection.execute(select(func.count()).select_from(FanOutPage)).scalar_one()
        analysed = connection.execute(
            text(
                "SELECT count(*) FROM pg_stats"
                " WHERE tablename = :name AND schemaname = current_schema()"
            ),
            {"name": name},
        ).scalar_one()
        batches = set(connection.execute(select(OutboxMessage.batch)).scalars())
    assert report.queued == in_partition == SUBSCRIBERS
    # the outbox's five, adopted by the attach rather than built a second time
    assert sorted(indexes) == sorted(
        f"{name}_{suffix}"
        for suffix in ("pkey", "dedup_key", "claimable", "leased", "chat_user_id")
    )
    assert markers == 0
    assert analysed > 0  # the claims' plans know the day's rows from the start
    assert batches == {day_batch(YESTERDAY)}
    assert claim(engine) == SUBSCRIBERS


def test_staged_messages_cannot_be_claimed_before_the_attach(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    assert stage_first_page(engine, 10) == 10
    assert claim(engine) == 0


def test_a_fan_out_that_stopped_half_way_stages_only_the_pages_left(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    assert stage_first_page(engine, 7) == 7  # the run that died had staged ids 1..7
    report = fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=7)
    assert report.queued == SUBSCRIBERS - 7
    assert set(keys_per_subscriber(engine).values()) == {1}
    assert len(keys_per_subscriber(engine)) == SUBSCRIBERS


def test_a_page_already_staged_is_not_staged_again(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    assert stage_first_page(engine, 7) == 7
    with engine.begin() as connection:
        assert stage_daily_usage_page(connection, first_page(1, 7)) == 0


def test_pages_are_cut_the_same_way_when_the_lowest_id_changed(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    stage_first_page(engine, 7)  # the run that died had staged ids 1..7
    with engine.begin() as connection:
        connection.execute(  # then the first subscriber stopped the message
            update(Subscription).where(Subscription.id == 1).values(active=False)
        )
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=7)
    assert set(keys_per_subscriber(engine).values()) == {1}
    assert len(keys_per_subscriber(engine)) == SUBSCRIBERS  # the first was queued before


def test_a_day_staged_in_pages_of_another_size_is_refused_not_doubled(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    stage_first_page(engine, 10)
    with pytest.raises(StagedPagesDiffer, match="staged in pages of 10 subscriptions, not 7"):
        fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=7)
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=10)
    assert set(keys_per_subscriber(engine).values()) == {1}
    assert len(keys_per_subscriber(engine)) == SUBSCRIBERS


def test_a_page_staged_after_another_run_attached_the_day_goes_into_the_outbox(
    engine: Engine,
) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING)  # the other run, attached
    add_subscribers(engine, 2, YESTERDAY, MORNING, first_telegram_id=900_000)
    with engine.begin() as connection:  # this run was still staging its last page
        assert stage_daily_usage_page(connection, first_page(1, 50_000)) == 2
    assert set(keys_per_subscriber(engine).values()) == {1}
    assert len(keys_per_subscriber(engine)) == SUBSCRIBERS + 2


def test_two_fan_outs_of_one_day_at_once_queue_each_message_once(engine: Engine) -> None:
    postgres_only(engine)
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    reports: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        reports.append(fan_out_daily(engine, YESTERDAY, WINDOW, MORNING, page_size=3).queued)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for each in runs:
        each.start()
    for each in runs:
        each.join()
    assert sum(reports) == SUBSCRIBERS
    assert set(keys_per_subscriber(engine).values()) == {1}
    assert len(keys_per_subscriber(engine)) == SUBSCRIBERS
    with engine.connect() as connection:
        assert is_attached(connection, YESTERDAY)


def test_a_catch_up_after_the_attach_queues_into_the_days_partition(engine: Engine) -> None:
    add_subscribers(engine, SUBSCRIBERS, YESTERDAY, MORNING)
    fan_out_daily(engine, YESTERDAY, WINDOW, MORNING)
    add_subscribers(engine, 5, YESTERDAY, MORNING, first_telegram_id=900_000)
    again = fan_out_daily(engine, YESTERDAY, WINDOW, MORNING + timedelta(hours=3))
    assert again.queued == 5
    assert set(keys_per_subscriber(engine).values()) == {1}
    with engine.connect() as connection:
        batches = Counter(connection.execute(select(OutboxMessage.batch)).scalars())
    assert batches == Counter({day_batch(YESTERDAY): SUBSCRIBERS + 5})


def test_old_days_are_dropped_once_nothing_of_them_waits(engine: Engine) -> None:
    old, waiting, recent = (YESTERDAY - timedelta(days=d) for d in (10, 9, 1))
    for day in (old, waiting, recent):
        add_subscribers(engine, 3, day, MORNING, first_telegram_id=100_000 * day.day)
        fan_out_daily(engine, day, WINDOW, MORNING)
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.batch.in_([day_batch(old), day_batch(recent)]))
            .values(status="sent")
        )
        SqlOutboxStore(connection).enqueue(
            [
                NewMessage(
                    dedup_key="notice:1",
                    kind="notice",
                    channel="telegram",
                    bucket="telegram",
                    chat_user_id=1,
                    customer_id=1,
                    payload={"text": "Lịch cắt điện"},
                    not_before=MORNING,
                    expires_at=None,
                )
            ],
            MORNING,
        )
    with engine.begin() as connection:
        drop_days_before(connection, YESTERDAY - timedelta(days=7))
    with engine.connect() as connection:
        batches = Counter(connection.execute(select(OutboxMessage.batch)).scalars())
    assert batches == Counter({day_batch(waiting): 3, day_batch(recent): 3, "": 1})


def test_a_busy_outbox_keeps_its_old_days_rather_than_wait(engine: Engine) -> None:
    postgres_only(engine)
    old = YESTERDAY - timedelta(days=10)
    add_subscribers(engine, 3, old, MORNING)
    fan_out_daily(engine, old, WINDOW, MORNING)
    with engine.begin() as connection:
        connection.execute(update(OutboxMessage).values(status="sent"))
    with engine.connect() as reader:
        reader.execute(select(func.count()).select_from(OutboxMessage))  # holds the outbox
        with pytest.raises(OperationalError) as busy, engine.begin() as connection:
            drop_days_before(connection, YESTERDAY, lock_timeout_ms=100)
        reader.rollback()
    assert getattr(busy.value.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE
    with engine.begin() as connection:
        assert is_attached(connection, old)
        drop_days_before(connection, YESTERDAY)
        assert not is_attached(connection, old)


def test_the_upgrade_puts_each_queued_message_in_its_batch(database_url: str) -> None:
    from alembic import command

    store = create_store_engine(database_url)
    config = alembic_config(store.url.render_as_string(hide_password=False))
    try:
        with store.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        with store.begin() as connection:
            for key, kind in (
                ("daily_usage:2026-11-07:0000000001:0000000001", "daily_usage"),
                ("daily_usage:2026-11-08:0000000001:0000000001", "daily_usage"),
                ("alert:1", "alert"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO outbox (dedup_key, kind, channel, bucket, chat_user_id,"
                        " payload, priority, status, not_before, attempts, created_at)"
                        " VALUES (:key, :kind, 'telegram', 'telegram', 1, '{}', 0, 'pending',"
                        " :now, 0, :now)"
                    ),
                    {"key": key, "kind": kind, "now": MORNING},
                )
        with store.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with store.connect() as connection:
            batches = dict(
                connection.execute(select(OutboxMessage.dedup_key, OutboxMessage.batch)).all()
            )
        assert batches == {
            "daily_usage:2026-11-07:0000000001:0000000001": "daily_usage:2026-11-07",
            "daily_usage:2026-11-08:0000000001:0000000001": "daily_usage:2026-11-08",
            "alert:1": "",
        }
        with store.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with store.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
        assert count == 3
    finally:
        store.dispose()
