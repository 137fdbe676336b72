"""Rate-limited dispatch of the outbox for one bot token (one `bucket`).

Every dispatcher process of a bucket reserves its send slots in the shared `send_buckets` row
before it claims messages, so the configured rate holds for all of them together. Three batch
loops run side by side so the next slots are always held while a finished batch settles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from handlers.types import Reply
from meters.chat_store import SqlChatStore
from meters.outbox_records import ClaimedMessage
from meters.outbox_store import SqlOutboxStore
from scheduler.ports import Delivery, Sender, SendResult
from scheduler.render import render

logger = logging.getLogger(__name__)

# How much sending one reservation covers. The slots a killed process had reserved are lost
# (up to LOOPS x this of the bucket), so it is kept short; a claim per loop every 0.75 s is cheap.
BATCH_SECONDS = 0.25
PER_CHAT_GAP = 1.1  # seconds between two messages to one chat: Telegram allows one a second,
# and the margin keeps a message sent as the second ends from counting in it at the platform
BACKOFF_SECONDS = (30.0, 120.0, 600.0, 1800.0)
MAX_ATTEMPTS = 5
LOOPS = 3  # batch loops: while one sends, the others settle and claim the next slots
# Claim this long before the first reserved slot (and reserve no slot sooner than this, when
# the bucket is idle): the messages of a claim that ends after its first slots would be late.
CLAIM_AHEAD = timedelta(seconds=0.25)
# A message that wakes up later than this after its slot (a slow claim, a busy CPU) is not
# sent then but in a later slot: every send leaves within this of its own slot, so all the
# processes of a bucket together never send more than rate x (1 s + SLOT_TOLERANCE) a second.
SLOT_TOLERANCE = timedelta(seconds=0.03)


def utc_now() -> datetime:
    """The current moment (the dispatcher's default clock)."""
    return datetime.now(UTC)


@dataclass
class DispatchStats:
    """What one dispatcher did."""

    sent: int = 0
    retried: int = 0
    unreachable: int = 0
    rejected: int = 0
    rate_limited: int = 0
    released: int = 0
    late: int = 0  # woke up too long after their slot: not sent then (held, or put back)
    late_claims: int = 0  # claims that ended after their batch's first slot (and tolerance)
    held: int = 0  # not attempted, kept for the loop's next batch instead of put back
    reaped: int = 0
    expired: int = 0
    started: float = field(default_factory=time.monotonic)

    def rate(self) -> float:
        """Messages sent per second since the dispatcher started."""
        elapsed = time.monotonic() - self.started
        return self.sent / elapsed if elapsed > 0 else 0.0


@dataclass(frozen=True, slots=True)
class _Held:
    """A claimed message, rendered, waiting for a slot of its loop's next batch."""

    message: ClaimedMessage
    reply: Reply
    claimed_at: float  # monotonic


@dataclass(frozen=True, slots=True)
class _Attempt:
    message: ClaimedMessage
    result: SendResult | None  # None: not attempted (the bucket paused first)


class Dispatcher:
    """Sends the due messages of one bucket at `rate` per second, shared with other processes."""

    def __init__(
        self,
        engine: Engine,
        bucket: str,
        rate: float,
        sender: Sender,
        *,
        worker: str,
        lease: timedelta = timedelta(seconds=60),
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._bucket = bucket
        self._rate = rate
        self._sender = sender
        self._worker = worker
        self._lease = lease
        self._poll = poll_seconds
        self._clock = clock
        self._batch = max(1, min(500, int(rate * BATCH_SECONDS)))
        self._last_to_chat: dict[str, float] = {}
        self._paused_until = 0.0
        self._stats_lock = threading.Lock()  # the loops settle in worker threads
        self.stats = DispatchStats()

    async def run(self, stop: asyncio.Event, *, until_empty: bool = False) -> DispatchStats:
        """Dispatch until `stop` is set (or, with `until_empty`, until nothing is left)."""
        self.stats = DispatchStats()
        idle = asyncio.Event()
        loops = [asyncio.create_task(self._loop(stop, idle, until_empty)) for _ in range(LOOPS)]
        await asyncio.gather(*loops)
        return self.stats

    async def _loop(self, stop: asyncio.Event, idle: asyncio.Event, until_empty: bool) -> None:
        next_housekeeping = 0.0
        held: list[_Held] = []
        while not stop.is_set() and not idle.is_set():
            if time.monotonic() >= next_housekeeping:
                await asyncio.to_thread(self._housekeeping)
                self._forget_quiet_chats()
                next_housekeeping = time.monotonic() + max(self._lease.total_seconds() / 4, 1.0)
            claimed, held = await self._send_batch(held, hold=True)
            if claimed or held:
                continue
            # Held and leased messages count as left (status `sending`): no loop stops early.
            if until_empty and not await asyncio.to_thread(self._anything_left):
                idle.set()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._poll)
        if held:  # stopping: what this loop still holds goes back to the queue
            await asyncio.to_thread(self._settle, [_Attempt(h.message, None) for h in held])

    async def run_batch(self) -> int:
        """Reserve slots, claim that many due messages, send each in its slot; how many claimed."""
        claimed, _ = await self._send_batch([], hold=False)
        return claimed

    async def _send_batch(self, held: list[_Held], *, hold: bool) -> tuple[int, list[_Held]]:
        """Send the held messages and newly claimed ones in newly reserved slots, and settle.

        Messages that were not attempted (late for their slot, the bucket paused, their chat
        written to a moment ago) are kept for the loop's next batch rather than put back and
        claimed again, for as long as their lease is young: under load that saves a claim, a
        render and a write per late message, work that would make the next ones late too.
        """
        if not held and not await asyncio.to_thread(self._has_due):
            return 0, []
        start = await asyncio.to_thread(self._reserve, self._batch)
        await _sleep_until(start - CLAIM_AHEAD, self._clock)  # claimed by the first slot
        wanted = self._batch - len(held)
        fresh = await asyncio.to_thread(self._claim, wanted) if wanted > 0 else []
        claimed_at = time.monotonic()
        batch = [*held, *(_Held(message, reply, claimed_at) for message, reply in fresh)]
        if not batch:
            return 0, []
        if self._clock() - start > SLOT_TOLERANCE:
            self.stats.late_claims += 1
        rate = self._rate
        attempts = await asyncio.gather(
            *(
                self._send_at(each.message, each.reply, start + timedelta(seconds=index / rate))
                for index, each in enumerate(batch)
            )
        )
        young = time.monotonic() - self._lease.total_seconds() / 4
        keep: list[_Held] = []
        settled: list[_Attempt] = []
        for each, attempt in zip(batch, attempts, strict=True):
            if hold and attempt.result is None and each.claimed_at > young:
                keep.append(each)
            else:
                settled.append(attempt)
        self.stats.held += len(keep)
        await asyncio.to_thread(self._settle, settled)
        return len(fresh), keep

    async def _send_at(self, message: ClaimedMessage, reply: Reply, slot: datetime) -> _Attempt:
        await _sleep_until(slot, self._clock)
        if self._clock() - slot > SLOT_TOLERANCE:
            self.stats.late += 1
            return _Attempt(message, None)  # put back: sent late it would crowd later slots
        if time.monotonic() < self._paused_until:
            return _Attempt(message, None)
        last = self._last_to_chat.get(message.recipient)
        now = time.monotonic()
        if last is not None and now - last < PER_CHAT_GAP:
            return _Attempt(message, None)
        self._last_to_chat[message.recipient] = now
        result = await self._sender.send(message, reply)
        if result.delivery is Delivery.RATE_LIMITED:
            self._paused_until = max(self._paused_until, time.monotonic() + result.retry_after)
        return _Attempt(message, result)

    def _has_due(self) -> bool:
        with self._engine.connect() as connection:
            return SqlOutboxStore(connection).has_due(self._bucket, self._clock())

    def _anything_left(self) -> bool:
        with self._engine.connect() as connection:
            return SqlOutboxStore(connection).pending_in_bucket(self._bucket, self._clock()) > 0

    def _reserve(self, count: int) -> datetime:
        with self._engine.begin() as connection:
            return SqlOutboxStore(connection).reserve_slots(
                self._bucket, count, self._rate, self._clock(), lead=CLAIM_AHEAD
            )

    def _claim(self, count: int) -> list[tuple[ClaimedMessage, Reply]]:
        """Lease due messages and render them here, in the worker thread: rendering on the
        event loop, between the sends of the other loop's batch, would make them late."""
        with self._engine.begin() as connection:
            claimed = SqlOutboxStore(connection).claim(
                self._bucket, count, self._worker, self._clock(), self._lease
            )
        return [(message, render(message)) for message in claimed]

    def _housekeeping(self) -> None:
        now = self._clock()
        with self._stats_lock, self._engine.begin() as connection:
            store = SqlOutboxStore(connection)
            self.stats.reaped += store.reap(now)
            self.stats.expired += store.expire(now)

    def _forget_quiet_chats(self) -> None:
        cutoff = time.monotonic() - PER_CHAT_GAP
        for recipient in [key for key, at in self._last_to_chat.items() if at < cutoff]:
            del self._last_to_chat[recipient]

    def _settle(self, attempts: list[_Attempt]) -> None:
        now = self._clock()
        with self._stats_lock, self._engine.begin() as connection:
            store = SqlOutboxStore(connection)
            chats = SqlChatStore(connection)
            sent = [a.message.id for a in attempts if _delivery(a) is Delivery.SENT]
            store.mark_sent(sent, now)
            self.stats.sent += len(sent)
            later = [
                a.message.id
                for a in attempts
                if a.result is None or a.result.delivery is Delivery.RATE_LIMITED
            ]
            store.release(later)
            self.stats.released += len(later)
            for attempt in attempts:
                self._settle_failure(store, chats, attempt, now)
            paused = [a.result for a in attempts if _delivery(a) is Delivery.RATE_LIMITED]
            if paused:
                wait = max(result.retry_after for result in paused if result is not None)
                store.pause_bucket(self._bucket, now + timedelta(seconds=wait), now)
                self.stats.rate_limited += len(paused)
                logger.warning("%s: 429, pausing %.1f s", self._bucket, wait)

    def _settle_failure(
        self, store: SqlOutboxStore, chats: SqlChatStore, attempt: _Attempt, now: datetime
    ) -> None:
        result = attempt.result
        message = attempt.message
        if result is None or result.delivery in (Delivery.SENT, Delivery.RATE_LIMITED):
            return
        if result.delivery is Delivery.UNREACHABLE:
            store.give_up(message.id, result.error)
            chats.unsubscribe(message.chat_user_id, None)
            self.stats.unreachable += 1
        elif result.delivery is Delivery.REJECTED or message.attempts + 1 >= MAX_ATTEMPTS:
            store.give_up(message.id, result.error)
            self.stats.rejected += 1
        else:
            wait = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS) - 1)]
            store.retry_later(message.id, now + timedelta(seconds=wait), result.error)
            self.stats.retried += 1


def _delivery(attempt: _Attempt) -> Delivery | None:
    return None if attempt.result is None else attempt.result.delivery


async def _sleep_until(moment: datetime, clock: Callable[[], datetime]) -> None:
    delay = (moment - clock()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)
