"""The webhooks' inbox worker: events are stored before they are acknowledged, then answered.

A channel's webhook calls `InboxWorker.accept` with a checked event; it returns once the event
is committed to the store (`meters.event_inbox`), and only then does the webhook answer 200.
The worker answers the event in the background, a chat's events one at a time in their order,
through the channel's `Answerer`: the turn records its replies in its own transaction (the
`receipt`), the answerer sends them, and the event is forgotten. Every `SWEEP_SECONDS` the
worker renews the leases of the events in its hands and claims the events whose lease ran
out: those of a process that was killed. Such an event is answered once: its turn runs again
only when it had not committed; a committed turn's stored replies are sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine

from bot.conversation import TurnReceipt
from handlers.types import Button, ButtonKind, Image, Reply
from meters import event_inbox
from meters.channel_store import forget_events
from meters.database import write_transaction
from meters.event_inbox import StoredEvent

logger = logging.getLogger(__name__)

T = TypeVar("T")

LEASE = timedelta(seconds=10)  # how long a killed process's events wait before another takes them
SWEEP_SECONDS = 2.0  # between two lease renewals and claims of expired events
CLAIM_LIMIT = 200  # events claimed by one sweep
MAX_ATTEMPTS = 5  # an event whose answer killed this many processes is dropped (logged)
STOP_WAIT_SECONDS = 5.0  # a clean stop lets the events in hand finish this long
PRUNE_EVERY = 1000  # stored events between two clean-ups of the channel's redelivery keys


class Answerer(Protocol):
    """A channel's side of the inbox: it runs an event's turn and sends replies."""

    async def answer(self, event: StoredEvent, receipt: TurnReceipt) -> bool:
        """Run the event's turn (with `receipt` in its transaction) and send the replies;
        False when the event turned out to be another process's (EventTaken)."""

    async def resend(self, event: StoredEvent, replies: tuple[Reply, ...]) -> None:
        """Send the replies a turn recorded before its process died."""


def reply_json(reply: Reply) -> dict[str, Any]:
    """A reply as the inbox keeps it."""
    return {
        "text": reply.text,
        "buttons": [[button.label, button.data, button.kind.value] for button in reply.buttons],
        "png": base64.b64encode(reply.image.png).decode("ascii") if reply.image else None,
        "caption": reply.image.caption if reply.image else None,
    }


def reply_of_json(stored: dict[str, Any]) -> Reply:
    """The reply `reply_json` kept."""
    buttons = tuple(
        Button(str(label), str(data), ButtonKind(kind)) for label, data, kind in stored["buttons"]
    )
    png = stored.get("png")
    image = Image(base64.b64decode(png), str(stored.get("caption") or "")) if png else None
    return Reply(str(stored["text"]), buttons, image)


def process_name() -> str:
    """This process's name as a lease holder."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class _ChatTurns:
    """Keeps one chat's events in order; dropped when none of the chat's events waits."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class InboxWorker:
    """Stores one channel's events before they are acknowledged, and answers them."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        answerer: Answerer,
        clock: Callable[[], datetime],
        *,
        retention: timedelta,
        holder: str | None = None,
    ) -> None:
        self._engine = engine
        self.channel = channel
        self._answerer = answerer
        self._clock = clock
        self._retention = retention
        self.holder = holder or process_name()
        self._held: set[int] = set()
        self._chats: dict[str, _ChatTurns] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._stored_since_prune = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Forget old redelivery keys, then sweep: at once (a predecessor's events), then often."""
        await asyncio.to_thread(self._prune)
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_often(), name=f"inbox-{self.channel}")

    async def stop(self) -> None:
        """Let the events in hand finish for a moment, then give back the rest."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), STOP_WAIT_SECONDS)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self._write, lambda c: event_inbox.release(c, self.holder))

    async def drain(self) -> None:
        """Wait until every event in hand has been answered (tests, a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- events in -------------------------------------------------------------------------

    async def accept(self, event_key: str, chat_key: str, payload: dict[str, Any]) -> None:
        """Commit the event to the store (a redelivery is recognised and dropped), then answer
        it in the background; raises when the store could not take it (do not acknowledge)."""
        now = self._clock()

        def store(connection: Connection) -> StoredEvent | None:
            return event_inbox.store_event(
                connection,
                channel=self.channel,
                event_key=event_key,
                chat_key=chat_key,
                payload=payload,
                received_at=now,
                holder=self.holder,
                lease_until=now + LEASE,
            )

        stored = await asyncio.to_thread(self._write, store)
        if stored is not None:
            self._submit(stored)
        self._stored_since_prune += 1
        if self._stored_since_prune >= PRUNE_EVERY:
            await asyncio.to_thread(self._prune)

    def _submit(self, event: StoredEvent) -> None:
        self._held.add(event.id)
        task = asyncio.create_task(self._answer_in_order(event), name=f"inbox-event-{event.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer_in_order(self, event: StoredEvent) -> None:
        # Tasks start in the order their events were submitted and asyncio locks are fair, so
        # taking the chat's lock first thing keeps a chat's events (and replies) in order.
        turns = self._chats.setdefault(event.chat_key, _ChatTurns())
        turns.users += 1
        try:
            async with turns.lock:
                await self._answer(event)
        except Exception:  # the worker's error boundary: the lease brings the event back
            logger.exception("inbox: %s event %d could not be answered", self.channel, event.id)
        finally:
            self._held.discard(event.id)
            turns.users -= 1
            if turns.users == 0:
                del self._chats[event.chat_key]

    async def _answer(self, event: StoredEvent) -> None:
        if event.attempts > MAX_ATTEMPTS:
            logger.error(
                "inbox: %s event %d dropped after %d attempts (received %s)",
                self.channel,
                event.id,
                event.attempts - 1,
                event.received_at.isoformat(),
            )
        elif event.replies is not None:
            await self._answerer.resend(event, tuple(reply_of_json(r) for r in event.replies))
        else:

            def receipt(connection: Connection, replies: tuple[Reply, ...]) -> None:
                event_inbox.mark_answered(
                    connection, event.id, self.holder, [reply_json(reply) for reply in replies]
                )

            if not await self._answerer.answer(event, receipt):
                return  # another process holds it now and will finish it
        await asyncio.to_thread(
            self._write, lambda connection: event_inbox.finish(connection, event.id, self.holder)
        )

    # -- the sweep -------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Renew the leases in hand and take the events whose lease ran out; how many."""
        now = self._clock()
        held = sorted(self._held)

        def claim(connection: Connection) -> tuple[StoredEvent, ...]:
            event_inbox.renew(connection, self.holder, held, now + LEASE)
            return event_inbox.claim_expired(
                connection,
                channel=self.channel,
                holder=self.holder,
                now=now,
                lease_until=now + LEASE,
                limit=CLAIM_LIMIT,
            )

        claimed = await asyncio.to_thread(self._write, claim)
        for event in claimed:
            if event.id not in self._held:
                logger.info(
                    "inbox: answering %s event %d of an earlier process", self.channel, event.id
                )
                self._submit(event)
        return len(claimed)

    async def _sweep_often(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep()
            except Exception:  # the sweep's error boundary: the next one tries again
                logger.exception("inbox: the %s sweep failed", self.channel)

    def _prune(self) -> None:
        self._stored_since_prune = 0
        before = self._clock() - self._retention
        self._write(lambda connection: forget_events(connection, self.channel, before))

    def _write(self, work: Callable[[Connection], T]) -> T:
        with write_transaction(self._engine) as connection:
            return work(connection)
