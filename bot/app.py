"""The composition root: builds the aiohttp application and every long-lived resource."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.config import Settings
from bot.conversation import ConversationRunner
from bot.heap import settle_heap
from bot.jobs import install_scheduler
from bot.sms import SMS_GATEWAY, install_sms
from bot.web.agent import add_agent_console
from bot.web.chat import add_web_chat
from bot.web.health import healthz, metrics
from bot.web.keys import ENGINE, METRICS, RUNNER, SETTINGS, TELEGRAM
from bot.web.metrics import Metrics
from bot.web.status import status_page
from bot.web.visitor import CODE_PEPPER_NAME, stored_secret
from handlers.context import ConversationConfig
from meters.database import create_store_engine, upgrade

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every request by route and status for /metrics."""
    route = request.match_info.route.resource
    name = route.canonical if route is not None else "unmatched"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        request.app[METRICS].increment(
            "dienbot_http_requests_total", route=name, status=str(status)
        )


def build_app(settings: Settings) -> web.Application:
    """The web application of `dienbot run`, owning the store's engine and metrics."""
    app = web.Application(middlewares=[count_requests])
    app[SETTINGS] = settings
    registry = Metrics()
    registry.describe("dienbot_http_requests_total", "HTTP requests by route and status.")
    started = time.time()
    registry.gauge("dienbot_start_time_seconds", lambda: started)
    app[METRICS] = registry
    app.cleanup_ctx.append(_store)
    if settings.sms_url:
        install_sms(app, settings.sms_url)  # the runners' default one-time code sender
    app.cleanup_ctx.append(_runner)
    add_web_chat(app)
    add_agent_console(app)
    app.router.add_get("/status", status_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if settings.telegram_enabled:
        from bot.telegram import install_telegram

        app[TELEGRAM] = install_telegram(app, settings, lambda: app[RUNNER])
        if settings.telegram_agent_chat_id:
            from bot.telegram.agent_group import install_agent_group

            install_agent_group(app, settings, app[TELEGRAM])  # a forum topic per case
        from bot.push.dispatch import install_push

        install_push(app)  # scheduled messages at DIENBOT_TELEGRAM_SEND_RATE
    refresh_tokens = None
    if settings.zalo_enabled:
        from bot.push.zalo_sender import install_zalo_push
        from bot.zalo import install_zalo

        zalo = install_zalo(app, settings, lambda: app[RUNNER])
        install_zalo_push(app, zalo)
        refresh_tokens = zalo.refresh_tokens
    install_scheduler(app, refresh_tokens)  # one process leads (a lease in the store)
    app.on_startup.append(_settle_heap)  # after every resource above has been built
    return app


async def _settle_heap(_app: web.Application) -> None:
    logger.debug("%d start-up objects frozen out of the garbage collector", settle_heap())


def _conversation(app: web.Application, code_pepper: bytes) -> ConversationRunner:
    """The conversation core of the channels, on the store's engine (created at start-up)."""
    settings = app[SETTINGS]
    return ConversationRunner(
        app[ENGINE],
        ConversationConfig(
            zone=settings.zone,
            agent_hours=settings.agent_window,
            hotlines=settings.hotline_table,
            code_pepper=code_pepper,
            link_limits=settings.link_limits,
        ),
        default_code_sender=app.get(SMS_GATEWAY),
        metrics=app[METRICS],
    )


async def _runner(app: web.Application) -> AsyncIterator[None]:
    """The one conversation runner of every channel (DevLogCodeSender unless DIENBOT_SMS_URL)."""
    pepper = await asyncio.to_thread(stored_secret, app[ENGINE], CODE_PEPPER_NAME)
    app[RUNNER] = _conversation(app, pepper)
    yield
    await app[RUNNER].settle()
    app[RUNNER].close()


async def _store(app: web.Application) -> AsyncIterator[None]:
    engine = create_store_engine(app[SETTINGS].database_url)
    upgrade(engine)
    app[ENGINE] = engine
    yield
    engine.dispose()
