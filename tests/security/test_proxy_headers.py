"""Issue 20 items 1 and 8: the client address and https from a trusted proxy only."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from bot.config import load_settings
from bot.web.client import client_address, is_https
from bot.web.keys import RUNNER, SETTINGS
from handlers.types import Reply, Update
from tests.security.conftest import ClientFactory, service

AGENT_PASSWORD = "mat-khau-dai-dai-9"


async def echo(request: web.Request) -> web.Response:
    """What the service believes about the request."""
    return web.json_response({"client": client_address(request), "https": is_https(request)})


async def seen(
    aiohttp_client: ClientFactory, headers: dict[str, str], **environ: str
) -> dict[str, object]:
    app = web.Application()
    app[SETTINGS] = load_settings(environ, env_file=None)
    app.router.add_get("/", echo)
    client = await aiohttp_client(app)
    async with client.get("/", headers=headers) as response:
        answer: dict[str, object] = await response.json()
    return answer


async def test_forwarded_headers_of_an_untrusted_peer_are_ignored(
    aiohttp_client: ClientFactory,
) -> None:
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    assert await seen(aiohttp_client, headers) == {"client": "127.0.0.1", "https": False}
    other = await seen(aiohttp_client, headers, DIENBOT_TRUSTED_PROXIES="10.0.0.0/8")
    assert other == {"client": "127.0.0.1", "https": False}


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("1.2.3.4, 198.51.100.7", "198.51.100.7"),  # what the visitor wrote is not believed
        ("198.51.100.7, 10.1.2.3", "198.51.100.7"),  # a second trusted proxy is skipped
        ("2001:db8::5", "2001:db8::5"),
        ("not-an-address", "127.0.0.1"),
        ("198.51.100.7, not-an-address", "127.0.0.1"),
        ("", "127.0.0.1"),
    ],
)
async def test_the_client_is_the_rightmost_untrusted_hop_of_a_trusted_proxy(
    aiohttp_client: ClientFactory, forwarded_for: str, client: str
) -> None:
    answer = await seen(
        aiohttp_client,
        {"X-Forwarded-For": forwarded_for},
        DIENBOT_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8",
    )
    assert answer["client"] == client


async def test_https_comes_from_a_trusted_proxy_or_the_public_url(
    aiohttp_client: ClientFactory,
) -> None:
    proxied = {"X-Forwarded-Proto": "https"}
    assert (await seen(aiohttp_client, proxied, DIENBOT_TRUSTED_PROXIES="127.0.0.1"))["https"]
    plain = {"X-Forwarded-Proto": "http"}
    assert not (await seen(aiohttp_client, plain, DIENBOT_TRUSTED_PROXIES="127.0.0.1"))["https"]
    public = await seen(aiohttp_client, {}, DIENBOT_PUBLIC_URL="https://cskh.example.vn/")
    assert public["https"]


def test_a_malformed_proxy_list_names_the_variable() -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="DIENBOT_TRUSTED_PROXIES"):
        load_settings({"DIENBOT_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, env_file=None)


@pytest.mark.parametrize(
    ("environ", "headers", "secure"),
    [
        ({}, {"X-Forwarded-Proto": "https"}, False),
        ({"DIENBOT_TRUSTED_PROXIES": "127.0.0.1"}, {"X-Forwarded-Proto": "https"}, True),
        ({"DIENBOT_PUBLIC_URL": "https://cskh.example.vn"}, {}, True),
        ({"DIENBOT_PUBLIC_URL": "http://127.0.0.1:8080"}, {}, False),
    ],
)
async def test_the_visitor_and_agent_cookies_are_secure_behind_https(
    aiohttp_client: ClientFactory,
    sqlite_url: str,
    environ: dict[str, str],
    headers: dict[str, str],
    secure: bool,
) -> None:
    app = service(sqlite_url, DIENBOT_AGENT_PASSWORD=AGENT_PASSWORD, **environ)
    client = await aiohttp_client(app)
    async with client.get("/", headers=headers) as page:
        assert page.status == 200
        visitor = page.cookies["dienbot_visitor"]
    form = {"username": "admin", "password": AGENT_PASSWORD}
    async with client.post(
        "/agent/login", data=form, headers=headers, allow_redirects=False
    ) as login:
        assert login.status == 303
        agent = login.cookies["dienbot_agent"]
    assert bool(visitor["secure"]) is secure
    assert bool(agent["secure"]) is secure
    assert agent["httponly"]
    assert visitor["httponly"]


async def test_a_web_chat_update_carries_the_client_address_for_the_shared_limits(
    aiohttp_client: ClientFactory, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await aiohttp_client(service(sqlite_url, DIENBOT_TRUSTED_PROXIES="127.0.0.1"))
    runner = client.app[RUNNER]
    seen: list[Update] = []
    answer = runner.handle

    async def handle(update: Update, **options: Any) -> tuple[Reply, ...]:
        seen.append(update)
        return await answer(update, **options)

    monkeypatch.setattr(runner, "handle", handle)
    await client.get("/")
    headers = {"X-Dienbot-Chat": "1", "X-Forwarded-For": "198.51.100.23"}
    async with client.post("/chat/api/messages", json={"text": "xin chào"}, headers=headers) as r:
        assert r.status == 200
    assert [update.client_address for update in seen] == ["198.51.100.23"]
