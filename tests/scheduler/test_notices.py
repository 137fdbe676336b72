"""Notices: outages of the customer's station in three stages, bills, surveys; each once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from handlers import texts
from meters.schema import (
    Bill,
    Customer,
    Outage,
    OutageStation,
    RequestStatusChange,
    ServiceRequest,
    Survey,
)
from scheduler.notices import (
    BILL,
    OUTAGE,
    SURVEY,
    outage_stage,
    queue_bill_notices,
    queue_outage_notices,
    queue_surveys,
)
from scheduler.render import render
from tests.scheduler.alerting import as_claimed, grant, queued
from tests.scheduler.conftest import MORNING, TODAY, WINDOW, Subscriber, subscribe_all

NOON = MORNING.replace(hour=12)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """Local time `days` after TODAY."""
    return MORNING.replace(hour=hour, minute=minute) + timedelta(days=days)


@pytest.mark.parametrize(
    ("start", "now", "stage"),
    [
        (at(3, 8), NOON, "announced"),
        (at(1, 8), NOON, "tomorrow"),
        (at(1, 8), at(0, 22), "announced"),  # sent tomorrow morning: the day of the outage
        (at(2, 8), at(0, 22), "tomorrow"),  # sent tomorrow, the day before
        (at(0, 16), NOON, "announced"),  # the same day, hours ahead
        (at(0, 13), NOON, "soon"),
        (at(0, 12, 30), NOON, "soon"),
        (at(0, 11), NOON, None),  # started
    ],
)
def test_the_stage_due_depends_on_how_far_the_start_is(
    start: datetime, now: datetime, stage: str | None
) -> None:
    assert outage_stage(start, WINDOW, now) == stage


@pytest.fixture
def station_subscribers(store: Engine) -> list[Subscriber]:
    """Outage subscribers: the first two on station TEST-1, the others elsewhere; no outages."""
    subscribers = subscribe_all(store, kind=OUTAGE)
    grant(store, subscribers, "outages")
    with store.begin() as connection:
        connection.execute(delete(OutageStation))
        connection.execute(delete(Outage))
        connection.execute(update(Customer).values(station="OTHER"))
        connection.execute(
            update(Customer)
            .where(Customer.id.in_([s.customer_id for s in subscribers[:2]]))
            .values(station="TEST-1")
        )
    return subscribers


def plan_outage(store: Engine, starts_at: datetime) -> None:
    """An outage of station TEST-1 for four hours from `starts_at`."""
    with store.begin() as connection:
        connection.execute(
            insert(Outage).values(
                outage_id="CD-1",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=4),
                area="Quận 1",
                reason="bảo trì lưới điện",
                announced_at=MORNING,
            )
        )
        connection.execute(insert(OutageStation).values(outage_id="CD-1", station="TEST-1"))


def test_each_stage_reaches_the_stations_subscribers_once(
    store: Engine, station_subscribers: list[Subscriber]
) -> None:
    start = at(3, 8)
    plan_outage(store, start)
    runs = [NOON, NOON + timedelta(minutes=5), at(2, 9), at(2, 15), at(3, 7), at(3, 7, 5)]
    counts = [queue_outage_notices(store, WINDOW, now).queued for now in runs]
    messages = queued(store, OUTAGE)
    assert counts == [2, 0, 2, 0, 2, 0]
    assert {m.customer_id for m in messages} == {s.customer_id for s in station_subscribers[:2]}
    first = station_subscribers[0]
    stages = [m.dedup_key.split(":")[1] for m in messages if m.customer_id == first.customer_id]
    assert stages == ["announced", "tomorrow", "soon"]
    assert messages[0].payload["text"] == texts.NOTICE_OUTAGE_ANNOUNCED.format(
        code=first.customer_code,
        station="TEST-1",
        start="23/11/2026 08:00",
        end="12:00",
        reason="bảo trì lưới điện",
    )
    assert messages[0].priority == 5
    assert [b.data for b in render(as_claimed(messages[0])).buttons] == ["unsub:outage"]
    payload = messages[0].payload  # the figures beside the text, in local time (ZNS)
    assert (payload["stage"], payload["station"]) == ("announced", "TEST-1")
    assert (payload["starts_at"], payload["ends_at"]) == (
        "2026-11-23T08:00:00+07:00",
        "2026-11-23T12:00:00+07:00",
    )


def test_the_hour_before_notice_expires_at_the_start(
    store: Engine, station_subscribers: list[Subscriber]
) -> None:
    plan_outage(store, at(0, 15))
    queue_outage_notices(store, WINDOW, at(0, 14, 5))
    soon = queued(store, OUTAGE)
    assert {m.dedup_key.split(":")[1] for m in soon} == {"soon"}
    assert all(m.expires_at == at(0, 15) for m in soon)


def test_an_early_outage_found_at_night_is_not_sent_in_quiet_hours(
    store: Engine, station_subscribers: list[Subscriber]
) -> None:
    plan_outage(store, at(1, 7))
    assert queue_outage_notices(store, WINDOW, at(1, 6, 0)).queued == 0


# --- bills --------------------------------------------------------------------------------------


@pytest.fixture
def bill_subscriber(store: Engine) -> Subscriber:
    """A bill subscriber whose only bill is unpaid, period 11/10–10/11, due 25/11; no others."""
    subscriber = subscribe_all(store, kind=BILL)[0]
    grant(store, [subscriber], "alerts")
    with store.begin() as connection:
        connection.execute(delete(Bill))
        connection.execute(
            insert(Bill).values(
                bill_no="HD-1",
                customer_id=subscriber.customer_id,
                period_start=TODAY - timedelta(days=40),
                period_end=TODAY - timedelta(days=2),
                kwh=312,
                amount_before_vat=900_000,
                vat=72_000,
                total=972_000,
                due_date=TODAY + timedelta(days=5),
                paid_at=None,
            )
        )
    return subscriber


def test_a_new_bill_is_announced_once_and_reminded_three_days_before_due(
    store: Engine, bill_subscriber: Subscriber
) -> None:
    counts = [
        queue_bill_notices(store, WINDOW, MORNING + timedelta(days=d)).queued for d in range(4)
    ]
    messages = queued(store, BILL)
    assert counts == [1, 0, 1, 0]
    assert [m.dedup_key for m in messages] == [
        f"bill:new:HD-1:{bill_subscriber.chat_user_id}",
        f"bill:due:HD-1:{bill_subscriber.chat_user_id}",
    ]
    assert messages[0].payload["text"] == texts.NOTICE_BILL_NEW.format(
        code=bill_subscriber.customer_code,
        first="11/10/2026",
        last="18/11/2026",
        kwh="312,0 kWh",
        amount="972.000 đ",
        due="25/11/2026",
    )


def test_a_paid_bill_gets_no_reminder(store: Engine, bill_subscriber: Subscriber) -> None:
    with store.begin() as connection:
        connection.execute(update(Bill).values(paid_at=MORNING))
    assert queue_bill_notices(store, WINDOW, MORNING + timedelta(days=2)).queued == 0


# --- surveys ------------------------------------------------------------------------------------


def complete_request(store: Engine, subscriber: Subscriber, request_id: str) -> None:
    """A request of the subscriber's customer, completed this morning (the only recent one)."""
    with store.begin() as connection:
        connection.execute(update(ServiceRequest).values(updated_at=MORNING - timedelta(days=30)))
        connection.execute(
            insert(ServiceRequest).values(
                request_id=request_id,
                customer_id=subscriber.customer_id,
                service_type="meter_inspection",
                status="completed",
                created_at=MORNING - timedelta(days=3),
                updated_at=MORNING,
            )
        )
        connection.execute(
            insert(RequestStatusChange).values(
                request_id=request_id, status="completed", changed_at=MORNING, note=None
            )
        )


def test_a_completed_request_gets_one_survey_with_five_scores(store: Engine) -> None:
    subscriber = subscribe_all(store)[0]
    grant(store, [subscriber], "surveys")
    complete_request(store, subscriber, "YC2026-000123")
    first = queue_surveys(store, WINDOW, NOON)
    again = queue_surveys(store, WINDOW, NOON + timedelta(minutes=30))
    [survey] = queued(store, SURVEY)
    assert (first.queued, again.queued) == (1, 0)
    reply = render(as_claimed(survey))
    assert reply.text == texts.SURVEY_REQUEST.format(request_id="YC2026-000123")
    assert [b.data for b in reply.buttons] == [
        *(f"survey:YC2026-000123:{score}" for score in range(1, 6)),
        "consent:surveys",
    ]
    with store.connect() as connection:
        asked = connection.execute(select(Survey.code, Survey.chat_user_id)).all()
    assert [tuple(row) for row in asked] == [("YC2026-000123", subscriber.chat_user_id)]


def test_no_survey_without_consent(store: Engine) -> None:
    subscriber = subscribe_all(store)[0]
    complete_request(store, subscriber, "YC2026-000124")
    assert queue_surveys(store, WINDOW, NOON).queued == 0
