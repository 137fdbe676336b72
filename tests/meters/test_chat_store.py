"""What every update starts with: the chat user entered, its state and links read fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from meters.chat_store import SqlChatStore
from tests.meters.factories import add_customer

NOW = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


def test_a_first_contact_creates_the_chat_user_with_no_state_and_no_links(engine: Engine) -> None:
    with engine.begin() as connection:
        chat_user_id, state, linked = SqlChatStore(connection).enter_chat_and_read(
            "telegram", "42", "Khách", NOW
        )
    with engine.begin() as connection:
        again = SqlChatStore(connection).chat_user_id("telegram", "42")

    assert (state, linked) == (None, ())
    assert again == chat_user_id


def test_a_known_chat_reads_its_state_and_its_links_in_linking_order(engine: Engine) -> None:
    with engine.begin() as connection:
        first = add_customer(connection, "PE0400000001")
        second = add_customer(connection, "PE0400000002")
        chats = SqlChatStore(connection)
        chat_user_id = chats.enter_chat("telegram", "42", "Khách", NOW)
        chats.link(chat_user_id, second, "contact", NOW)
        chats.link(chat_user_id, first, "contact", NOW + timedelta(minutes=1))
        chats.save_state(chat_user_id, "awaiting_month", {"intent": "bill_amount"}, NOW)

    with engine.begin() as connection:
        entered, state, linked = SqlChatStore(connection).enter_chat_and_read(
            "telegram", "42", "Khách", NOW + timedelta(hours=1)
        )
    with engine.begin() as connection:
        expected = SqlChatStore(connection).state_and_linked(chat_user_id)

    assert entered == chat_user_id
    assert state is not None
    assert (state.step, state.data) == ("awaiting_month", {"intent": "bill_amount"})
    assert [customer.customer_code for customer in linked] == ["PE0400000002", "PE0400000001"]
    assert (state, linked) == expected
