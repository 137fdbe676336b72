"""A real `dienbot run` under web chat and webhook load, SIGKILLed half-way and started again.

200 web chat visitors (each: ask, wait for the answer, think a second; its page polls the inbox
every 3 s) for 60 s, while Telegram's stand-in pushes updates to the webhook and Zalo's posts
events at a steady rate, each from a user of its own. At 30 s the service is SIGKILLed and
started again at once. Printed per engine (SQLite, and PostgreSQL when DIENBOT_TEST_POSTGRES_URL
is set): web answers per second with their p50/p99, polls and their statuses, the webhooks'
acknowledgement latency, and for each webhook how many events were acknowledged, how many of
those were answered after the restart (lost = acknowledged and never answered), and how many
turns ran twice. Everything runs on this machine: the figures include the load generator.

Environment: DIENBOT_BENCH_VISITORS (200), DIENBOT_BENCH_SECONDS (60), DIENBOT_BENCH_WEBHOOK_RATE
(events per second per webhook, 15).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout, DummyCookieJar
from sqlalchemy import Engine, create_engine

from meters.database import create_store_engine, normalise_url, upgrade
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.security.service_process import ServiceProcess, turns_by_user

QUESTIONS = (
    "lịch cúp điện tuần này",
    "đóng tiền điện ở đâu",
    "tính tiền điện 250 kWh",
    "xin chào",
    "giá điện bậc thang",
)
CHAT = {"X-Dienbot-Chat": "1"}
BOT_TOKEN = "123456:BENCH"  # noqa: S105 - the stand-in's token
POLL_SECONDS = 3.0
THINK_SECONDS = 1.0
DRAIN_TIMEOUT = 120.0  # for the killed process's events to be answered after the restart


def setting(name: str, default: str) -> str:
    """A benchmark parameter from the environment."""
    return os.environ.get(f"DIENBOT_BENCH_{name}", default)


@dataclass
class Tally:
    """What the load generator saw."""

    answer_ms: list[float] = field(default_factory=list)
    poll_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    zalo_ack_ms: list[float] = field(default_factory=list)
    zalo_sent: int = 0
    zalo_acknowledged: set[str] = field(default_factory=set)
    telegram_users: list[int] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0 when there is nothing)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def visitor(url: str, number: int, until: float, tally: Tally) -> None:
    """One web chat page: ask, read the answer, think; its inbox polled every 3 s."""
    timeout = ClientTimeout(total=30)
    async with ClientSession(cookie_jar=DummyCookieJar(), timeout=timeout) as session:
        cookie = ""
        while not cookie and time.monotonic() < until:
            try:
                async with session.get(f"{url}/") as page:
                    cookie = f"dienbot_visitor={page.cookies['dienbot_visitor'].value}"
            except (ClientError, OSError, KeyError):
                await asyncio.sleep(0.5)
        headers = {**CHAT, "Cookie": cookie}
        poller = asyncio.create_task(poll_inbox(session, url, headers, until, tally))
        for question in itertools.cycle(QUESTIONS[number % len(QUESTIONS) :] + QUESTIONS):
            if time.monotonic() >= until:
                break
            started = time.perf_counter()
            try:
                async with session.post(
                    f"{url}/chat/api/messages", json={"text": question}, headers=headers
                ) as reply:
                    body = await reply.json()
                    status = reply.status
            except (ClientError, OSError, TimeoutError):
                tally.statuses["message: no connection"] += 1
                await asyncio.sleep(0.5)
                continue
            tally.statuses[f"message: {status}"] += 1
            if status == 200 and body["replies"]:
                tally.answer_ms.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(THINK_SECONDS)
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller


async def poll_inbox(
    session: ClientSession, url: str, headers: dict[str, str], until: float, tally: Tally
) -> None:
    """The page's look at its inbox every POLL_SECONDS."""
    while time.monotonic() < until:
        await asyncio.sleep(POLL_SECONDS)
        started = time.perf_counter()
        try:
            async with session.get(f"{url}/chat/api/inbox", headers=headers) as inbox:
                await inbox.read()
                tally.statuses[f"poll: {inbox.status}"] += 1
                if inbox.status == 200:
                    tally.poll_ms.append((time.perf_counter() - started) * 1000)
        except (ClientError, OSError, TimeoutError):
            tally.statuses["poll: no connection"] += 1


