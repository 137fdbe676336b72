"""PostgreSQL: the turns of a transaction are written together, as each turn alone would be."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, Engine, select

from meters.chat_store import SqlChatStore
from meters.database import create_store_engine, upgrade
from meters.schema import ConversationLogEntry, ConversationState
from meters.turn_writes import TurnWrites

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture
def connection(postgres_schema_url: str) -> Iterator[Connection]:
    engine: Engine = create_store_engine(postgres_schema_url)
    upgrade(engine)
    with engine.connect() as connection:
        yield connection
        connection.rollback()
    engine.dispose()


def chat(store: SqlChatStore, name: str) -> int:
    return store.enter_chat_and_read("telegram", name, None, NOW)[0]


def test_states_and_lines_of_several_turns_in_one_write(connection: Connection) -> None:
    turns = TurnWrites()
    store = SqlChatStore(connection, turns)
    first, second = chat(store, "a"), chat(store, "b")
    store.save_turn(first, "await_month", {"ý định": "bill"}, [("in", "hóa đơn", "bill")], NOW)
    store.save_turn(second, "idle", {}, [("in", "chào", "greet"), ("out", "Xin chào", None)], NOW)
    assert connection.execute(select(ConversationLogEntry.id)).all() == []  # not yet

    turns.write(connection)

    log = connection.execute(
        select(
            ConversationLogEntry.chat_user_id,
            ConversationLogEntry.direction,
            ConversationLogEntry.text,
            ConversationLogEntry.intent,
            ConversationLogEntry.created_at,
        ).order_by(ConversationLogEntry.id)
    ).all()
    moment = NOW.astimezone(UTC)
    assert [tuple(row) for row in log] == [
        (first, "in", "hóa đơn", "bill", moment),
        (second, "in", "chào", "greet", moment),
        (second, "out", "Xin chào", None, moment),
    ]
    states = connection.execute(
        select(
            ConversationState.chat_user_id, ConversationState.step, ConversationState.data
        ).order_by(ConversationState.chat_user_id)
    ).all()
    assert [tuple(row) for row in states] == [
        (first, "await_month", {"ý định": "bill"}),
        (second, "idle", {}),
    ]
    assert turns.states == {}
    assert turns.lines == []


def test_an_unchanged_state_is_not_written_again(connection: Connection) -> None:
    store = SqlChatStore(connection)  # no TurnWrites: each turn is written at once
    chat_user_id = chat(store, "a")
    store.save_turn(chat_user_id, "await_month", {}, [], NOW)
    later = SqlChatStore(connection)
    later.enter_chat_and_read("telegram", "a", None, NOW)
    later.save_turn(chat_user_id, "await_month", {}, [("in", "tháng 10", "bill")], NOW)
    version = connection.execute(select(ConversationState.version)).scalar_one()
    assert version == 1
    later.save_turn(chat_user_id, "idle", {}, [], NOW)
    assert connection.execute(select(ConversationState.version)).scalar_one() == 2


def test_nothing_to_write_sends_nothing(connection: Connection) -> None:
    TurnWrites().write(connection)
    assert not connection.in_transaction()  # no statement ran, so none began
