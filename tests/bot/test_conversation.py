"""The conversation runner: updates answered in order per chat, batched into transactions."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import Connection, Engine, event, func, select

import bot.conversation
from bot.conversation import ConversationRunner
from handlers import texts
from handlers.context import ConversationConfig, Deps
from handlers.dispatch import handle_update
from handlers.menu import link_how
from handlers.types import Channel, Outcome, Update, UserRef
from meters import postgres_wire
from meters.database import create_store_engine, upgrade
from meters.driver_sql import CommitFailed
from meters.schema import ChatUser, ConversationLogEntry
from meters.turn_writes import TurnWrites

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=ZONE)
PROCESS_TIMEOUT = 30.0  # a safety net for the other runner's turn, not a synchronisation


def greeting(chat: str, text: str = "xin chào") -> Update:
    return Update(user=UserRef(Channel.TELEGRAM, chat, "Khách"), received_at=NOW, text=text)


def inbound_texts(engine: Engine, chat: str) -> list[str]:
    """What the chat wrote, as the conversation log kept it, in the order it was kept."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(ConversationLogEntry.text)
                .join(ChatUser, ChatUser.id == ConversationLogEntry.chat_user_id)
                .where(ChatUser.external_id == chat, ConversationLogEntry.direction == "in")
                .order_by(ConversationLogEntry.id)
            ).scalars()
        )


@pytest.fixture
def runner(engine: Engine) -> Iterator[ConversationRunner]:
    conversation = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    yield conversation
    conversation.close()


@pytest.fixture
def commits(engine: Engine) -> Iterator[list[int]]:
    """One entry per committed transaction on `engine`."""
    seen: list[int] = []

    def count(_connection: object) -> None:
        seen.append(1)

    event.listen(engine, "commit", count)
    yield seen
    event.remove(engine, "commit", count)


async def test_updates_of_many_chats_at_once_share_transactions_and_all_are_answered(
    runner: ConversationRunner, engine: Engine, commits: list[int]
) -> None:
    chats = [f"chat-{number}" for number in range(40)]

    answers = await asyncio.gather(*(runner.handle(greeting(chat)) for chat in chats))

    assert all(replies and replies[0].text for replies in answers)
    assert 0 < len(commits) < len(chats)
    for chat in chats:  # committed: another connection reads every turn
        assert inbound_texts(engine, chat) == ["xin chào"]


async def test_an_update_at_a_quiet_moment_is_answered_alone_at_once(
    runner: ConversationRunner, engine: Engine, commits: list[int]
) -> None:
    await runner.handle(greeting("chat-1"))
    await runner.handle(greeting("chat-2"))

    assert len(commits) == 2


async def test_the_updates_of_one_chat_are_answered_in_arrival_order(
    runner: ConversationRunner, engine: Engine
) -> None:
    texts = [f"câu hỏi số {number}" for number in range(8)]
    others = [runner.handle(greeting(f"other-{number}")) for number in range(8)]

    await asyncio.gather(*(runner.handle(greeting("chat", text)) for text in texts), *others)

    assert inbound_texts(engine, "chat") == texts


# Each answer depends on the step the previous message left: "liên kết" asks for a customer code
# (the chat then waits for one), "hủy" cancels that wait (from the idle step it is not a cancel).
LINK_THEN_CANCEL = ["liên kết", "hủy"] * 12


def expected_answers(runner: ConversationRunner) -> list[str]:
    """The first reply to each of LINK_THEN_CANCEL, answered one after the other."""
    asked = link_how(Channel.TELEGRAM, runner.config)
    return [asked if text == "liên kết" else texts.CANCELLED for text in LINK_THEN_CANCEL]


async def test_a_chat_writing_faster_than_it_is_answered_is_answered_in_order_from_each_state(
    runner: ConversationRunner, engine: Engine
) -> None:
    """Three messages are always in flight: each answer sends the chat's next message at once,
    while the one after it is still waiting (the moment a per-chat lock hands over)."""
    numbers = iter(range(len(LINK_THEN_CANCEL)))
    answered: list[int] = []
    answers: dict[int, str] = {}

    async def customer() -> None:
        for number in numbers:  # shared: the next message is the next number, whoever sends it
            replies = await runner.handle(greeting("chat", LINK_THEN_CANCEL[number]))
            answered.append(number)
            answers[number] = replies[0].text

    await asyncio.gather(*(customer() for _ in range(3)))

    assert answered == sorted(answered)
    assert [answers[number] for number in range(len(LINK_THEN_CANCEL))] == expected_answers(runner)
    assert inbound_texts(engine, "chat") == LINK_THEN_CANCEL


