"""`dienbot run`'s web application: health, metrics and the status page on both engines."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import build_app
from bot.config import load_settings
from bot.web.keys import ENGINE

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


def app_for(database_url: str) -> web.Application:
    return build_app(load_settings({"DIENBOT_DATABASE_URL": database_url}, env_file=None))


async def test_healthz_reports_ok_when_the_database_answers(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await aiohttp_client(app_for(database_url))
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["database_ms"] >= 0


async def test_healthz_reports_503_when_the_database_is_gone(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    app = app_for(f"sqlite:///{tmp_path / 'store.db'}")
    client = await aiohttp_client(app)
    app[ENGINE].dispose()
    (tmp_path / "store.db").unlink()
    (tmp_path / "store.db").mkdir()  # a directory where the database file was
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["status"] == "error"


async def test_the_app_migrates_an_empty_database_and_shows_its_contents(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await aiohttp_client(app_for(database_url))
    response = await client.get("/status")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert "dienbot đang chạy" in page
    assert "Khách hàng" in page


async def test_metrics_count_requests_by_route_and_status(
    aiohttp_client: ClientFactory, sqlite_url: str
) -> None:
    client = await aiohttp_client(app_for(sqlite_url))
    await client.get("/healthz")
    await client.get("/no-such-page")
    response = await client.get("/metrics")
    assert response.status == 200
    text = await response.text()
    assert 'dienbot_http_requests_total{route="/healthz",status="200"} 1' in text
    assert 'status="404"' in text
    assert "# TYPE dienbot_start_time_seconds gauge" in text


@pytest.mark.parametrize("path", ["/", "/status", "/healthz", "/metrics"])
async def test_routes_of_the_contract_answer(
    aiohttp_client: ClientFactory, sqlite_url: str, path: str
) -> None:
    client = await aiohttp_client(app_for(sqlite_url))
    assert (await client.get(path)).status == 200


async def test_the_started_service_freezes_its_start_up_heap(
    aiohttp_client: ClientFactory, sqlite_url: str
) -> None:
    gc.unfreeze()
    try:
        await aiohttp_client(app_for(sqlite_url))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
