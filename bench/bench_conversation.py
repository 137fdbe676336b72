"""Replies per second and latency through `ConversationRunner.handle` on SQLite and PostgreSQL.

1 000 simulated customers of the demo data (Telegram users, each linked by sharing the contract
phone first) then ask a mix of usage, bill, outage, payment and unknown questions, each waiting
for its reply before the next question. Two loads on one process:

- saturation: all 1 000 customers at once (closed loop): the most replies per second; latency
  then includes the wait for a worker thread, so it grows with the number of customers;
- paced: the same messages offered at a fixed rate (500/s, the target), so latency is what one
  customer sees at that load (target p99 < 50 ms);
- sustainable: paced at 80 % of the saturation rate (when that is below 500/s), the latency
  of a process that keeps up.

Then one customer alone, to give the service time of each kind of question, and a profile of
the hottest functions. PostgreSQL runs only when DIENBOT_TEST_POSTGRES_URL is set
(scripts/with-test-postgres.sh). Environment: BENCH_CUSTOMERS (default 1000).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import os
import pstats
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import Engine, create_engine, event

from bot.conversation import ConversationRunner
from bot.heap import settle_heap
from handlers.context import ConversationConfig
from handlers.types import Channel, SendOneTimeCode, SharedContact, Update, UserRef
from meters import postgres_wire
from meters.database import create_store_engine, normalise_url, upgrade
from meters.demo.generate import generate_demo
from meters.demo.load import load_demo
from meters.demo.model import DemoData
from nlu import parse

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
QUESTIONS_PER_CUSTOMER = 5
PACED_RATE = 500.0  # messages offered per second in the paced run
TARGET_RATE = 500.0
TARGET_P99_MS = 50.0
SCHEDULE_START_S = 0.2  # from the paced round's start to its first message's slot
KEPT_UP = 0.99  # a paced run that answered this share of its offered rate kept up with it
QUESTIONS = {
    "usage": ("hôm qua nhà tôi dùng bao nhiêu số", "điện tiêu thụ tháng này"),
    "bill": ("tiền điện tháng này bao nhiêu", "hóa đơn tháng trước"),
    "outage": ("lịch cúp điện tuần này", "khi nào có điện lại"),
    "payment": ("đóng tiền điện ở đâu", "tôi đã thanh toán tiền điện chưa"),
    "unknown": ("con mèo nhà tôi màu gì", "asdf qwer"),
}


class QuietCodes:
    """No one-time codes are sent in the benchmark (linking is by contact)."""

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Drop the code."""


@dataclass(frozen=True, slots=True)
class Message:
    """One update a simulated customer sends, with the kind of question it is."""

    kind: str
    update: Update


def customers_count() -> int:
    return int(os.environ.get("BENCH_CUSTOMERS", "1000"))


