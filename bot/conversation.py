"""Runs the conversation core for every channel: the updates of a moment share a transaction.

Adapters call `ConversationRunner.handle(update)` and render the replies it returns. Updates of
one chat are handled one at a time, in arrival order: in this process a chat has at most one
update in a batch or waiting for one, and the others queue behind it, in order (so a batch
never holds two updates of one chat); across processes the chat's row lock in the database,
taken for the whole batch before any of its reads (see `_handle_in_transaction`).

Updates of different chats that arrive while a worker is busy wait together and are then
answered in one transaction (group commit): under load one BEGIN and COMMIT and one hop to the
worker thread serve many updates, and an update arriving at a quiet moment starts at once,
alone. On PostgreSQL each worker keeps its connection (no pool checkout or ping per batch), the
transaction's statements run on their generic plans, and the turns' states and log lines are
written by one statement at the end of the batch. No reply leaves before its transaction has
committed. When any update of a batch fails, the batch is rolled back and each of its updates
runs again alone, so one broken update never costs another its answer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Engine

from bot.web.metrics import Metrics
from handlers.context import ConversationConfig, Deps
from handlers.dispatch import handle_update
from handlers.types import (
    Channel,
    CodeWithheld,
    Effect,
    NotifyAgents,
    Outcome,
    Reply,
    SendOneTimeCode,
    Update,
)
from meters.account_store import SqlAccountStore
from meters.chat_store import SqlChatStore
from meters.database import write_transaction
from meters.driver_sql import (
    lost_before_commit,
    replace_if_closed_by_server,
    short_transaction,
)
from meters.gazetteer import load_administrative_units
from meters.repository import SqlMeterRepository
from meters.turn_writes import TurnWrites
from meters.usage import UsageService
from nlu.areas import Gazetteer

logger = logging.getLogger(__name__)

AREAS_REFRESH_SECONDS = 600.0
CODES_METRIC = "dienbot_one_time_codes_total"
CODES_METRIC_HELP = (
    "One-time linking codes by channel and result: sent (the gateway took it), failed,"
    " withheld (a limit kept it from a customer)."
)
# PostgreSQL: two batches in flight keep the server busy while the other waits for it; more
# only split the waiting updates into smaller batches (more BEGIN/COMMIT, more GIL handoffs):
# 1 000 customers at saturation, 533-547/s with two workers, 488-541/s with four, 466/s with 8.
DATABASE_WORKERS = 2
# The most updates one transaction answers: bounds the wait of the first of them (a batch takes
# about 1-2 ms per update) and the row locks a batch holds on PostgreSQL.
MAX_BATCH = 32


# Called in the turn's transaction with its replies (the webhooks' inbox records them there).
TurnReceipt = Callable[[Connection, tuple[Reply, ...]], None]


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


ChatKey = tuple[Channel, str]
_Receipted = tuple[Update, TurnReceipt | None]


@dataclass(frozen=True, slots=True)
class _Waiting:
    """An update queued for the next batch, and where its outcome goes."""

    update: Update
    outcome: asyncio.Future[Outcome]
    receipt: TurnReceipt | None = None

    @property
    def chat(self) -> ChatKey:
        """The chat the update belongs to."""
        return (self.update.user.channel, self.update.user.external_id)


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
        metrics: Metrics | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._code_senders = dict(code_senders or {})
        self._default_code_sender = default_code_sender or DevLogCodeSender()
        self._agent_notifier = agent_notifier or LogAgentNotifier()
        self._clock = clock
        self._metrics = metrics
        if metrics is not None:
            metrics.describe(CODES_METRIC, CODES_METRIC_HELP)
        self._sending: set[asyncio.Task[None]] = set()  # one-time codes on their way
        # The chats with an update in flight (waiting for a batch or in one), each with the
        # chat's later updates in arrival order; a chat leaves when its last update is answered.
        self._chats: dict[ChatKey, deque[_Waiting]] = {}
        self._areas: Gazetteer | None = None
        self._areas_read_at = 0.0
        # SQLite has one writer, and a transaction that read first and writes later fails at
        # once ("database is locked", no busy wait) when another one committed in between:
        # this process's transactions take turns instead (every update writes anyway).
        self._sqlite_turns = threading.Lock() if engine.dialect.name == "sqlite" else None
        # Updates run on worker threads. SQLite takes one writer at a time, so one thread is
        # enough there; more would only contend for the GIL. PostgreSQL overlaps its round trips.
        self._worker_count = 1 if self._sqlite_turns is not None else DATABASE_WORKERS
        self._workers = ThreadPoolExecutor(self._worker_count, thread_name_prefix="conversation")
        # The gazetteer's administrative units take a second to load: before the first update,
        # not inside its transaction.
        self._workers.submit(load_administrative_units)
        self._waiting: deque[_Waiting] = deque()
        self._batches_running = 0
        # PostgreSQL: each thread keeps its connection, so a batch costs no pool checkout and
        # no ping (a round trip, and about 75 µs of Python). One the server closed while idle
        # is replaced before its next batch; one lost during a batch fails it (a batch of
        # several updates then runs again one by one: SQLAlchemy reconnects an invalidated one).
        self._kept = threading.local()
        self._kept_connections: list[Connection] = []
        self._kept_lock = threading.Lock()

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

    async def handle(
        self, update: Update, *, receipt: TurnReceipt | None = None
    ) -> tuple[Reply, ...]:
        """Answer one update: its replies, after carrying out its effects (a one-time code goes
        beside the answer; `settle` waits for it). `receipt` runs in the turn's transaction;
        when it raises, the turn is rolled back and `handle` raises that."""
        outcome = await self._answer_in_batch(update, receipt)
        for effect in outcome.effects:
            await self._carry_out(effect)
        return outcome.replies

    async def settle(self) -> None:
        """Wait until the one-time codes being sent have gone (or failed)."""
        while self._sending:
            await asyncio.gather(*self._sending)

    def close(self) -> None:
        """Finish the updates in hand, then end the worker threads and close their connections."""
        self._workers.shutdown(wait=True)
        with self._kept_lock:
            kept, self._kept_connections = self._kept_connections, []
        for connection in kept:
            connection.close()

    def handle_blocking(self, update: Update) -> Outcome:
        """The same as `handle` for callers without an event loop (benchmarks, the terminal)."""
        outcome = self._handle_in_transaction(((update, None),))[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def _answer_in_batch(self, update: Update, receipt: TurnReceipt | None) -> Outcome:
        """The outcome of the update, answered after every earlier update of its chat."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(update, loop.create_future(), receipt)
        behind = self._chats.get(waiting.chat)
        if behind is None:  # nothing of this chat in flight: the next batch may take it
            self._chats[waiting.chat] = deque()
            self._waiting.append(waiting)
            self._start_batches(loop)
        else:
            behind.append(waiting)
        return await waiting.outcome

    def _turn_over(self, chat: ChatKey) -> None:
        """The chat's update in flight is answered (or dropped): its next one may be batched."""
        behind = self._chats[chat]
        while behind:
            waiting = behind.popleft()
            if not waiting.outcome.cancelled():  # its sender gave up waiting
                self._waiting.append(waiting)
                return
        del self._chats[chat]

    def _start_batches(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand the waiting updates to the idle workers, shared out evenly among them."""
        while self._waiting and self._batches_running < self._worker_count:
            idle = self._worker_count - self._batches_running
            size = min(MAX_BATCH, -(-len(self._waiting) // idle))
            batch: list[_Waiting] = []
            for waiting in [self._waiting.popleft() for _ in range(size)]:
                if waiting.outcome.cancelled():  # its sender gave up waiting
                    self._turn_over(waiting.chat)
                else:
                    batch.append(waiting)
            if not batch:
                continue
            self._batches_running += 1
            updates = tuple((waiting.update, waiting.receipt) for waiting in batch)
            done = loop.run_in_executor(self._workers, self._answer_batch, updates)
            done.add_done_callback(functools.partial(self._settle, loop, batch))

    def _settle(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[_Waiting],
        done: asyncio.Future[list[Outcome | BaseException]],
    ) -> None:
        self._batches_running -= 1
        failure = done.exception() if not done.cancelled() else asyncio.CancelledError()
        results: Sequence[Outcome | BaseException] = (
            done.result() if failure is None else [failure] * len(batch)
        )
        for waiting, result in zip(batch, results, strict=True):
            self._turn_over(waiting.chat)
            if waiting.outcome.done():
                continue
            if isinstance(result, BaseException):
                waiting.outcome.set_exception(result)
            else:
                waiting.outcome.set_result(result)
        self._start_batches(loop)

    def _answer_batch(self, updates: tuple[_Receipted, ...]) -> list[Outcome | BaseException]:
        """The batch in one transaction; when that fails, each update again in its own."""
        if len(updates) == 1:
            return self._answer_alone(updates)
        try:
            return self._handle_in_transaction(updates, raise_failure=True)
        except Exception:
            logger.warning("a batch of %d updates failed: answering them one by one", len(updates))
            return [self._answer_alone((update,))[0] for update in updates]

    def _answer_alone(self, update: tuple[_Receipted]) -> list[Outcome | BaseException]:
        """One update in its transaction, run once more on a new connection when the kept one
        was lost before the commit (the server closed it between the idle check and BEGIN)."""
        [outcome] = self._handle_in_transaction(update)
        if isinstance(outcome, BaseException) and lost_before_commit(outcome):
            logger.warning("the database connection was lost: answering the update again")
            [outcome] = self._handle_in_transaction(update)
        return [outcome]

    def _handle_in_transaction(
        self, updates: tuple[_Receipted, ...], *, raise_failure: bool = False
    ) -> list[Outcome | BaseException]:
        # The turns run in one order of their chats in every process: the rows of new chats,
        # which `lock_chats` cannot lock yet, are created in that order, so two batches sharing
        # them wait for each other instead of deadlocking.
        order = sorted(
            range(len(updates)),
            key=lambda index: (updates[index][0].user.channel, updates[index][0].user.external_id),
        )
        outcomes: dict[int, Outcome] = {}
        try:
            with self._transaction() as connection:
                # Before any read: a turn of another process holding one of these chats is
                # waited for here, so that every read after it sees what that turn committed.
                SqlChatStore(connection).lock_chats(
                    [(update.user.channel.value, update.user.external_id) for update, _ in updates]
                )
                turns = TurnWrites()  # PostgreSQL: every turn's state and log, one statement
                for index in order:
                    update, receipt = updates[index]
                    now = self._clock() if self._clock is not None else update.received_at
                    outcomes[index] = handle_update(update, self._deps(connection, now, turns))
                    if receipt is not None:
                        receipt(connection, outcomes[index].replies)
                turns.write(connection)
        except Exception as failure:
            if raise_failure:
                raise
            return [failure]
        return [outcomes[index] for index in range(len(updates))]

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        if self._sqlite_turns is None:
            with short_transaction(self._kept_connection()) as connection:
                yield connection
            return
        # SQLite: the write lock from BEGIN on (BEGIN IMMEDIATE). The areas are read before the
        # first write, and a transaction that has read fails at once ("database is locked")
        # when another process's or task's writer (dispatcher, scheduler lease, agent group)
        # committed meanwhile.
        with self._sqlite_turns, write_transaction(self._engine) as connection:
            yield connection

    def _kept_connection(self) -> Connection:
        """This thread's connection, opened on its first transaction (and opened again when the
        server has closed it meanwhile)."""
        connection: Connection | None = getattr(self._kept, "connection", None)
        if connection is None:
            connection = self._engine.connect()
            self._kept.connection = connection
            with self._kept_lock:
                self._kept_connections.append(connection)
        replace_if_closed_by_server(connection)
        return connection

    def _deps(self, connection: Connection, now: datetime, turns: TurnWrites) -> Deps:
        accounts = SqlAccountStore(connection)
        return Deps(
            chats=SqlChatStore(connection, turns),
            accounts=accounts,
            usage=UsageService(SqlMeterRepository(connection)),
            config=self._config,
            now=now,
            areas=self._area_names(accounts),
        )

    def _area_names(self, accounts: SqlAccountStore) -> Gazetteer:
        """The gazetteer of area names, read again every few minutes (imports add areas)."""
        moment = time.monotonic()
        areas = self._areas
        if areas is None or moment - self._areas_read_at > AREAS_REFRESH_SECONDS:
            areas = self._areas = accounts.area_names()
            self._areas_read_at = moment
        return areas

    async def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, SendOneTimeCode):
            # Sent beside the answer, not before it: the gateway's time must not tell a chat
            # that the customer code it typed exists.
            task = asyncio.create_task(self._send_code(effect))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        elif isinstance(effect, CodeWithheld):
            self._count_code(effect.channel, "withheld")
        else:
            await self._agent_notifier.notify(effect)

    async def _send_code(self, effect: SendOneTimeCode) -> None:
        sender = self._code_senders.get(effect.channel, self._default_code_sender)
        try:
            await sender.send_code(effect)
        except Exception:  # an SMS gateway outage must not lose the chat's reply
            logger.exception("could not deliver a one-time code on %s", effect.channel)
            self._count_code(effect.channel, "failed")
        else:
            self._count_code(effect.channel, "sent")

    def _count_code(self, channel: Channel, result: str) -> None:
        if self._metrics is not None:
            self._metrics.increment(CODES_METRIC, channel=channel.value, result=result)
