"""The agent console at /agent/: sign-in, the live queue, cases, customer data, surveys.

Served by `dienbot run` beside the web chat (server-rendered pages, plain JS, no build step).
The case operations themselves are channel-neutral (handlers.cases), so a second agent
surface (the Telegram agent group) calls the same functions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bot.clock import service_clock
from bot.web.agent import api, pages
from bot.web.agent.auth import CONSOLE, Console, hash_password
from bot.web.keys import ENGINE, SETTINGS
from meters.agent_store import SqlAgentStore

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
BOOTSTRAP_USER = "admin"


def add_agent_console(app: web.Application, *, console: Console | None = None) -> None:
    """Serve the console under /agent/ (after the store is set up at start-up)."""

    async def setup(app: web.Application) -> AsyncIterator[None]:
        app[CONSOLE] = console or Console(now=service_clock(app[SETTINGS]))
        password = app[SETTINGS].agent_password
        if password is not None:
            await asyncio.to_thread(bootstrap_admin, app, password.get_secret_value())
        yield

    app.cleanup_ctx.append(setup)
    router = app.router
    router.add_get("/agent/login", pages.login_form)
    router.add_post("/agent/login", pages.login)
    router.add_post("/agent/logout", pages.logout)
    router.add_get("/agent/", pages.queue_page)
    router.add_get("/agent/closed", pages.closed_page)
    router.add_get("/agent/surveys", pages.surveys_page)
    router.add_get("/agent/cases/{code}", pages.case_page)
    router.add_get("/agent/cases/{code}/usage/{customer:\\d+}.png", pages.usage_chart)
    for name in pages.ACTIONS:
        router.add_post(f"/agent/cases/{{code}}/{name}", pages.action(name))
    router.add_get("/agent/api/queue", api.queue)
    router.add_get("/agent/api/cases/{code}/messages", api.messages)
    router.add_static("/agent/static/", STATIC_DIR)


def bootstrap_admin(app: web.Application, password: str) -> None:
    """With DIENBOT_AGENT_PASSWORD and no agent yet: the supervisor "admin" is created."""
    with app[ENGINE].begin() as connection:
        agents = SqlAgentStore(connection)
        if agents.count():
            return
        agents.add_agent(
            username=BOOTSTRAP_USER,
            display_name="Quản trị",
            role="supervisor",
            unit=None,
            password_hash=hash_password(password),
            now=app[CONSOLE].now(),
        )
    logger.info("agent console: created the supervisor %r from DIENBOT_AGENT_PASSWORD", "admin")