async def zalo_load(
    zalo: FakeZalo, service: ServiceProcess, rate: float, until: float, tally: Tally
) -> None:
    """A Zalo event from a new user every 1/rate seconds."""
    tasks = []
    for number in itertools.count():
        if time.monotonic() >= until:
            break
        user = f"zb{number}"
        zalo.add_user(user)
        tasks.append(asyncio.create_task(one_zalo_event(zalo, service, user, tally)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def one_zalo_event(zalo: FakeZalo, service: ServiceProcess, user: str, tally: Tally) -> None:
    """Send one event; remember it when acknowledged."""
    tally.zalo_sent += 1
    started = time.perf_counter()
    with contextlib.suppress(ClientError, OSError):
        if await zalo.user_sends_text(f"{service.url}/zalo/webhook", user, "xin chào") == 200:
            tally.zalo_ack_ms.append((time.perf_counter() - started) * 1000)
            tally.zalo_acknowledged.add(user)


async def telegram_load(telegram: FakeTelegram, rate: float, until: float, tally: Tally) -> None:
    """A Telegram update from a new user every 1/rate seconds (the stand-in pushes them)."""
    for number in itertools.count():
        if time.monotonic() >= until:
            return
        user = 500_000 + number
        telegram.add_user(user)
        tally.telegram_users.append(user)
        await telegram.user_message(user, "xin chào")
        await asyncio.sleep(1 / rate)


async def run(database_url: str, engine: Engine, directory: Path) -> None:
    """One run on one engine; prints its figures."""
    visitors = int(setting("VISITORS", "200"))
    seconds = float(setting("SECONDS", "60"))
    rate = float(setting("WEBHOOK_RATE", "15"))
    telegram, zalo = FakeTelegram(token=BOT_TOKEN), FakeZalo()
    await telegram.start()
    await zalo.start()
    service = ServiceProcess(database_url, telegram, zalo, directory)
    tally = Tally()
    try:
        await service.start()
        started = time.monotonic()
        until = started + seconds
        load = [
            *(visitor(service.url, n, until, tally) for n in range(visitors)),
            zalo_load(zalo, service, rate, until, tally),
            telegram_load(telegram, rate, until, tally),
        ]
        running = asyncio.gather(*load)
        await asyncio.sleep(seconds / 2)
        await service.kill()
        killed_at = time.monotonic() - started
        await service.start()
        restarted_in = time.monotonic() - started - killed_at
        await running
        telegram_acknowledged = {
            tally.telegram_users[update_id - 1]
            for update_id, outcome in telegram.webhook_deliveries
            if outcome == 200 and update_id <= len(tally.telegram_users)
        }
        drained = await drain(telegram, zalo, telegram_acknowledged, tally)
    finally:
        await service.stop()
        await telegram.stop()
        await zalo.stop()
    report(
        engine=engine,
        tally=tally,
        telegram=telegram,
        zalo=zalo,
        telegram_acknowledged=telegram_acknowledged,
        seconds=seconds,
        killed_at=killed_at,
        restarted_in=restarted_in,
    )
    print(f"  every acknowledged event answered within {drained:.1f} s after the load ended")


async def drain(
    telegram: FakeTelegram, zalo: FakeZalo, telegram_acknowledged: set[int], tally: Tally
) -> float:
    """Wait until every acknowledged event has its answer (or DRAIN_TIMEOUT); how long."""
    started = time.monotonic()
    for _ in range(int(DRAIN_TIMEOUT * 10)):
        if all(telegram.bot_messages(u) for u in telegram_acknowledged) and all(
            zalo.texts_to(u) for u in tally.zalo_acknowledged
        ):
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - started


def report(
    *,
    engine: Engine,
    tally: Tally,
    telegram: FakeTelegram,
    zalo: FakeZalo,
    telegram_acknowledged: set[int],
    seconds: float,
    killed_at: float,
    restarted_in: float,
) -> None:
    """Print the run's figures."""
    print(f"  killed at {killed_at:.1f} s, serving again {restarted_in:.1f} s later")
    answers = tally.answer_ms
    print(
        f"  web chat: {len(answers)} answers in {seconds:.0f} s = {len(answers) / seconds:.1f}/s,"
        f" p50 {percentile(answers, 0.5):.0f} ms, p99 {percentile(answers, 0.99):.0f} ms"
    )
    polls = tally.poll_ms
    print(
        f"  inbox polls: {len(polls)} answered, p50 {percentile(polls, 0.5):.0f} ms,"
        f" p99 {percentile(polls, 0.99):.0f} ms"
    )
    print("  statuses: " + ", ".join(f"{k} ×{v}" for k, v in sorted(tally.statuses.items())))
    acks = tally.zalo_ack_ms
    print(
        f"  Zalo webhook acknowledgement: p50 {percentile(acks, 0.5):.0f} ms,"
        f" p99 {percentile(acks, 0.99):.0f} ms"
    )
    channels = (
        (
            "telegram",
            len(tally.telegram_users),
            {str(u) for u in telegram_acknowledged},
            lambda user: bool(telegram.bot_messages(int(user))),
        ),
        ("zalo", tally.zalo_sent, tally.zalo_acknowledged, lambda user: bool(zalo.texts_to(user))),
    )
    for name, sent, acknowledged, answered in channels:
        turns = turns_by_user(engine, name)
        lost = sorted(user for user in acknowledged if not answered(user))
        twice = sum(1 for count in turns.values() if count > 1)
        print(
            f"  {name}: {sent} sent, {len(acknowledged)} acknowledged,"
            f" {len(acknowledged) - len(lost)} of them answered, {len(lost)} lost,"
            f" {twice} turns run twice"
        )


@contextmanager
def postgres_schema(url: str) -> Iterator[tuple[Engine, str]]:
    """An engine and URL on a new, migrated PostgreSQL schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    schema_url = f"{normalise_url(url)}{separator}options=-csearch_path%3D{schema}"
    engine = create_store_engine(schema_url)
    upgrade(engine)
    try:
        yield engine, schema_url
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def main() -> None:
    """SQLite, then PostgreSQL when the test server is configured."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        engine = create_store_engine(url)
        upgrade(engine)
        print("SQLite:")
        asyncio.run(run(url, engine, Path(directory)))
        engine.dispose()
    postgres = os.environ.get("DIENBOT_TEST_POSTGRES_URL")
    if not postgres:
        print("PostgreSQL: skipped (DIENBOT_TEST_POSTGRES_URL is not set)")
        return
    with tempfile.TemporaryDirectory() as directory, postgres_schema(postgres) as (engine, url):
        print("PostgreSQL:")
        asyncio.run(run(url, engine, Path(directory)))


if __name__ == "__main__":
    main()