async def test_a_message_given_up_while_waiting_holds_up_nothing_of_its_chat(
    runner: ConversationRunner, engine: Engine
) -> None:
    first = asyncio.create_task(runner.handle(greeting("chat", "câu hỏi số 0")))
    given_up = asyncio.create_task(runner.handle(greeting("chat", "câu hỏi số 1")))
    third = asyncio.create_task(runner.handle(greeting("chat", "câu hỏi số 2")))
    await asyncio.sleep(0)  # each has arrived: the first in a batch, the others behind it
    given_up.cancel()
    await asyncio.gather(first, third)
    async with asyncio.timeout(PROCESS_TIMEOUT):
        await runner.handle(greeting("chat", "câu hỏi số 3"))

    assert inbound_texts(engine, "chat") == ["câu hỏi số 0", "câu hỏi số 2", "câu hỏi số 3"]


def until_a_session_waits_for_a_lock(engine: Engine) -> None:
    """Return once another session of the PostgreSQL database waits for a lock."""
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while True:
        with engine.connect() as connection:  # a transaction keeps its first view of the activity
            if connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).scalar_one():
                return
        assert time.monotonic() < deadline, "nobody waits for the chat's row lock"
        time.sleep(0.01)


async def test_a_message_waiting_for_another_process_s_turn_answers_from_the_state_it_left(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runners on one store stand for two processes. The first holds its "liên kết" turn
    open; the second's "hủy" of the same chat waits for it (PostgreSQL: for the chat's row lock,
    SQLite: for the write lock), then reads the step the first left and cancels it."""
    first = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    second = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    inside, release = threading.Event(), threading.Event()

    def holds_the_link_turn_open(update: Update, deps: Deps) -> Outcome:
        outcome = handle_update(update, deps)
        if update.text == "liên kết":
            inside.set()
            release.wait(PROCESS_TIMEOUT)
        return outcome

    monkeypatch.setattr("bot.conversation.handle_update", holds_the_link_turn_open)
    try:
        await first.handle(greeting("chat"))
        linking = asyncio.create_task(first.handle(greeting("chat", "liên kết")))
        assert await asyncio.to_thread(inside.wait, PROCESS_TIMEOUT)
        cancelling = asyncio.create_task(second.handle(greeting("chat", "hủy")))
        if engine.dialect.name == "postgresql":
            await asyncio.to_thread(until_a_session_waits_for_a_lock, engine)
        release.set()
        linked, cancelled = await asyncio.gather(linking, cancelling)
    finally:
        release.set()
        first.close()
        second.close()

    assert [linked[0].text, cancelled[0].text] == expected_answers(first)[:2]


async def test_one_failing_update_costs_the_others_of_its_batch_nothing(
    runner: ConversationRunner, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaks_on_one_chat(update: Update, deps: Deps) -> Outcome:
        outcome = handle_update(update, deps)  # writes, then fails: all must roll back
        if update.user.external_id == "broken":
            raise RuntimeError("a handler bug")
        return outcome

    monkeypatch.setattr("bot.conversation.handle_update", breaks_on_one_chat)
    chats = [f"chat-{number}" for number in range(10)]

    answers = await asyncio.gather(
        *(runner.handle(greeting(chat)) for chat in [*chats[:5], "broken", *chats[5:]]),
        return_exceptions=True,
    )

    failures = [answer for answer in answers if isinstance(answer, BaseException)]
    assert [str(failure) for failure in failures] == ["a handler bug"]
    assert isinstance(answers[5], RuntimeError)
    for chat in chats:
        assert inbound_texts(engine, chat) == ["xin chào"]
    with engine.connect() as connection:
        broken = connection.execute(
            select(func.count()).select_from(ChatUser).where(ChatUser.external_id == "broken")
        ).scalar_one()
    assert broken == 0


def test_handle_blocking_raises_what_the_update_raised(
    runner: ConversationRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(update: Update, deps: Deps) -> Outcome:
        raise ValueError(update.text)

    monkeypatch.setattr("bot.conversation.handle_update", fails)

    with pytest.raises(ValueError, match="xin chào"):
        runner.handle_blocking(greeting("chat"))


@pytest.mark.postgres
async def test_on_postgresql_each_transaction_writes_its_turns_with_one_statement(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_store_engine(postgres_schema_url)
    upgrade(engine)
    runner = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    writes: list[int] = []
    write = TurnWrites.write

    def counted(turns: TurnWrites, connection: Connection) -> None:
        if turns.states or turns.lines:
            writes.append(len({line[0] for line in turns.lines}))
        write(turns, connection)

    monkeypatch.setattr(TurnWrites, "write", counted)
    transactions: list[int] = []
    event.listen(engine, "commit", lambda _connection: transactions.append(1))
    chats = [f"chat-{number}" for number in range(40)]
    try:
        await asyncio.gather(*(runner.handle(greeting(chat)) for chat in chats))
        for chat in chats:
            assert inbound_texts(engine, chat) == ["xin chào"]
    finally:
        runner.close()
        engine.dispose()
    assert len(writes) == len(transactions) < len(chats)
    assert sum(writes) == len(chats)  # every chat's turn, each in one of the writes


@pytest.mark.parametrize(
    ("sent", "logged"),
    [
        # PostgreSQL text cannot hold NUL: the turn's log write would fail the whole update.
        ("xin\x00 chào", "xin chào"),
        # A JSON body may carry "\\ud800", which no engine can store as UTF-8.
        ("xin\ud800 chào", "xin\ufffd chào"),
    ],
    ids=["nul dropped", "lone surrogate replaced"],
)
async def test_a_character_no_store_can_hold_is_not_fatal(
    runner: ConversationRunner, engine: Engine, sent: str, logged: str
) -> None:
    replies = await runner.handle(greeting("chat", sent))

    assert replies
    assert replies[0].text
    assert inbound_texts(engine, "chat") == [logged]


def backends(engine: Engine) -> set[int]:
    """The server processes of the database's sessions, the asking one left out."""
    with engine.connect() as connection:
        return set(
            connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).scalars()
        )


