"""The Telegram dispatcher of scheduled messages: one HTTP/1.1 client, one `Dispatcher`.

`dienbot push send` runs it as its own process; `dienbot run` runs one inside the service when
the Telegram channel is configured (`install_push`). Every process of the bucket shares the
configured rate through the `send_buckets` row, so both can run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.clock import service_clock
from bot.config import ConfigError, Settings
from bot.push.http1 import Http1Client
from bot.push.telegram_sender import TelegramPushSender, api_origin
from scheduler.dispatcher import Dispatcher

if TYPE_CHECKING:
    from aiohttp import web

logger = logging.getLogger(__name__)

TELEGRAM_BUCKET = "telegram"
DEFAULT_LEASE = timedelta(seconds=60)
REQUEST_TIMEOUT = 30.0
# Enough connections for the paid-broadcast rate at a slow Bot API (1 000/s x 0.5 s): with
# fewer, requests would queue for a connection and then leave in bursts.
MAX_CONNECTIONS = 500
RESTART_SECONDS = 5.0  # after an unexpected error, the service's dispatcher starts again


def default_worker() -> str:
    """A name for this process in the outbox leases: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextlib.asynccontextmanager
async def telegram_dispatcher(
    engine: Engine,
    settings: Settings,
    *,
    rate: float | None = None,
    lease: timedelta = DEFAULT_LEASE,
    worker: str | None = None,
) -> AsyncIterator[Dispatcher]:
    """A dispatcher of the Telegram bucket over one HTTP client, closed on leaving."""
    token = settings.telegram_token
    if token is None:
        raise ConfigError("DIENBOT_TELEGRAM_TOKEN is not set: nothing to send with")
    client = Http1Client(
        api_origin(settings.telegram_api_url),
        max_connections=MAX_CONNECTIONS,
        timeout=REQUEST_TIMEOUT,
    )
    try:
        sender = TelegramPushSender(client, settings.telegram_api_url, token.get_secret_value())
        yield Dispatcher(
            engine,
            TELEGRAM_BUCKET,
            rate if rate is not None else settings.telegram_send_rate,
            sender,
            worker=worker or default_worker(),
            lease=lease,
            clock=service_clock(settings),
        )
    finally:
        await client.close()


def install_push(app: web.Application) -> None:
    """Run the Telegram dispatcher in the service from start-up to shutdown."""
    app.cleanup_ctx.append(_push)


async def _push(app: web.Application) -> AsyncIterator[None]:
    from bot.web.keys import ENGINE, SETTINGS  # the web keys import the conversation core

    stop = asyncio.Event()
    task = asyncio.create_task(_supervise(app[ENGINE], app[SETTINGS], stop))
    yield
    stop.set()
    await task


async def _supervise(engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    """Dispatch until `stop`; an unexpected error is logged and dispatching starts again."""
    while not stop.is_set():
        try:
            async with telegram_dispatcher(engine, settings) as dispatcher:
                await dispatcher.run(stop)
        except Exception:
            logger.exception("the Telegram dispatcher failed; starting again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=RESTART_SECONDS)
