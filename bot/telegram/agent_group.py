"""The Telegram agent group: one forum topic per handoff case, relayed both ways.

When `DIENBOT_TELEGRAM_AGENT_CHAT_ID` names one or more forum supergroups (the bot an admin
with "manage topics"), every open case gets a topic in the group with the fewest open topics:
the topic is named with the case code, the masked customer and the NLU's guess, and starts
with the case summary and transcript. Customer messages of the case are relayed into it;
what a registered agent writes in it goes to the customer through `handlers.cases.reply`
(outbox and conversation log); `/claim`, `/note`, `/close` and `/bot` act on the case.

The database is the source of truth, so several processes can run this at once: a poll
(every `poll_seconds`, and at once when the runner announces a case) opens the topics of new
cases, relays unrelayed customer messages (claimed with a compare-and-set) and closes the
topics of cases closed anywhere. All posts in a group go through its `GroupSender`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import telegram as tg
from aiohttp import web
from sqlalchemy import Connection, Engine, text
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.case_deps import case_deps
from bot.clock import service_clock
from bot.config import Settings
from bot.telegram import agent_topics
from bot.telegram.agent_sender import GROUP_LIMIT, GROUP_PERIOD, SAFETY_MARGIN, Clock, GroupSender
from bot.telegram.agent_sender import Sleep as SleepFunction
from bot.telegram.channel import TelegramChannel
from bot.telegram.convert import attachment_of
from handlers import cases, texts
from handlers.attachments import file_of
from handlers.cases import CaseDeps, CaseError
from handlers.context import ConversationConfig
from handlers.types import NotifyAgents
from meters.case_records import AgentRecord, CaseFile, CaseRecord
from meters.case_store import SqlCaseStore
from meters.records import CustomerDetails
from meters.telegram_topic_store import FAILED, SqlTelegramTopicStore, TopicRecord

logger = logging.getLogger(__name__)

T = TypeVar("T")
POLL_SECONDS = 1.0
STALE_CREATION = timedelta(minutes=10)  # a topic "being created" this long: its process died
DEFAULT_CLOSING = "resolved"  # the resolution of `/bot` without one
_TAKE_SQLITE_LOCK = text("UPDATE telegram_topics SET state = state WHERE 1 = 0")
COMMANDS: tuple[tuple[str, str], ...] = (
    ("claim", texts.AGENT_GROUP_COMMAND_CLAIM),
    ("note", texts.AGENT_GROUP_COMMAND_NOTE),
    ("close", texts.AGENT_GROUP_COMMAND_CLOSE),
    ("bot", texts.AGENT_GROUP_COMMAND_BOT),
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one poll found to do."""

    new_topics: tuple[tuple[int, int], ...] = ()  # (case id, group)
    relays: tuple[tuple[int, int, str, CaseFile | None], ...] = ()  # (group, thread, line, file)
    endings: tuple[tuple[TopicRecord, str], ...] = ()  # (topic, resolution label)


@dataclass(frozen=True, slots=True)
class _Said:
    """A message of a group member in a topic: a command and its argument, or a reply."""

    chat_id: int
    thread_id: int
    user_id: int
    command: str | None
    argument: str
    text: str
    file: CaseFile | None = None  # a photo, a document… the agent sent (`text`: its caption)


