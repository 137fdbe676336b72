"""Access tokens: cached with their expiry, renewed once under a lock, refresh token rotated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.web.keys import ENGINE
from bot.zalo.api import OaClient, ZaloHosts, ZaloHttp
from bot.zalo.errors import ErrorKind, ZaloAuthError, ZaloError
from bot.zalo.tokens import ACCESS_TOKEN, REFRESH_TOKEN, TokenKeeper
from meters.channel_store import read_token
from tests.bot.zalo.conftest import ZaloService
from tests.fakes.zalo_api import FakeZalo

CS_PATH = "/v3.0/oa/message/cs"


def stored(engine: Engine, name: str) -> str | None:
    with engine.connect() as connection:
        token = read_token(connection, name)
    return None if token is None else token.value


@pytest.fixture
async def http(fake_zalo: FakeZalo) -> AsyncIterator[ZaloHttp]:
    """A client of the stand-in."""
    client = ZaloHttp(ZaloHosts.from_base(fake_zalo.url), fake_zalo.app_id, fake_zalo.app_secret)
    await client.open()
    yield client
    await client.close()


def keeper(engine: Engine, http: ZaloHttp, seed: str) -> TokenKeeper:
    return TokenKeeper(engine, seed, http.exchange)


async def test_an_expired_token_is_refreshed_once_and_the_new_refresh_token_is_kept(
    service: ZaloService,
) -> None:
    fake = service.fake
    fake.add_user("u1")
    await service.say("u1", "một")  # the first call needs a token: refresh with the configured one
    assert fake.refresh_calls == ["refresh-0"]
    first_rotation = fake.refresh_token
    fake.expire_access_tokens()
    await service.say("u1", "hai")
    assert fake.refresh_calls == ["refresh-0", first_rotation]  # exactly one more, the new one
    assert fake.texts_to("u1") == ["echo: một", "echo: hai"]
    assert (CS_PATH, -220) in fake.calls
    engine = service.client.app[ENGINE]
    assert stored(engine, REFRESH_TOKEN) == fake.refresh_token
    assert stored(engine, ACCESS_TOKEN) in fake.access_tokens
    fake.expire_access_tokens()
    await service.say("u1", "ba")
    assert len(fake.refresh_calls) == 3
    assert fake.refresh_calls[-1] not in ("refresh-0", first_rotation)
    assert fake.texts_to("u1")[-1] == "echo: ba"


async def test_a_token_stored_by_another_process_is_used_without_refreshing(
    engine: Engine, http: ZaloHttp, fake_zalo: FakeZalo
) -> None:
    first = keeper(engine, http, "refresh-0")
    token = await first.current()
    second = keeper(engine, http, "refresh-0")  # another process: nothing cached
    assert await second.current() == token
    assert fake_zalo.refresh_calls == ["refresh-0"]
    first.close()
    second.close()


async def test_two_processes_renewing_at_once_spend_the_refresh_token_once(
    engine: Engine, http: ZaloHttp, fake_zalo: FakeZalo
) -> None:
    keepers = [keeper(engine, http, "refresh-0") for _ in range(3)]
    tokens = await asyncio.gather(*(k.current() for k in keepers))
    assert len(set(tokens)) == 1
    assert fake_zalo.refresh_calls == ["refresh-0"]
    fake_zalo.expire_access_tokens()
    stale = tokens[0]
    renewed = await asyncio.gather(*(k.renew(stale=stale) for k in keepers))
    assert len(set(renewed)) == 1
    assert renewed[0] != stale
    assert len(fake_zalo.refresh_calls) == 2
    assert stored(engine, REFRESH_TOKEN) == fake_zalo.refresh_token
    for k in keepers:
        k.close()


async def test_a_refused_refresh_token_raises_and_stores_nothing(
    engine: Engine, http: ZaloHttp, fake_zalo: FakeZalo
) -> None:
    fake_zalo.refresh_token = "issued-to-someone-else"
    tokens = keeper(engine, http, "refresh-0")
    with pytest.raises(ZaloAuthError) as raised:
        await tokens.current()
    assert raised.value.code == -14020
    assert stored(engine, ACCESS_TOKEN) is None
    assert stored(engine, REFRESH_TOKEN) is None  # rolled back: the configured one stays in use
    tokens.close()


async def test_a_newly_configured_refresh_token_starts_a_new_chain(
    engine: Engine, http: ZaloHttp, fake_zalo: FakeZalo
) -> None:
    old = keeper(engine, http, "refresh-0")
    await old.current()
    old.close()
    fake_zalo.refresh_token = "after-new-authorisation"  # an administrator authorised again
    fake_zalo.expire_access_tokens()
    new = keeper(engine, http, "after-new-authorisation")
    stale = stored(engine, ACCESS_TOKEN)
    token = await new.renew(stale=stale)
    assert fake_zalo.refresh_calls[-1] == "after-new-authorisation"
    assert token in fake_zalo.access_tokens
    new.close()


async def test_a_token_error_after_the_refresh_is_not_retried_again(
    engine: Engine, http: ZaloHttp, fake_zalo: FakeZalo
) -> None:
    fake_zalo.add_user("u1")
    tokens = keeper(engine, http, "refresh-0")
    client = OaClient(http, tokens)
    await tokens.current()
    fake_zalo.fail_next(CS_PATH, -216, "Access token is invalid", times=5)
    with pytest.raises(ZaloError) as raised:
        await client.send_message("u1", {"text": "xin chào"})
    assert raised.value.kind is ErrorKind.TOKEN
    assert [call for call in fake_zalo.calls if call[0] == CS_PATH] == [(CS_PATH, -216)] * 2
    assert len(fake_zalo.refresh_calls) == 2  # the first token, then one refresh
    tokens.close()
