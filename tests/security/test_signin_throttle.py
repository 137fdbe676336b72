"""Issue 20 item 4: sign-ins hash off the event loop and outside any transaction, and are
throttled by client address and, with a growing pause, by user name."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event

from bot.web.agent import throttle
from bot.web.agent.auth import CONSOLE, HASHES_AT_ONCE
from bot.web.keys import ENGINE
from tests.security.conftest import Client, ClientFactory, service

PASSWORD = "mat-khau-dai-dai-9"
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The console's clock, moved by the test."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class ObservedHasher(PasswordHasher):
    """argon2 as the console uses it, noting where each verification runs."""

    transactions: Counter[int] = field(default_factory=Counter)  # open, per thread
    seen: list[tuple[bool, int]] = field(default_factory=list)  # (on the loop's thread, open)
    running: int = 0
    most_at_once: int = 0

    def __post_init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            me = threading.get_ident()
            self.seen.append((me == LOOP_THREAD[0], self.transactions[me]))
        try:
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


LOOP_THREAD = [0]


async def console_client(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock, hasher: PasswordHasher | None
) -> Client:
    app = service(sqlite_url, DIENBOT_AGENT_PASSWORD=PASSWORD, DIENBOT_TRUSTED_PROXIES="127.0.0.1")
    client = await aiohttp_client(app)
    console = app[CONSOLE]
    console.now = clock
    if hasher is not None:
        console.hasher = hasher
    return client


async def sign_in(client: Client, address: str, password: str, user: str = "admin") -> int:
    async with client.post(
        "/agent/login",
        data={"username": user, "password": password},
        headers={"X-Forwarded-For": address},
        allow_redirects=False,
    ) as response:
        return response.status


@pytest.fixture
def clock() -> Clock:
    """A fixed clock."""
    return Clock()


async def test_the_hash_runs_on_a_worker_thread_outside_any_transaction_a_few_at_once(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock
) -> None:
    LOOP_THREAD[0] = threading.get_ident()
    hasher = ObservedHasher()
    client = await console_client(aiohttp_client, sqlite_url, clock, hasher)
    engine = client.app[ENGINE]

    def begun(connection: Any) -> None:
        hasher.transactions[threading.get_ident()] += 1

    def ended(connection: Any) -> None:
        hasher.transactions[threading.get_ident()] -= 1

    event.listen(engine, "begin", begun)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    addresses = [f"198.51.100.{number}" for number in range(12)]
    statuses = await asyncio.gather(*(sign_in(client, a, "sai-mat-khau") for a in addresses))
    assert statuses == [401] * len(addresses)
    assert await sign_in(client, "203.0.113.9", PASSWORD) == 303
    assert len(hasher.seen) == len(addresses) + 1
    assert hasher.seen == [(False, 0)] * len(hasher.seen)
    assert 1 <= hasher.most_at_once <= HASHES_AT_ONCE


async def test_a_paused_user_still_signs_in_from_an_address_that_has_not_failed(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock
) -> None:
    client = await console_client(aiohttp_client, sqlite_url, clock, None)
    attacker = "198.51.100.66"
    for _ in range(throttle.USER_FREE_FAILURES + 3):
        assert await sign_in(client, attacker, "sai-mat-khau") == 401
        clock.advance(throttle.USER_LONGEST_PAUSE)  # each pause passed: every guess is hashed
    assert await sign_in(client, attacker, "sai-mat-khau") == 401
    assert await sign_in(client, attacker, PASSWORD) == 429  # the attacker's address waits
    assert await sign_in(client, "203.0.113.9", PASSWORD) == 303  # the supervisor's desk


async def test_the_pause_of_a_user_doubles_with_each_failure(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock
) -> None:
    client = await console_client(aiohttp_client, sqlite_url, clock, None)
    address = "198.51.100.7"
    pauses = []
    for failures in range(1, 8):
        assert await sign_in(client, address, "sai-mat-khau") == 401
        pause = throttle.user_pause(failures)
        pauses.append(pause)
        if pause:
            clock.advance(pause - timedelta(milliseconds=1))
            assert await sign_in(client, address, PASSWORD) == 429
            clock.advance(timedelta(milliseconds=1))
    assert pauses[: throttle.USER_FREE_FAILURES] == [timedelta(0)] * throttle.USER_FREE_FAILURES
    grown = pauses[throttle.USER_FREE_FAILURES :]
    assert grown == [timedelta(seconds=seconds) for seconds in (1, 2, 4, 8)]
    assert await sign_in(client, address, PASSWORD) == 303  # the right password, once allowed
    assert await sign_in(client, address, "sai-mat-khau") == 401  # and the pause starts over
    assert await sign_in(client, address, "sai-mat-khau") == 401


async def test_an_address_that_keeps_failing_is_refused_for_every_user_name(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock
) -> None:
    client = await console_client(aiohttp_client, sqlite_url, clock, None)
    address = "198.51.100.8"
    for number in range(throttle.ADDRESS_FAILURES.limit):
        assert await sign_in(client, address, "sai", user=f"user{number}") == 401
    assert await sign_in(client, address, PASSWORD) == 429
    assert await sign_in(client, "198.51.100.9", PASSWORD) == 303
    clock.advance(throttle.ADDRESS_FAILURES.period)
    assert await sign_in(client, address, PASSWORD) == 303


async def test_the_refusal_says_when_to_try_again(
    aiohttp_client: ClientFactory, sqlite_url: str, clock: Clock
) -> None:
    client = await console_client(aiohttp_client, sqlite_url, clock, None)
    for _ in range(throttle.USER_FREE_FAILURES + 1):
        assert await sign_in(client, "198.51.100.10", "sai") == 401
    async with client.post(
        "/agent/login",
        data={"username": "admin", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.10"},
    ) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "1"  # the pause after the fourth failure
