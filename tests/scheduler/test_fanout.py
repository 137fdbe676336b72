"""`push daily`: one message per subscriber and day, nothing twice, only what may be sent."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import Engine, delete, select, update

from meters.daily_fanout import DailyPage, daily_usage_page_insert, use_index_probes
from meters.outbox_days import is_attached, partition_name
from meters.schema import Consent, OutboxMessage, Subscription
from scheduler.fanout import fan_out_daily
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY, ZONE, subscribe_all


def outbox(store: Engine) -> list[OutboxMessage]:
    """Every queued message."""
    with store.connect() as connection:
        return list(connection.execute(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def queued_for(store: Engine) -> dict[int, dict[str, object]]:
    """customer id -> payload of the queued daily messages."""
    with store.connect() as connection:
        rows = connection.execute(select(OutboxMessage.customer_id, OutboxMessage.payload))
        return {int(row[0]): dict(row[1]) for row in rows}


def test_every_subscriber_with_a_reading_gets_one_message(store: Engine) -> None:
    subscribers = subscribe_all(store)
    report = fan_out_daily(store, YESTERDAY, WINDOW, MORNING, page_size=7)
    queued = queued_for(store)
    assert report.queued == len(queued) == len(subscribers)
    assert report.pages == -(-len(subscribers) // 7)


def test_a_queued_message_holds_only_its_day(store: Engine) -> None:
    """The numbers are read when the message is claimed (tests/meters/test_outbox_store.py)."""
    subscribers = subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    queued = queued_for(store)
    assert queued == {
        subscriber.customer_id: {"day": YESTERDAY.isoformat()} for subscriber in subscribers
    }


def test_running_twice_queues_nothing_new(store: Engine) -> None:
    subscribe_all(store)
    first = fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    second = fan_out_daily(store, YESTERDAY, WINDOW, MORNING + timedelta(minutes=5))
    assert first.queued > 0
    assert second.queued == 0
    assert len(outbox(store)) == first.queued


def test_no_reading_for_the_day_no_message(store: Engine) -> None:
    subscribe_all(store)
    assert fan_out_daily(store, YESTERDAY + timedelta(days=1), WINDOW, MORNING).queued == 0


def test_withdrawn_consent_and_stopped_subscriptions_are_skipped(store: Engine) -> None:
    subscribers = subscribe_all(store)
    with store.begin() as connection:
        connection.execute(
            update(Consent)
            .where(Consent.chat_user_id == subscribers[0].chat_user_id)
            .values(withdrawn_at=MORNING)
        )
        connection.execute(
            update(Subscription)
            .where(Subscription.chat_user_id == subscribers[1].chat_user_id)
            .values(active=False)
        )
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    queued = queued_for(store)
    assert subscribers[0].customer_id not in queued
    assert subscribers[1].customer_id not in queued
    assert len(queued) == len(subscribers) - 2


def test_messages_wait_for_the_window_or_the_chosen_hour_and_expire_at_its_end(
    store: Engine,
) -> None:
    subscribe_all(store, delivery_hour=18)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    send_day = YESTERDAY + timedelta(days=1)
    for message in outbox(store):
        assert message.not_before.astimezone(ZONE).time() == time(18, 0)
        assert message.not_before.astimezone(ZONE).date() == send_day
        assert message.expires_at == WINDOW.closes(send_day)


def test_default_delivery_is_the_window_opening(store: Engine) -> None:
    subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    send_day = YESTERDAY + timedelta(days=1)
    assert {m.not_before for m in outbox(store)} == {WINDOW.opens(send_day)}


def test_pages_run_side_by_side_queue_the_same(store: Engine) -> None:
    subscribers = subscribe_all(store)
    report = fan_out_daily(store, YESTERDAY, WINDOW, MORNING, page_size=4, workers=2)
    assert report.queued == len(queued_for(store)) == len(subscribers)
    assert report.pages == -(-len(subscribers) // 4)


def test_a_catch_up_queues_only_the_missing_messages(store: Engine) -> None:
    subscribers = subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    missing = {subscribers[2].customer_id, subscribers[5].customer_id}
    with store.begin() as connection:
        connection.execute(delete(OutboxMessage).where(OutboxMessage.customer_id.in_(missing)))
    again = fan_out_daily(store, YESTERDAY, WINDOW, MORNING + timedelta(hours=3), page_size=3)
    assert again.queued == len(missing)
    assert len(queued_for(store)) == len(subscribers)


@pytest.mark.parametrize("earlier_messages", [0, 5000])
def test_a_page_looks_up_its_own_keys_and_never_reads_the_whole_outbox(
    store: Engine, earlier_messages: int
) -> None:
    """With statistics of a small outbox, NOT EXISTS was planned as an anti join that read and
    hashed every queued message for every page (a 3 M fan-out's last pages read millions); with
    those of an empty one, a probe became a scan of the outbox per subscription."""
    if store.dialect.name != "postgresql":
        pytest.skip("the plan in question is PostgreSQL's")
    subscribe_all(store)
    with store.begin() as connection:  # earlier days' messages, already sent
        connection.exec_driver_sql(
            "INSERT INTO outbox (dedup_key, kind, channel, bucket, chat_user_id, payload,"
            " priority, status, not_before, attempts, created_at)"
            " SELECT 'daily_usage:old:' || g, 'daily_usage', 'telegram', 'telegram', g, '{}',"
            " 10, 'sent', %(sent)s, 1, %(sent)s FROM generate_series(1, %(count)s) g",
            {"count": earlier_messages, "sent": MORNING - timedelta(days=2)},
        )
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)  # the day's partition: a catch-up's plan
    with store.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE outbox"
        )
    send_day = YESTERDAY + timedelta(days=1)
    page = DailyPage(
        day=YESTERDAY,
        first_id=1,
        last_id=50_000,
        not_before_by_hour=WINDOW.hours(send_day),
        default_not_before=WINDOW.opens(send_day),
        expires_at=WINDOW.closes(send_day),
        now=MORNING,
    )
    statement = daily_usage_page_insert(True, page)
    compiled = statement.compile(dialect=store.dialect)
    with store.begin() as connection:
        use_index_probes(connection)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"EXPLAIN {compiled.string}", compiled.params)
        plan = "\n".join(str(line) for (line,) in cursor.fetchall())
    # A probe per subscription (a subplan), never a join the planner may turn into a hash of
    # the whole outbox, however small its statistics say the outbox is.
    assert "Anti Join" not in plan
    assert "SubPlan" in plan
    assert "Seq Scan on outbox" not in plan
    day_table = partition_name(YESTERDAY)
    assert f"using {day_table}_dedup_key on {day_table}" in plan  # that day's partition only


def test_a_busy_outbox_does_not_hold_up_the_fan_out(store: Engine) -> None:
    """Old days are dropped when the outbox's lock can be had soon; else by the next day's."""
    if store.dialect.name != "postgresql":
        pytest.skip("SQLite deletes rows; there is no table lock to wait for")
    subscribers = subscribe_all(store)
    old = YESTERDAY - timedelta(days=10)
    fan_out_daily(store, old, WINDOW, MORNING)
    with store.begin() as connection:
        connection.execute(update(OutboxMessage).values(status="sent"))
    with store.connect() as reader:
        reader.execute(select(OutboxMessage.id).limit(1))  # an open transaction on the outbox
        report = fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
        reader.rollback()
    assert report.queued == len(subscribers)
    with store.connect() as connection:
        assert is_attached(connection, old)  # kept for now
