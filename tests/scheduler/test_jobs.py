"""The scheduled jobs: registered once each with stable ids, and doing nothing unless leader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, insert, select

from meters import rate_store
from meters.schema import OutboxMessage
from scheduler.jobs import (
    CATCH_UP,
    CHANNEL_REFRESH_JOB,
    DAILY_FANOUT_JOB,
    LEASE_JOB,
    Jobs,
    build_scheduler,
)
from scheduler.leadership import Leadership
from tests.scheduler.alerting import queued
from tests.scheduler.conftest import MORNING, WINDOW, YESTERDAY, subscribe_all
from tests.scheduler.test_leadership import Clock

EXPECTED_IDS = {
    "scheduler:lease",
    "push:daily_fanout",
    "alerts:usage",
    "outbox:sweep",
    "notices:outage",
    "notices:bill",
    "notices:survey",
    "limits:prune",
}


def make_jobs(
    engine: Engine,
    holder: str = "web-1",
    refresh_tokens: Callable[[], Awaitable[object]] | None = None,
) -> Jobs:
    """Jobs of one process on a fixed clock."""
    clock = Clock(MORNING)
    leadership = Leadership(engine, holder, clock=clock)
    return Jobs(engine, WINDOW, leadership, clock=clock, refresh_tokens=refresh_tokens)


async def refresh() -> None:
    """A stand-in for the bot's Zalo token refresh."""


@pytest.mark.parametrize("zone_name", ["Asia/Ho_Chi_Minh", "Europe/Berlin", "UTC"])
def test_every_job_is_registered_once_with_a_stable_id(engine: Engine, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    scheduler = build_scheduler(make_jobs(engine), zone)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == EXPECTED_IDS
    assert all(job.coalesce for job in jobs.values())
    assert all(job.misfire_grace_time and job.misfire_grace_time > 0 for job in jobs.values())
    assert all(job.max_instances == 1 for job in jobs.values())
    fanout = jobs[DAILY_FANOUT_JOB].trigger
    assert isinstance(fanout, CronTrigger)
    assert fanout.timezone == zone
    assert str(fanout.fields[5]) == "6,9,12"  # hour
    assert isinstance(jobs[LEASE_JOB].trigger, IntervalTrigger)
    assert jobs[LEASE_JOB].trigger.interval == timedelta(seconds=20)


def test_the_token_refresh_is_registered_when_the_bot_injects_it(engine: Engine) -> None:
    scheduler = build_scheduler(make_jobs(engine, refresh_tokens=refresh), WINDOW.zone)
    assert CHANNEL_REFRESH_JOB in {job.id for job in scheduler.get_jobs()}


async def test_gaining_the_lease_runs_the_missed_jobs_at_once(engine: Engine) -> None:
    jobs = make_jobs(engine)
    scheduler = build_scheduler(jobs, WINDOW.zone)
    scheduler.start(paused=True)
    try:
        before = {job_id: scheduler.get_job(job_id).next_run_time for job_id in CATCH_UP}
        assert jobs.renew_lease()
        after = {job_id: scheduler.get_job(job_id).next_run_time for job_id in CATCH_UP}
    finally:
        scheduler.shutdown(wait=False)
    assert all(after[job_id] < before[job_id] for job_id in CATCH_UP)


def test_a_follower_s_jobs_do_nothing(store: Engine) -> None:
    subscribe_all(store)
    leader, follower = make_jobs(store, "web-1"), make_jobs(store, "web-2")
    assert leader.renew_lease()
    assert not follower.renew_lease()
    assert follower.fan_out_daily() is None
    assert follower.check_usage() is None
    assert follower.sweep_outbox() is None
    assert follower.queue_outage_notices() is None
    assert follower.queue_bill_notices() is None
    assert follower.queue_surveys() is None
    assert queued(store) == []


def test_the_leader_fans_out_yesterday(store: Engine) -> None:
    subscribers = subscribe_all(store)
    jobs = make_jobs(store)
    jobs.renew_lease()
    report = jobs.fan_out_daily()
    assert report is not None
    assert report.day == YESTERDAY
    assert report.queued == len(subscribers) == len(queued(store, "daily_usage"))


def test_after_an_import_any_process_fans_out_and_checks(store: Engine) -> None:
    subscribers = subscribe_all(store)
    fanout, thresholds, anomalies = make_jobs(store, "importer").after_readings_import(YESTERDAY)
    assert fanout.queued == len(subscribers)
    assert (thresholds.checked, anomalies.checked) == (0, 0)


def test_the_sweep_expires_what_was_not_sent_in_time(store: Engine) -> None:
    subscriber = subscribe_all(store)[0]
    with store.begin() as connection:
        connection.execute(
            insert(OutboxMessage).values(
                dedup_key="old",
                kind="bill",
                channel="telegram",
                bucket="telegram",
                chat_user_id=subscriber.chat_user_id,
                customer_id=subscriber.customer_id,
                payload={"text": "x", "stop_kind": "bill"},
                priority=5,
                status="pending",
                not_before=MORNING - timedelta(days=1),
                expires_at=MORNING - timedelta(hours=9),
                attempts=0,
                created_at=MORNING - timedelta(days=1),
            )
        )
    jobs = make_jobs(store)
    jobs.renew_lease()
    report = jobs.sweep_outbox()
    assert report is not None
    assert report.expired == 1
    with store.connect() as connection:
        assert connection.execute(select(OutboxMessage.status)).scalar_one() == "expired"


async def test_the_token_refresh_runs_only_on_the_leader(engine: Engine) -> None:
    calls: list[str] = []

    async def counting() -> None:
        calls.append("refresh")

    leader = make_jobs(engine, "web-1", refresh_tokens=counting)
    follower = make_jobs(engine, "web-2", refresh_tokens=counting)
    leader.renew_lease()
    follower.renew_lease()
    assert await leader.refresh_channel_tokens()
    assert not await follower.refresh_channel_tokens()
    assert calls == ["refresh"]


def test_the_leader_prunes_the_shared_limits_old_events(engine: Engine) -> None:
    jobs = make_jobs(engine)
    with engine.begin() as connection:
        rate_store.record(connection, "old", MORNING - rate_store.KEPT - timedelta(minutes=1))
        rate_store.record(connection, "new", MORNING - timedelta(minutes=1))
    assert jobs.prune_rate_events() is None  # not the leader yet
    assert jobs.renew_lease()
    assert jobs.prune_rate_events() == 1
