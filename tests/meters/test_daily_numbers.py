"""A daily message's numbers are read when it is claimed: the customer's own, as of then."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select, update

from meters.daily_numbers import daily_numbers
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from meters.outbox_records import ClaimedMessage
from meters.outbox_store import NO_READING_ANY_MORE, SqlOutboxStore
from meters.repository import SqlMeterRepository
from meters.schema import DailyUsage, Meter, OutboxMessage
from meters.usage import UsageService
from scheduler.fanout import fan_out_daily
from tests.scheduler.conftest import (
    MORNING,
    TODAY,
    WINDOW,
    YESTERDAY,
    ZONE,
    Subscriber,
    subscribe_all,
)

SENDING_TIME = MORNING + timedelta(hours=2)  # the window is open


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=9, customers=12, today=TODAY, zone=ZONE, days=40)


@pytest.fixture
def store(engine: Engine, demo: DemoData) -> Engine:
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
    return engine


def claim_all(store: Engine) -> list[ClaimedMessage]:
    with store.begin() as connection:
        return list(
            SqlOutboxStore(connection).claim(
                "telegram", 1_000, "test", SENDING_TIME, timedelta(minutes=1)
            )
        )


def test_the_numbers_are_the_customers_own_use(store: Engine) -> None:
    subscribers = subscribe_all(store)
    with store.connect() as connection:
        numbers = daily_numbers(connection, YESTERDAY, [s.customer_id for s in subscribers])
        usage = UsageService(SqlMeterRepository(connection))
        for subscriber in subscribers:
            fields = numbers[subscriber.customer_id]
            day = usage.on_date(subscriber.customer_code, YESTERDAY)
            month = usage.daily(subscriber.customer_code, YESTERDAY.replace(day=1), YESTERDAY)
            assert fields["day"] == YESTERDAY.isoformat()
            assert fields["code"] == subscriber.customer_code
            assert fields["used_wh"] == day.used_wh
            assert fields["estimated"] == day.estimated
            assert fields["month_wh"] == month.used_wh
            assert fields["month_days"] == month.days_with_data


def test_a_customer_without_a_reading_of_the_day_has_no_numbers(store: Engine) -> None:
    [first, *others] = subscribe_all(store)
    remove_the_days_use(store, first)
    with store.connect() as connection:
        numbers = daily_numbers(connection, YESTERDAY, [first.customer_id, others[0].customer_id])
    assert set(numbers) == {others[0].customer_id}


def test_a_claimed_daily_message_carries_the_numbers_of_the_moment_it_is_sent(
    store: Engine,
) -> None:
    subscribers = subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    corrected = subscribers[0]
    with store.begin() as connection:  # a reading corrected after the fan-out
        connection.execute(
            update(DailyUsage)
            .where(
                DailyUsage.day == YESTERDAY,
                DailyUsage.meter_pk.in_(
                    select(Meter.id).where(Meter.customer_id == corrected.customer_id)
                ),
            )
            .values(used_wh=DailyUsage.used_wh + 1_000)
        )
    claimed = {message.customer_id: message for message in claim_all(store)}
    with store.connect() as connection:
        usage = UsageService(SqlMeterRepository(connection))
        for subscriber in subscribers:
            payload = claimed[subscriber.customer_id].payload
            assert payload["used_wh"] == usage.on_date(subscriber.customer_code, YESTERDAY).used_wh
            assert payload["code"] == subscriber.customer_code
    assert len(claimed) == len(subscribers)


def test_a_message_whose_day_lost_its_reading_is_given_up_not_sent_empty(store: Engine) -> None:
    [gone, *others] = subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    remove_the_days_use(store, gone)
    claimed = claim_all(store)
    assert gone.customer_id not in {message.customer_id for message in claimed}
    assert len(claimed) == len(others)
    with store.connect() as connection:
        statuses = Counter(connection.execute(select(OutboxMessage.status)).scalars())
        error = connection.execute(
            select(OutboxMessage.last_error).where(OutboxMessage.customer_id == gone.customer_id)
        ).scalar_one()
    assert statuses == Counter({"sending": len(others), "failed": 1})
    assert error == NO_READING_ANY_MORE


def test_other_kinds_are_claimed_as_queued(store: Engine) -> None:
    subscribers = subscribe_all(store)
    fan_out_daily(store, YESTERDAY, WINDOW, MORNING)
    with store.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.customer_id == subscribers[0].customer_id)
            .values(kind="notice", payload={"text": "Lịch cắt điện"})
        )
    claimed = {message.customer_id: message for message in claim_all(store)}
    assert claimed[subscribers[0].customer_id].payload == {"text": "Lịch cắt điện"}


def remove_the_days_use(store: Engine, subscriber: Subscriber) -> None:
    with store.begin() as connection:
        connection.execute(
            delete(DailyUsage).where(
                DailyUsage.day == YESTERDAY,
                DailyUsage.meter_pk.in_(
                    select(Meter.id).where(Meter.customer_id == subscriber.customer_id)
                ),
            )
        )
