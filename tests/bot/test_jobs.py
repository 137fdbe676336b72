"""`dienbot run` schedules the jobs of issue 6 in every process; one process leads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import build_app
from bot.config import load_settings
from bot.jobs import JOBS, SCHEDULER
from scheduler.jobs import DAILY_FANOUT_JOB, LEASE_JOB, SWEEP_JOB

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


def app_for(database_url: str) -> web.Application:
    return build_app(load_settings({"DIENBOT_DATABASE_URL": database_url}, env_file=None))


async def test_the_service_runs_the_scheduler_with_its_jobs(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    app = app_for(database_url)
    await aiohttp_client(app)
    scheduler = app[SCHEDULER]
    assert scheduler.running
    ids = {job.id for job in scheduler.get_jobs()}
    assert {LEASE_JOB, DAILY_FANOUT_JOB, SWEEP_JOB} <= ids


async def test_two_services_on_one_store_have_one_leader(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    first, second = app_for(database_url), app_for(database_url)
    await aiohttp_client(first)
    await aiohttp_client(second)
    leaders = [app[JOBS].leadership.renew() for app in (first, second)]
    assert sorted(leaders) == [False, True]
