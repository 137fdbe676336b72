"""The deployment's scheduler inside `dienbot run`: every process builds it, one leads."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.web.keys import ENGINE, SETTINGS
from scheduler.jobs import Jobs, build_scheduler
from scheduler.leadership import Leadership
from scheduler.window import DeliveryWindow

logger = logging.getLogger(__name__)

JOBS = web.AppKey("jobs", Jobs)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


def install_scheduler(
    app: web.Application, refresh_tokens: Callable[[], Awaitable[object]] | None = None
) -> None:
    """Run the scheduled jobs (fan-out, alerts, notices, sweeps, token refresh) in this app."""

    async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        start, end = settings.push_hours
        window = DeliveryWindow(start, end, settings.zone)
        holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        jobs = Jobs(
            app[ENGINE],
            window,
            Leadership(app[ENGINE], holder),
            refresh_tokens=refresh_tokens,
        )
        app[JOBS] = jobs
        scheduler = build_scheduler(jobs, settings.zone)
        app[SCHEDULER] = scheduler
        scheduler.start()
        logger.info(
            "scheduler started (%d jobs, lease holder %s)", len(scheduler.get_jobs()), holder
        )
        yield
        scheduler.shutdown(wait=False)

    app.cleanup_ctx.append(scheduler_context)
