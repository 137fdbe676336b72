"""Runs the conversation core for every channel: one database transaction per update.

Adapters call `ConversationRunner.handle(update)` and render the replies it returns. Updates of
one chat are handled one at a time, in arrival order (an asyncio lock per chat in this process;
the chat's row lock in the database across processes).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Engine

from handlers.context import ConversationConfig, Deps
from handlers.dispatch import handle_update
from handlers.types import Channel, Effect, NotifyAgents, Outcome, Reply, SendOneTimeCode, Update
from meters.account_store import SqlAccountStore
from meters.chat_store import SqlChatStore
from meters.database import write_transaction
from meters.repository import SqlMeterRepository
from meters.usage import UsageService

logger = logging.getLogger(__name__)

AREAS_REFRESH_SECONDS = 600.0
DATABASE_WORKERS = 4


class OneTimeCodeSender(Protocol):
    """Delivers a linking code to a contract phone (SMS gateway, Zalo ZNS, or the dev log)."""

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Deliver the code; raise on failure."""


class AgentNotifier(Protocol):
    """Tells the call centre about a new handoff case."""

    async def notify(self, effect: NotifyAgents) -> None:
        """Announce the case."""


class DevLogCodeSender:
    """The embedded default: one-time codes go to the service log, marked development-only."""

    async def send_code(self, effect: SendOneTimeCode) -> None:
        """Log the code (never do this in production: set DIENBOT_SMS_URL)."""
        logger.warning(
            "DEVELOPMENT ONLY (no DIENBOT_SMS_URL): one-time code %s for customer %s",
            effect.code,
            effect.customer_code,
        )


class LogAgentNotifier:
    """Until an agent channel is configured, handoff cases are announced in the log."""

    async def notify(self, effect: NotifyAgents) -> None:
        """Log the case number and reason."""
        logger.info("handoff case %d opened (%s)", effect.case_id, effect.reason)


class ConversationRunner:
    """The one entry point of the conversation core for adapters."""

    def __init__(
        self,
        engine: Engine,
        config: ConversationConfig,
        *,
        code_senders: Mapping[Channel, OneTimeCodeSender] | None = None,
        default_code_sender: OneTimeCodeSender | None = None,
        agent_notifier: AgentNotifier | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._code_senders = dict(code_senders or {})
        self._default_code_sender = default_code_sender or DevLogCodeSender()
        self._agent_notifier = agent_notifier or LogAgentNotifier()
        self._clock = clock
        self._locks: dict[tuple[Channel, str], asyncio.Lock] = {}
        self._areas: tuple[str, ...] | None = None
        self._areas_read_at = 0.0
        # SQLite has one writer, and a transaction that read first and writes later fails at
        # once ("database is locked", no busy wait) when another one committed in between:
        # this process's transactions take turns instead (every update writes anyway).
        self._sqlite_turns = threading.Lock() if engine.dialect.name == "sqlite" else None
        # Updates run on worker threads. SQLite takes one writer at a time, so one thread is
        # enough there; more would only contend for the GIL. PostgreSQL overlaps its round trips.
        workers = 1 if self._sqlite_turns is not None else DATABASE_WORKERS
        self._workers = ThreadPoolExecutor(workers, thread_name_prefix="conversation")

    @property
    def config(self) -> ConversationConfig:
        """The conversation settings (the agent console's case service uses them too)."""
        return self._config

    def set_code_sender(self, channel: Channel, sender: OneTimeCodeSender) -> None:
        """Deliver the codes of `channel` through `sender` (Zalo uses ZNS)."""
        self._code_senders[channel] = sender

    def set_agent_notifier(self, notifier: AgentNotifier) -> None:
        """Announce handoff cases through `notifier`."""
        self._agent_notifier = notifier

    async def handle(self, update: Update) -> tuple[Reply, ...]:
        """Answer one update: its replies, after carrying out its effects."""
        key = (update.user.channel, update.user.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            outcome = await asyncio.get_running_loop().run_in_executor(
                self._workers, self._handle_in_transaction, update
            )
        if not lock.locked():
            self._locks.pop(key, None)
        for effect in outcome.effects:
            await self._carry_out(effect)
        return outcome.replies

    def close(self) -> None:
        """Let the worker threads end once their updates are done."""
        self._workers.shutdown(wait=False)

    def handle_blocking(self, update: Update) -> Outcome:
        """The same as `handle` for callers without an event loop (benchmarks, the terminal)."""
        return self._handle_in_transaction(update)

    def _handle_in_transaction(self, update: Update) -> Outcome:
        now = self._clock() if self._clock is not None else update.received_at
        if self._sqlite_turns is None:
            with self._engine.begin() as connection:
                return handle_update(update, self._deps(connection, now))
        # SQLite: the write lock from BEGIN on (BEGIN IMMEDIATE). The areas are read before the
        # first write, and a transaction that has read fails at once ("database is locked")
        # when another process's or task's writer (dispatcher, scheduler lease, agent group)
        # committed meanwhile.
        with self._sqlite_turns, write_transaction(self._engine) as connection:
            return handle_update(update, self._deps(connection, now))

    def _deps(self, connection: Connection, now: datetime) -> Deps:
        accounts = SqlAccountStore(connection)
        return Deps(
            chats=SqlChatStore(connection),
            accounts=accounts,
            usage=UsageService(SqlMeterRepository(connection)),
            config=self._config,
            now=now,
            areas=self._area_names(accounts),
        )

    def _area_names(self, accounts: SqlAccountStore) -> tuple[str, ...]:
        """The gazetteer of area names, read again every few minutes (imports add areas)."""
        moment = time.monotonic()
        if self._areas is None or moment - self._areas_read_at > AREAS_REFRESH_SECONDS:
            self._areas = accounts.area_names()
            self._areas_read_at = moment
        return self._areas

    async def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, SendOneTimeCode):
            sender = self._code_senders.get(effect.channel, self._default_code_sender)
            try:
                await sender.send_code(effect)
            except Exception:  # an SMS gateway outage must not lose the chat's reply
                logger.exception("could not deliver a one-time code on %s", effect.channel)
        else:
            await self._agent_notifier.notify(effect)
