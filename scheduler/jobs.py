"""The scheduled jobs and the one APScheduler that runs them.

Every process builds the same scheduler; only the holder of the "scheduler" lease does the
work (see scheduler.leadership), the others' jobs return at once. Jobs are thin: each enters
its own transactions through a service (fan-out, alerts, notices, outbox store) and queues
messages; the dispatcher sends them. Every service is idempotent (de-duplication keys), so a
coalesced, repeated or caught-up run queues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from meters import rate_store
from meters.outbox_store import SqlOutboxStore
from scheduler.alerts import AlertReport, check_anomalies, check_thresholds
from scheduler.fanout import FanOutReport, fan_out_daily
from scheduler.leadership import RENEW_EVERY, Leadership, utc_now
from scheduler.notices import (
    NoticeReport,
    queue_bill_notices,
    queue_outage_notices,
    queue_surveys,
)
from scheduler.window import DeliveryWindow

logger = logging.getLogger(__name__)

LEASE_JOB = "scheduler:lease"
DAILY_FANOUT_JOB = "push:daily_fanout"
USAGE_ALERTS_JOB = "alerts:usage"
SWEEP_JOB = "outbox:sweep"
OUTAGE_JOB = "notices:outage"
BILL_JOB = "notices:bill"
SURVEY_JOB = "notices:survey"
CHANNEL_REFRESH_JOB = "zalo:refresh"
LIMITS_PRUNE_JOB = "limits:prune"
# Run at once when a process becomes leader: a run its predecessor may have missed.
CATCH_UP = (DAILY_FANOUT_JOB, USAGE_ALERTS_JOB, OUTAGE_JOB, BILL_JOB, SURVEY_JOB)
# Readings usually arrive overnight; the later runs pick up meters that report late.
READING_HOURS = "6,9,12"
BILL_HOURS = "8,12,16"


@dataclass(frozen=True, slots=True)
class SweepReport:
    """Leases reaped and messages expired by one sweep."""

    reaped: int
    expired: int


class Jobs:
    """The job functions, each a no-op unless this process leads (callable without a scheduler)."""

    def __init__(
        self,
        engine: Engine,
        window: DeliveryWindow,
        leadership: Leadership,
        *,
        clock: Callable[[], datetime] = utc_now,
        refresh_tokens: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._engine = engine
        self._window = window
        self.leadership = leadership
        self._clock = clock
        self.refresh_tokens = refresh_tokens  # the bot's channel layer injects Zalo's

    def yesterday(self) -> date:
        """The last full local day (the day the morning's readings complete)."""
        return self._clock().astimezone(self._window.zone).date() - timedelta(days=1)

    def renew_lease(self) -> bool:
        """Take or renew the scheduler lease (runs in every process); whether this one leads."""
        return self.leadership.renew()

    def fan_out_daily(self, day: date | None = None) -> FanOutReport | None:
        """Queue the daily usage message of `day` (yesterday) for every subscriber, if leader."""
        if not self._leading(DAILY_FANOUT_JOB):
            return None
        return self._fan_out(day or self.yesterday())

    def check_usage(self, day: date | None = None) -> tuple[AlertReport, AlertReport] | None:
        """Queue the threshold and anomaly alerts of `day` (yesterday), if leader."""
        if not self._leading(USAGE_ALERTS_JOB):
            return None
        return self._check(day or self.yesterday())

    def after_readings_import(self, day: date) -> tuple[FanOutReport, AlertReport, AlertReport]:
        """Right after readings of `day` are imported (any process): fan out, then check."""
        fanout = self._fan_out(day)
        thresholds, anomalies = self._check(day)
        return fanout, thresholds, anomalies

    def sweep_outbox(self) -> SweepReport | None:
        """Put dead dispatchers' leased messages back and expire overdue ones, if leader."""
        if not self._leading(SWEEP_JOB):
            return None
        now = self._clock()
        with self._engine.begin() as connection:
            store = SqlOutboxStore(connection)
            return SweepReport(reaped=store.reap(now), expired=store.expire(now))

    def prune_rate_events(self) -> int | None:
        """Drop the shared limits' events older than any limit looks at, if leader."""
        if not self._leading(LIMITS_PRUNE_JOB):
            return None
        with self._engine.begin() as connection:
            return rate_store.prune(connection, self._clock())

    def queue_outage_notices(self) -> NoticeReport | None:
        """Queue the outage notices due now, if leader."""
        if not self._leading(OUTAGE_JOB):
            return None
        return self._logged(queue_outage_notices(self._engine, self._window, self._clock()))

    def queue_bill_notices(self) -> NoticeReport | None:
        """Queue new-bill notices and due-date reminders, if leader."""
        if not self._leading(BILL_JOB):
            return None
        return self._logged(queue_bill_notices(self._engine, self._window, self._clock()))

    def queue_surveys(self) -> NoticeReport | None:
        """Queue satisfaction surveys of lately closed requests and cases, if leader."""
        if not self._leading(SURVEY_JOB):
            return None
        return self._logged(queue_surveys(self._engine, self._window, self._clock()))

    async def refresh_channel_tokens(self) -> bool:
        """Refresh the Zalo tokens through the injected callable, if leader; whether it ran."""
        if self.refresh_tokens is None or not self._leading(CHANNEL_REFRESH_JOB):
            return False
        await self.refresh_tokens()
        return True

    def _leading(self, job: str) -> bool:
        if self.leadership.is_leader:
            return True
        logger.debug("%s: not the scheduler leader, skipped", job)
        return False

    def _fan_out(self, day: date) -> FanOutReport:
        report = fan_out_daily(self._engine, day, self._window, self._clock())
        logger.info("daily fan-out %s: %d queued in %.1f s", day, report.queued, report.seconds)
        return report

    def _check(self, day: date) -> tuple[AlertReport, AlertReport]:
        now = self._clock()
        reports = (
            check_thresholds(self._engine, day, self._window, now),
            check_anomalies(self._engine, day, self._window, now),
        )
        for report in reports:
            logger.info("%s alerts %s: %d of %d", report.kind, day, report.queued, report.checked)
        return reports

    @staticmethod
    def _logged(report: NoticeReport) -> NoticeReport:
        logger.info("%s notices: %d queued of %d due", report.kind, report.queued, report.found)
        return report


def build_scheduler(jobs: Jobs, zone: ZoneInfo) -> AsyncIOScheduler:
    """The deployment's scheduler with every job registered (not started)."""
    scheduler = AsyncIOScheduler(timezone=zone)

    def add(
        job_id: str,
        function: Callable[[], object],
        trigger: CronTrigger | IntervalTrigger,
        grace: timedelta,
        *,
        first_run: datetime | None = None,
    ) -> None:
        extra = {} if first_run is None else {"next_run_time": first_run}
        scheduler.add_job(
            function,
            trigger,
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(grace.total_seconds()),
            **extra,
        )

    add(
        LEASE_JOB,
        jobs.renew_lease,
        IntervalTrigger(seconds=RENEW_EVERY.seconds),
        RENEW_EVERY,
        first_run=datetime.now(zone),  # at start: followers try at once, a new leader catches up
    )
    add(
        DAILY_FANOUT_JOB,
        jobs.fan_out_daily,
        CronTrigger(hour=READING_HOURS, minute=0, timezone=zone),
        timedelta(hours=3),
    )
    add(
        USAGE_ALERTS_JOB,
        jobs.check_usage,
        CronTrigger(hour=READING_HOURS, minute=10, timezone=zone),
        timedelta(hours=3),
    )
    add(SWEEP_JOB, jobs.sweep_outbox, IntervalTrigger(minutes=1), timedelta(seconds=30))
    add(
        LIMITS_PRUNE_JOB, jobs.prune_rate_events, IntervalTrigger(minutes=10), timedelta(minutes=5)
    )
    add(OUTAGE_JOB, jobs.queue_outage_notices, IntervalTrigger(minutes=5), timedelta(minutes=4))
    add(
        BILL_JOB,
        jobs.queue_bill_notices,
        CronTrigger(hour=BILL_HOURS, minute=20, timezone=zone),
        timedelta(hours=4),
    )
    add(SURVEY_JOB, jobs.queue_surveys, IntervalTrigger(minutes=30), timedelta(minutes=20))
    if jobs.refresh_tokens is not None:
        add(
            CHANNEL_REFRESH_JOB,
            jobs.refresh_channel_tokens,
            IntervalTrigger(minutes=30),
            timedelta(minutes=20),
        )

    def catch_up() -> None:
        now = datetime.now(zone)
        for job_id in CATCH_UP:
            scheduler.modify_job(job_id, next_run_time=now)

    jobs.leadership.on_gain = catch_up
    return scheduler