def conversations(demo: DemoData, now: datetime, prefix: str) -> list[list[Message]]:
    """For each customer: share the phone, then the questions, in order (new chat users)."""
    kinds = list(QUESTIONS)
    result: list[list[Message]] = []
    for number, customer in enumerate(demo.customers):
        user = UserRef(Channel.TELEGRAM, f"{prefix}{number}", "Khách")
        contact = SharedContact(customer.phone, user.external_id)
        messages = [Message("link", Update(user=user, received_at=now, contact=contact))]
        for turn in range(QUESTIONS_PER_CUSTOMER):
            kind = kinds[(number + turn) % len(kinds)]
            text = QUESTIONS[kind][(number // len(kinds) + turn) % 2]
            messages.append(Message(kind, Update(user=user, received_at=now, text=text)))
        result.append(messages)
    return result


def quantile_ms(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000 if len(latencies) > 1 else 0.0


def report(
    label: str, latencies: list[float], elapsed: float, offered: float | None = None
) -> None:
    """One run's figures; a paced run (`offered`) is judged against the target: it is met when
    the target rate was offered, kept up with (a paced run ends with its last message's slot, so
    it can only approach its offered rate) and answered with p99 under the target."""
    rate = len(latencies) / elapsed
    p50, p99 = quantile_ms(latencies, 50), quantile_ms(latencies, 99)
    verdict = ""
    if offered is not None:
        kept_up = offered >= TARGET_RATE and rate >= KEPT_UP * offered
        met = "meets" if kept_up and p99 < TARGET_P99_MS else "misses"
        verdict = f" ({met} ≥ {TARGET_RATE:.0f}/s with p99 < {TARGET_P99_MS:.0f} ms)"
    print(
        f"  {label}: {len(latencies):,} replies in {elapsed:.2f} s = {rate:,.0f} replies/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies) * 1000:.1f} ms{verdict}",
        flush=True,
    )


async def saturation(runner: ConversationRunner, chats: list[list[Message]]) -> float:
    latencies: list[float] = []

    async def customer(messages: list[Message]) -> None:
        for message in messages:
            started = time.perf_counter()
            await runner.handle(message.update)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(customer(messages) for messages in chats))
    elapsed = time.perf_counter() - started
    report(f"saturation, {len(chats):,} customers at once", latencies, elapsed)
    return len(latencies) / elapsed


def parse_microseconds(today: date) -> float:
    """This machine's speed at the moment: one NLU parse of the benchmark's questions, in µs.

    The same code's figures move with it (a parse took 146-218 µs on this machine in one
    evening), so each paced round prints it beside its latency."""
    texts = [text for pair in QUESTIONS.values() for text in pair] * 30
    started = time.perf_counter()
    for text in texts:
        parse(text, today)
    return (time.perf_counter() - started) / len(texts) * 1e6


async def paced(runner: ConversationRunner, chats: list[list[Message]], rate: float) -> None:
    """Message k of customer i is due at slot k * customers + i of a schedule at `rate`; a
    customer still waiting for a reply sends its next message as soon as the reply arrives."""
    speed = parse_microseconds(chats[0][0].update.received_at.date())
    latencies: list[float] = []
    # The schedule starts once every simulated customer's task has started and is waiting for
    # its slot: starting 1 000 tasks holds the event loop for tens of milliseconds, which would
    # otherwise delay the first replies of the round.
    started = time.perf_counter() + SCHEDULE_START_S

    async def customer(index: int, messages: list[Message]) -> None:
        for turn, message in enumerate(messages):
            delay = started + (turn * len(chats) + index) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            begin = time.perf_counter()
            await runner.handle(message.update)
            latencies.append(time.perf_counter() - begin)

    await asyncio.gather(*(customer(index, messages) for index, messages in enumerate(chats)))
    elapsed = time.perf_counter() - started
    report(
        f"paced at {rate:.0f} messages/s offered (one NLU parse {speed:.0f} µs before it)",
        latencies,
        elapsed,
        offered=rate,
    )


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[int]]:
    """Statements the database executes, counted at the driver: the stores run their hot ones
    on the driver's cursor, past SQLAlchemy's cursor events. Each row of an executemany counts,
    BEGIN and COMMIT count, a pool's ping (before checkout) does not."""
    sent = [0]

    def count(*_args: object) -> None:
        sent[0] += 1

    if engine.dialect.name == "sqlite":

        def checkout(dbapi_connection: Any, _record: object, _proxy: object) -> None:
            dbapi_connection.set_trace_callback(count)

        def checkin(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.set_trace_callback(None)

        listeners: list[tuple[str, Callable[..., None]]] = [
            ("checkout", checkout),
            ("checkin", checkin),
        ]
    else:

        class CountingCursor(psycopg.Cursor[Any]):
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                count()
                return super().execute(*args, **kwargs)

            def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
                batch = list(params_seq)
                sent[0] += len(batch)
                super().executemany(query, batch, **kwargs)

        def checkout(dbapi_connection: Any, _record: object, _proxy: object) -> None:
            dbapi_connection.cursor_factory = CountingCursor

        def checkin(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.cursor_factory = psycopg.Cursor

        # psycopg sends BEGIN itself; COMMIT is a call on the connection, not a cursor's.
        listeners = [("checkout", checkout), ("checkin", checkin)]
        listeners += [("begin", count), ("commit", count)]
    # Driver statements on PostgreSQL run on libpq, past any cursor: counted where they start.
    run_prepared = postgres_wire.run_prepared

    def counted_run_prepared(
        connection: psycopg.Connection[Any], sql: postgres_wire.WireSql, values: Any
    ) -> postgres_wire.WireResult | None:
        result = run_prepared(connection, sql, values)
        if result is not None:  # None: the cursor runs it, and counts it
            count()
        return result

    postgres_wire.run_prepared = counted_run_prepared
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield sent
    finally:
        postgres_wire.run_prepared = run_prepared
        for name, listener in listeners:
            event.remove(engine, name, listener)


def service_times(runner: ConversationRunner, engine: Engine, chats: list[list[Message]]) -> None:
    """One message at a time, no concurrency: what each kind of question costs, in time and in
    SQL statements the database executes."""
    by_kind: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}
    with counted_statements(engine) as sent:
        for messages in chats[:200]:
            for message in messages:
                sent[0] = 0
                started = time.perf_counter()
                runner.handle_blocking(message.update)
                by_kind.setdefault(message.kind, []).append(time.perf_counter() - started)
                statements.setdefault(message.kind, []).append(sent[0])
    shown = ", ".join(
        f"{kind} p50 {quantile_ms(values, 50):.1f} / p99 {quantile_ms(values, 99):.1f} ms"
        for kind, values in by_kind.items()
    )
    print(f"  one at a time: {shown}", flush=True)
    counted = ", ".join(
        f"{kind} {statistics.fmean(values):.1f}" for kind, values in statements.items()
    )
    print(
        f"  statements per update (executed by the database, BEGIN and COMMIT included): "
        f"{counted}",
        flush=True,
    )


def profile(runner: ConversationRunner, chats: list[list[Message]]) -> None:
    """Where one update's time goes: the functions with the most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    updates = 0
    for messages in chats:
        for message in messages:
            runner.handle_blocking(message.update)
            updates += 1
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"  profile of {updates} updates one at a time (cumulative seconds, under cProfile):")
    for line in lines[start : start + 41]:
        if line.strip():
            trimmed = line.replace(str(Path.cwd()) + "/", "").replace(
                ".venv/lib/python3.11/site-packages/", ""
            )
            print("    " + trimmed[:150])


def run_on(label: str, engine: Engine, demo: DemoData) -> None:
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        load_demo(connection, demo, ZONE)
    print(f"{label}: demo loaded in {time.perf_counter() - started:.1f} s", flush=True)
    now = datetime.combine(demo.today, clock_time(9, 30), tzinfo=ZONE)
    config = ConversationConfig(zone=ZONE)
    capacity = PACED_RATE
    rounds = ("saturation", "paced", "sustainable", "alone")
    # Each round links anew. The simulated customers' messages are built before the heap is
    # settled: they stand for customers outside the service, and a full collection that walks
    # them would be charged to the service's replies.
    chats_of = {label: conversations(demo, now, prefix=f"{label}-") for label in rounds}
    settle_heap()  # as `dienbot run` does once it has started
    for round_label, chats in chats_of.items():
        runner = ConversationRunner(engine, config, default_code_sender=QuietCodes())
        try:
            if round_label == "saturation":
                capacity = asyncio.run(saturation(runner, chats))
            elif round_label == "paced":
                asyncio.run(paced(runner, chats, PACED_RATE))
            elif round_label == "sustainable":  # 80 % of what saturation reached: no backlog
                asyncio.run(paced(runner, chats, min(PACED_RATE, 0.8 * capacity)))
            else:
                service_times(runner, engine, chats)
                profile(runner, chats[-100:])
        finally:
            runner.close()
        # A round's event loop, tasks and runner are garbage now: collected here, not during the
        # next round (a service has no rounds).
        gc.collect()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    """An engine on a new PostgreSQL schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    engine = create_store_engine(
        f"{normalise_url(url)}{separator}options=-csearch_path%3D{schema}",
        pool_size=10,
        max_overflow=10,
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def main() -> None:
    """Print throughput and latency of the conversation core on both engines."""
    count = customers_count()
    today = datetime.now(ZONE).date()
    started = time.perf_counter()
    demo = generate_demo(seed=2025, customers=count, today=today, zone=ZONE, days=70)
    print(
        f"demo: {count:,} customers, 70 days, generated in {time.perf_counter() - started:.1f} s; "
        f"{1 + QUESTIONS_PER_CUSTOMER} messages per customer; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as directory:
        engine = create_store_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            run_on("SQLite", engine, demo)
        finally:
            engine.dispose()
    url = os.environ.get("DIENBOT_TEST_POSTGRES_URL")
    if not url:
        print("PostgreSQL: skipped (DIENBOT_TEST_POSTGRES_URL is not set; `make bench` sets it)")
        return
    with postgres_engine(url) as engine:
        run_on("PostgreSQL", engine, demo)


if __name__ == "__main__":
    main()
