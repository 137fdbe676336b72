"""The conversation core: state kept in the store, commands, misses, handoff, masked log."""

from __future__ import annotations

from sqlalchemy import Engine, select

from handlers import texts
from handlers.types import Channel
from meters.demo.model import DemoData
from meters.schema import ConversationLogEntry, HandoffCase
from tests.handlers.conftest import FakeChat, text_of


def logged(store: Engine) -> list[tuple[str, str]]:
    """The whole conversation log as (direction, text)."""
    with store.connect() as connection:
        rows = connection.execute(
            select(ConversationLogEntry.direction, ConversationLogEntry.text).order_by(
                ConversationLogEntry.id
            )
        )
        return [(row[0], row[1]) for row in rows]


def test_commands_with_a_bot_name_are_understood(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory()
    assert texts.HELP.format(examples=texts.HELP_EXAMPLES) in text_of(chat.say("/menu@dienbot"))


def test_two_misses_in_a_row_offer_a_person(chat_factory: type[FakeChat], store: Engine) -> None:
    chat = chat_factory()
    first = chat.say("giá vàng hôm nay bao nhiêu")
    assert texts.UNKNOWN in text_of(first)
    second = chat.say("kể chuyện cười đi")
    assert texts.UNKNOWN_OFFER_AGENT in text_of(second)
    with store.connect() as connection:
        assert connection.execute(select(HandoffCase.id)).first() is None  # offered, not opened
    assert chat.say("alo") != ()  # the bot still answers


def test_an_understood_message_resets_the_misses(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory()
    chat.say("giá vàng hôm nay bao nhiêu")
    chat.say("cảm ơn nhé")
    assert texts.UNKNOWN_OFFER_AGENT not in text_of(chat.say("kể chuyện cười đi"))


def test_state_survives_a_restart(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = demo_data.customers[2]
    chat_factory(Channel.WEB, "v").say(f"liên kết mã {customer.customer_code}")
    restarted = chat_factory(Channel.WEB, "v")  # a new process: nothing in memory
    assert texts.LINKED.split(":")[0] in text_of(restarted.say("424242"))


def test_handoff_keeps_the_messages_and_still_answers_what_the_bot_serves(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory()
    replies = chat.say("cho tôi gặp nhân viên")
    with store.connect() as connection:
        case = connection.execute(select(HandoffCase.request_id, HandoffCase.reason)).one()
    assert texts.HANDOFF_OPENED.format(code=case.request_id) in text_of(replies)
    assert case.reason == "asked"
    waiting = texts.WAITING_POSITION.format(code=case.request_id, position=1)
    assert text_of(chat.say("alo")) == waiting  # acknowledged, kept for the agent
    reported = chat.say("nhà tôi mất điện từ sáng")  # a report the bot files itself
    assert text_of(reported).endswith(waiting)
    assert len(reported) == 2
    assert ("in", "nhà tôi mất điện từ sáng") in logged(store)
    assert texts.BACK_TO_BOT in text_of(chat.say("/bot"))
    assert texts.WAITING_POSITION.split("(")[0] not in text_of(chat.say("alo"))


def test_the_log_is_masked(chat_factory: type[FakeChat], store: Engine) -> None:
    chat = chat_factory(Channel.WEB, "v")
    chat.say("số điện thoại của tôi là 0903123456, mã PE04003479681")
    chat.say("123456")
    everything = " ".join(text for _, text in logged(store))
    assert "0903123456" not in everything
    assert "3479681" not in everything
    assert "123456" not in everything


def test_the_turn_that_links_a_customer_keeps_their_name_out_of_the_log(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    phones = [customer.phone for customer in demo_data.customers]
    customer = next(c for c in demo_data.customers if phones.count(c.phone) == 1)
    chat = chat_factory(Channel.WEB, "v")
    chat.say(customer.customer_code)
    assert customer.customer_code in text_of(chat.say(chat.last_code().code))  # linked
    everything = " ".join(text for _, text in logged(store))
    assert customer.name not in everything  # the linking reply names them: masked all the same
    assert customer.customer_code not in everything
    assert "[KH#" in everything


def test_cancel_leaves_a_step(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.WEB, "v")
    chat.say("liên kết tài khoản")
    assert texts.CANCELLED in text_of(chat.say("hủy"))


def test_unknown_buttons_show_the_menu(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory()
    assert texts.HELP.format(examples=texts.HELP_EXAMPLES) in text_of(chat.press("nonsense:1"))
    assert texts.HELP.format(examples=texts.HELP_EXAMPLES) in text_of(chat.press("c:1"))
