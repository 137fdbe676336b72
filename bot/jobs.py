"""The deployment's scheduler inside `dienbot run`: every process builds it, one leads."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import service_clock
from bot.web.keys import ENGINE, SETTINGS
from scheduler.jobs import Jobs, build_scheduler
from scheduler.leadership import Leadership
from scheduler.window import DeliveryWindow

logger = logging.getLogger(__name__)

JOBS = web.AppKey("jobs", Jobs)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
STOP_WAIT_SECONDS = 30.0


class _JobsInFlight:
    """Counts the job runs that started and have not ended (they run on worker threads)."""

    def __init__(self) -> None:
        self._running = 0
        self._lock = threading.Lock()

    def submitted(self, _event: object) -> None:
        with self._lock:
            self._running += 1

    def ended(self, _event: object) -> None:
        with self._lock:
            self._running -= 1

    async def drained(self, limit: float) -> None:
        """Return once no run is in flight (or after `limit` seconds, logged)."""
        deadline = time.monotonic() + limit
        while self._running > 0:
            if time.monotonic() > deadline:
                logger.warning("stopping with %d scheduled job run(s) still going", self._running)
                return
            await asyncio.sleep(0.05)


def install_scheduler(
    app: web.Application, refresh_tokens: Callable[[], Awaitable[object]] | None = None
) -> None:
    """Run the scheduled jobs (fan-out, alerts, notices, sweeps, token refresh) in this app."""

    async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        start, end = settings.push_hours
        window = DeliveryWindow(start, end, settings.zone)
        holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        clock = service_clock(settings)
        jobs = Jobs(
            app[ENGINE],
            window,
            Leadership(app[ENGINE], holder, clock=clock),
            clock=clock,
            refresh_tokens=refresh_tokens,
        )
        app[JOBS] = jobs
        scheduler = build_scheduler(jobs, settings.zone)
        app[SCHEDULER] = scheduler
        in_flight = _JobsInFlight()
        scheduler.add_listener(in_flight.submitted, EVENT_JOB_SUBMITTED)
        scheduler.add_listener(in_flight.ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.start()
        logger.info(
            "scheduler started (%d jobs, lease holder %s)", len(scheduler.get_jobs()), holder
        )
        yield
        scheduler.pause()  # no new runs; the ones in flight finish before the engine goes
        await in_flight.drained(STOP_WAIT_SECONDS)
        scheduler.shutdown(wait=False)

    app.cleanup_ctx.append(scheduler_context)