@asynccontextmanager
async def runner_whose_connections_were_closed(
    url: str,
) -> AsyncIterator[tuple[Engine, ConversationRunner]]:
    """A runner that has answered a few chats, then the server ended the sessions its workers
    keep (and each has gone: then its socket tells)."""
    engine = create_store_engine(url)
    upgrade(engine)
    engine.dispose()
    before = backends(engine)
    runner = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    try:
        await asyncio.gather(*(runner.handle(greeting(f"early-{n}")) for n in range(6)))
        kept = backends(engine) - before
        assert kept
        with engine.connect() as other:
            for pid in kept:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)")
        yield engine, runner
    finally:
        runner.close()
        engine.dispose()


@pytest.mark.postgres
async def test_on_postgresql_a_connection_the_server_closed_costs_no_answer(
    postgres_schema_url: str,
) -> None:
    """The workers keep their connections (no pool checkout, no ping per batch); one the server
    closed while it was idle is replaced before its next transaction."""
    async with runner_whose_connections_were_closed(postgres_schema_url) as (engine, runner):
        chats = [f"late-{number}" for number in range(6)]
        answers = await asyncio.gather(*(runner.handle(greeting(chat)) for chat in chats))
        assert all(replies and replies[0].text for replies in answers)
        for chat in chats:
            assert inbound_texts(engine, chat) == ["xin chào"]


@pytest.mark.postgres
async def test_on_postgresql_an_update_whose_connection_was_lost_is_answered_again(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server may close a kept connection after its idle check and before BEGIN: nothing
    was committed, so the update runs once more on a new connection instead of failing."""
    monkeypatch.setattr(bot.conversation, "replace_if_closed_by_server", lambda _c: None)
    async with runner_whose_connections_were_closed(postgres_schema_url) as (engine, runner):
        replies = await runner.handle(greeting("late"))
        assert replies
        assert replies[0].text
        assert inbound_texts(engine, "late") == ["xin chào"]


@pytest.mark.postgres
async def test_on_postgresql_a_failed_commit_is_not_run_again(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the answer to COMMIT is lost the transaction may have committed: running it again
    could file a request twice, so the update fails instead."""
    real_commit = postgres_wire.commit

    def committed_then_lost(connection: psycopg.Connection[object]) -> None:
        real_commit(connection)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(postgres_wire, "commit", committed_then_lost)
    engine = create_store_engine(postgres_schema_url)
    upgrade(engine)
    runner = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    try:
        with pytest.raises(CommitFailed):
            await runner.handle(greeting("chat"))
        assert inbound_texts(engine, "chat") == ["xin chào"]  # committed, and only once
    finally:
        runner.close()
        engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_closing_the_runner_closes_its_connections(
    postgres_schema_url: str,
) -> None:
    engine = create_store_engine(postgres_schema_url)
    upgrade(engine)
    runner = ConversationRunner(engine, ConversationConfig(zone=ZONE))
    try:
        runner.handle_blocking(greeting("chat"))
        assert engine.pool.checkedout() == 1  # kept by this thread for its next update
        runner.close()
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()