class AgentGroup:
    """The agent groups of one bot token, as an `AgentNotifier` and a PTB handler."""

    def __init__(
        self,
        bot: tg.Bot,
        chat_ids: Sequence[int],
        *,
        poll_seconds: float = POLL_SECONDS,
        limit: int = GROUP_LIMIT,
        period: float = GROUP_PERIOD,
        margin: float = SAFETY_MARGIN,
        clock: Clock = time.monotonic,
        sleep: SleepFunction = asyncio.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if not chat_ids:
            raise ValueError("an agent group needs at least one chat id")
        self._engine: Engine | None = None
        self._config: ConversationConfig | None = None
        self._bot = bot
        self.chat_ids = tuple(chat_ids)
        self.senders = {
            chat_id: GroupSender(
                bot, chat_id, limit=limit, period=period, clock=clock, sleep=sleep, margin=margin
            )
            for chat_id in self.chat_ids
        }
        self._poll_seconds = poll_seconds
        self._now = now or (lambda: datetime.now(UTC))
        self._wake = asyncio.Event()
        self._poll_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ wiring and lifecycle

    def install(self, application: Any) -> None:
        """Take the groups' updates before the customer conversation sees them."""
        application.add_handler(TypeHandler(tg.Update, self._on_update), group=-1)

    async def start(self, engine: Engine, config: ConversationConfig) -> None:
        """Publish the topic commands, start the senders and the poll, on the store's engine."""
        self._engine, self._config = engine, config
        for chat_id, sender in self.senders.items():
            sender.start()
            try:
                await self._bot.set_my_commands(
                    list(COMMANDS), scope=tg.BotCommandScopeChat(chat_id)
                )
            except tg.error.TelegramError as error:
                logger.warning("agent group %s: commands not published (%s)", chat_id, error)
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="agent-group-poll")

    async def stop(self) -> None:
        """Stop polling and sending (queued posts are dropped; the database keeps the state)."""
        tasks = [task for task in (self._loop, *self._tasks) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = None
        for sender in self.senders.values():
            await sender.stop()

    async def notify(self, effect: NotifyAgents) -> None:
        """A case opened (the runner's `AgentNotifier`): poll now instead of at the next tick."""
        logger.info("handoff case %d opened (%s)", effect.case_id, effect.reason)
        self._wake.set()

    def wake(self) -> None:
        """Poll at once (a case changed)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # the poll's error boundary: the next tick tries again
                logger.exception("agent group: the poll failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    # ------------------------------------------------------------------ the poll

    async def poll_once(self) -> None:
        """Open topics of new cases, relay new customer messages, close ended cases' topics."""
        async with self._poll_lock:
            # Look first without writing: on SQLite an idle poll must not hold the write lock
            # (a conversation transaction that has read cannot wait for it, it fails).
            if not await self._transaction(self._has_work, write=False):
                return
            plan = await self._transaction(self._plan)
        for case_id, chat_id in plan.new_topics:
            self._spawn(self._open_topic(case_id, chat_id))
        for chat_id, thread_id, line, file in plan.relays:
            self.senders[chat_id].relay(thread_id, line)
            if file is not None:
                self.senders[chat_id].relay_file(thread_id, file)
        for topic, resolution in plan.endings:
            self._spawn(self._end_topic(topic, resolution))

    def _has_work(self, connection: Connection) -> bool:
        topics = SqlTelegramTopicStore(connection)
        return bool(
            topics.cases_without_topic(limit=1)
            or topics.unrelayed(limit=1)
            or topics.ending_topics(limit=1)
            or topics.stale(self._now() - STALE_CREATION)
        )

    def _plan(self, connection: Connection) -> _Plan:
        now = self._now()
        topics = SqlTelegramTopicStore(connection)
        topics.forget_stale(now - STALE_CREATION)
        new: list[tuple[int, int]] = []
        for case_id in topics.cases_without_topic():
            load = topics.live_topics_per_group(self.chat_ids)
            chat_id = min(self.chat_ids, key=lambda chat: (load[chat], self.chat_ids.index(chat)))
            if topics.reserve(case_id, chat_id, now):
                new.append((case_id, chat_id))
        relays: list[tuple[int, int, str, CaseFile | None]] = []
        deps = case_deps(connection, self._settings, now)
        customers: dict[int, tuple[CustomerDetails, ...]] = {}  # whose values a line hides
        for topic, message_id, author, message_text, file in topics.unrelayed():
            if topic.chat_id not in self.senders or topic.thread_id is None:
                continue  # a group this process does not serve
            if topics.claim_relay(topic.case_id, message_id):
                if topic.case_id not in customers:
                    customers[topic.case_id] = self._case_view(connection, deps, topic.case_id)[1]
                line = agent_topics.relayed_line(author, message_text, customers[topic.case_id])
                relays.append((topic.chat_id, topic.thread_id, line, file))
        endings: list[tuple[TopicRecord, str]] = []
        case_store = SqlCaseStore(connection)
        for topic in topics.ending_topics():
            if topic.chat_id in self.senders and topics.end_topic(topic.case_id):
                case = case_store.case(topic.code)
                resolution = case.resolution if case is not None else None
                label = resolution_label(resolution)
                endings.append((topic, label))
        return _Plan(tuple(new), tuple(relays), tuple(endings))

    async def _open_topic(self, case_id: int, chat_id: int) -> None:
        sender = self.senders[chat_id]
        name = await self._transaction(lambda connection: self._topic_name(connection, case_id))
        try:
            forum: tg.ForumTopic = await sender.call(
                lambda: self._bot.create_forum_topic(chat_id, name)
            )
        except tg.error.TelegramError as error:
            logger.error("agent group %s: no topic for case %d (%s)", chat_id, case_id, error)
            await self._transaction(
                lambda connection: SqlTelegramTopicStore(connection).set_state(case_id, FAILED)
            )
            return
        thread_id = forum.message_thread_id
        first = await self._transaction(
            lambda connection: self._opened(connection, case_id, thread_id)
        )
        sender.post(thread_id, first)  # before any relay: nothing awaits in between

    def _topic_name(self, connection: Connection, case_id: int) -> str:
        deps = case_deps(connection, self._settings, self._now())
        case, customers = self._case_view(connection, deps, case_id)
        return agent_topics.topic_name(case, customers)

    def _opened(self, connection: Connection, case_id: int, thread_id: int) -> str:
        """Mark the topic open and return its summary; later customer lines are relayed."""
        deps = case_deps(connection, self._settings, self._now())
        case, customers = self._case_view(connection, deps, case_id)
        messages = deps.cases.messages(case.id)
        through = messages[-1].id if messages else 0
        SqlTelegramTopicStore(connection).opened(case_id, thread_id, through)
        return agent_topics.summary(case, customers, messages, self._settings.zone)

    @staticmethod
    def _case_view(
        connection: Connection, deps: CaseDeps, case_id: int
    ) -> tuple[CaseRecord, tuple[CustomerDetails, ...]]:
        topic = SqlTelegramTopicStore(connection).topic(case_id)
        case = deps.cases.case(topic.code) if topic is not None else None
        if case is None:
            raise LookupError(f"case {case_id} has no topic row")
        # The case's customer first (the topic is named after them), then every other customer
        # linked to the chat: the transcript may hold any of their values, all to be masked.
        linked = deps.chats.linked_customer_ids(case.chat_user_id)
        first = [case.customer_id] if case.customer_id is not None else []
        ids = first + [customer_id for customer_id in linked if customer_id not in first]
        return case, deps.accounts.customers(ids)

    async def _end_topic(self, topic: TopicRecord, resolution: str) -> None:
        if topic.thread_id is None:
            return
        sender = self.senders[topic.chat_id]
        closing = texts.AGENT_GROUP_TOPIC_CLOSED.format(code=topic.code, resolution=resolution)
        sender.post(topic.thread_id, closing)
        thread_id = topic.thread_id
        try:
            await sender.call(lambda: self._bot.close_forum_topic(topic.chat_id, thread_id))
        except tg.error.TelegramError as error:
            logger.warning(
                "agent group %s: topic %s not closed (%s)", topic.chat_id, thread_id, error
            )

    # ------------------------------------------------------------------ agents in the topics

    async def _on_update(self, update: tg.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An update from an agent group is ours (and never reaches the customer conversation)."""
        chat = update.effective_chat
        if chat is None or chat.id not in self.senders:
            return
        if self._engine is None:
            logger.warning("agent group %s: update before start-up dropped", chat.id)
            raise ApplicationHandlerStop
        try:
            await self._from_group(update, chat.id)
        except Exception:  # this surface's error boundary: the group never sees a stack trace
            logger.exception("agent group %s: update %s failed", chat.id, update.update_id)
        raise ApplicationHandlerStop

    async def _from_group(self, update: tg.Update, chat_id: int) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        if not message.is_topic_message or message.message_thread_id is None:
            return  # the general topic: agents talk among themselves
        said = (message.text or message.caption or "").strip()
        attachment = attachment_of(message)
        if not said and attachment is None:
            return
        file = file_of(attachment)
        # A file's caption is never a command: the file goes to the customer with it.
        command, argument = _command(said, self._bot.username) if file is None else (None, "")
        if command == "":
            return  # a command for another bot
        thread_id = message.message_thread_id
        act = _Said(chat_id, thread_id, message.from_user.id, command, argument, said, file)
        try:
            answer = await self._transaction(lambda connection: self._act(connection, act))
        except CaseError as error:  # refused: nothing of it was written
            answer = texts.AGENT_GROUP_REFUSED.format(reason=str(error))
        if answer is not None:
            self.senders[chat_id].post(thread_id, answer)
        if command in ("close", "bot"):
            self.wake()  # the topic is closed by the next poll

    def _act(self, connection: Connection, said: _Said) -> str | None:
        """Carry out an agent's message in a topic; the answer to post, if any."""
        topics = SqlTelegramTopicStore(connection)
        topic = topics.by_thread(said.chat_id, said.thread_id)
        agent_id = topics.agent_of(said.user_id)
        if topic is None or agent_id is None:
            logger.info("agent group %s: message of user %s ignored", said.chat_id, said.user_id)
            return None
        deps = case_deps(connection, self._settings, self._now())
        agent = deps.agents.agent(agent_id)
        if agent is None or not agent.active:
            return None
        if said.command is None:
            cases.reply(deps, agent, topic.code, said.text, file=said.file)
            return None
        return _carry_out(deps, agent, topic.code, said)

    # ------------------------------------------------------------------ helpers

    @property
    def _settings(self) -> ConversationConfig:
        if self._config is None:
            raise RuntimeError("the agent group has not been started")
        return self._config

    async def _transaction(self, work: Callable[[Connection], T], *, write: bool = True) -> T:
        return await asyncio.to_thread(self._blocking_transaction, work, write)

    def _blocking_transaction(self, work: Callable[[Connection], T], write: bool) -> T:
        if self._engine is None:
            raise RuntimeError("the agent group has not been started")
        with self._engine.begin() as connection:
            if write and connection.dialect.name == "sqlite":
                # A read-then-write transaction fails at once on SQLite when another writer
                # committed in between; writing first waits for the lock instead.
                connection.execute(_TAKE_SQLITE_LOCK)
            return work(connection)

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("agent group: a topic task failed", exc_info=task.exception())


def _carry_out(deps: CaseDeps, agent: AgentRecord, code: str, said: _Said) -> str | None:
    """A topic command: the answer to post (None when the poll will show the outcome)."""
    if said.command == "claim":
        cases.claim(deps, agent, code)
        return texts.AGENT_GROUP_CLAIMED.format(agent=agent.display_name, code=code)
    if said.command == "note":
        if not said.argument:
            return texts.AGENT_GROUP_NOTE_USAGE
        cases.note(deps, agent, code, said.argument)
        return texts.AGENT_GROUP_NOTE_SAVED
    if said.command in ("close", "bot"):
        typed = said.argument or (DEFAULT_CLOSING if said.command == "bot" else "")
        resolution = resolution_of(typed)
        if resolution is None:
            return texts.AGENT_GROUP_CLOSE_USAGE.format(choices=resolution_choices())
        cases.close(deps, agent, code, resolution)
        return None  # the poll posts the closing line and closes the topic
    return texts.AGENT_GROUP_COMMANDS


ALIASES = {"nhan": "claim", "ghichu": "note", "dong": "close"}


def _command(said: str, bot_username: str | None) -> tuple[str | None, str]:
    """(command, argument) of a message: None for plain text, "" for another bot's command."""
    if not said.startswith("/"):
        return None, ""
    head, _, argument = said.partition(" ")
    name, at, addressee = head[1:].partition("@")
    if at and bot_username is not None and addressee.lower() != bot_username.lower():
        return "", ""
    name = name.lower()
    return ALIASES.get(name, name), argument.strip()


def resolution_of(argument: str) -> str | None:
    """The resolution code an agent typed: its code, its number in the list, or its words."""
    wanted = argument.strip().lower()
    codes = list(texts.CASE_RESOLUTIONS)
    if wanted.isdigit() and 1 <= int(wanted) <= len(codes):
        return codes[int(wanted) - 1]
    for code, label in texts.CASE_RESOLUTIONS.items():
        if wanted in (code, label.lower()):
            return code
    return None


def resolution_label(resolution: str | None) -> str:
    """A closed case's resolution in words."""
    if resolution == "customer_left":
        return texts.AGENT_GROUP_CUSTOMER_LEFT
    return texts.CASE_RESOLUTIONS.get(resolution or "", resolution or "—")


def resolution_choices() -> str:
    """The resolutions as agents may type them: "1 resolved (đã giải quyết), ..."."""
    return ", ".join(
        f"{number} {code} ({label})"
        for number, (code, label) in enumerate(texts.CASE_RESOLUTIONS.items(), start=1)
    )


def install_agent_group(
    app: web.Application, settings: Settings, channel: TelegramChannel
) -> AgentGroup:
    """Add the agent groups of `DIENBOT_TELEGRAM_AGENT_CHAT_ID` to the service's bot."""
    group = AgentGroup(channel.bot, settings.telegram_agent_chat_id, now=service_clock(settings))
    group.install(channel.application)  # before polling starts: no group update reaches chats

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        from bot.web.keys import ENGINE, RUNNER  # the web keys import the conversation core

        runner = app[RUNNER]
        await group.start(app[ENGINE], runner.config)
        runner.set_agent_notifier(group)
        try:
            yield
        finally:
            await group.stop()

    app.cleanup_ctx.append(lifespan)
    return group
