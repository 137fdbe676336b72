"""`/healthz` and `/metrics`."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from sqlalchemy import Engine, text

from bot.web.keys import ENGINE, METRICS


def _ping(engine: Engine) -> float:
    started = time.perf_counter()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return time.perf_counter() - started


async def healthz(request: web.Request) -> web.Response:
    """200 with the database latency when the database answers, 503 otherwise."""
    try:
        seconds = await asyncio.to_thread(_ping, request.app[ENGINE])
    except Exception as error:
        return web.json_response({"status": "error", "database": type(error).__name__}, status=503)
    return web.json_response({"status": "ok", "database_ms": round(seconds * 1000, 2)})


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus text exposition."""
    return web.Response(
        text=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )
