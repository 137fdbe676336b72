"""Handoff cases and the channel-neutral case service, on the demo store (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from bot.case_deps import case_deps
from handlers import cases, texts
from handlers.cases import CaseError
from handlers.context import ConversationConfig, Step
from handlers.types import Channel, NotifyAgents
from meters.agent_store import SqlAgentStore
from meters.case_records import AgentRecord
from meters.case_store import SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.demo.model import DemoData
from meters.schema import OutboxMessage, RequestStatusChange
from tests.handlers.conftest import NOW, ZONE, ChatFactory, FakeChat, button_data, text_of
from tests.handlers.test_hotlines import EVERY_HOTLINE


def link(chat: FakeChat, store: Engine, customer_code: str) -> None:
    """Link the chat to a customer (as a verified one-time code would) with every consent."""
    chat.say("/start")
    with store.begin() as connection:
        chats = SqlChatStore(connection)
        chat_id = chats.chat_user_id(chat.user.channel.value, chat.user.external_id)
        assert chat_id is not None
        from meters.account_store import SqlAccountStore

        found = SqlAccountStore(connection).customer_by_code(customer_code)
        assert found is not None
        chats.link(chat_id, found.id, "otp", NOW)
        chats.grant_consents(chat_id, ("lookups", "surveys"), NOW)


def agent_of(store: Engine, unit: str | None, role: str = "agent") -> AgentRecord:
    """A new agent of `unit`."""
    with store.begin() as connection:
        agents = SqlAgentStore(connection)
        agent_id = agents.add_agent(
            username=f"{role}{agents.count()}",
            display_name="Lan",
            role=role,
            unit=unit,
            password_hash=PasswordHasher().hash("x" * 12),
            now=NOW,
        )
        found = agents.agent(agent_id)
    assert found is not None
    return found


def run(store: Engine, config: ConversationConfig, work: object, *args: object) -> object:
    """One service call in its own transaction at NOW."""
    with store.begin() as connection:
        return work(case_deps(connection, config, NOW), *args)  # type: ignore[operator]


def open_case(store: Engine, chat: FakeChat) -> str:
    with store.connect() as connection:
        chat_id = SqlChatStore(connection).chat_user_id(
            chat.user.channel.value, chat.user.external_id
        )
        assert chat_id is not None
        found = SqlCaseStore(connection).open_case_of_chat(chat_id)
    assert found is not None
    return found.code


def test_a_handoff_opens_a_case_with_the_transcript_unit_guess_and_wait(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory()
    link(chat, store, customer.customer_code)
    chat.say("tháng này tiền điện nhà tôi tăng bất thường")  # a complaint: a person is offered
    replies = chat.press("agent:abnormal")  # and taken
    code = open_case(store, chat)
    assert texts.HANDOFF_OPENED.format(code=code) in text_of(replies)
    assert texts.HANDOFF_WAIT.format(wait="5 phút", hotline="1900 545454") in text_of(replies)
    assert isinstance(chat.effects[-1], NotifyAgents)
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
        assert case is not None
        lines = SqlCaseStore(connection).messages(case.id)
    assert case.unit == customer.power_company
    assert case.reason == "abnormal"
    assert case.intent_guess == "abnormal_usage"
    assert case.status == "received"
    assert case.due_at == NOW + timedelta(hours=2)
    assert [line.text for line in lines if line.author == "customer"][-2:] == [
        "tháng này tiền điện nhà tôi tăng bất thường",
        "[nút agent:abnormal]",
    ]
    # Asking for a person while waiting: the same case, and where it stands in the queue.
    waiting = texts.WAITING_POSITION.format(code=code, position=1)
    assert text_of(chat.say("cho tôi gặp nhân viên")) == waiting
    assert text_of(chat.say("/nhanvien")) == waiting
    assert open_case(store, chat) == code


def test_after_hours_the_customer_gets_the_hotline_and_the_opening_time(
    chat_factory: ChatFactory, store: Engine
) -> None:
    chat = chat_factory()
    chat.now = datetime.combine(NOW.date(), time(22, 30), tzinfo=ZONE)
    replies = chat.say("cho tôi gặp nhân viên")
    expected = texts.HANDOFF_AFTER_HOURS.format(
        start="07:00", end="21:00", day=texts.HANDOFF_TOMORROW, hotline=EVERY_HOTLINE
    )
    assert expected in text_of(replies)
    code = open_case(store, chat)
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
    assert case is not None
    assert case.due_at is not None
    assert case.due_at.astimezone(ZONE) == datetime.combine(
        NOW.date() + timedelta(days=1), time(9), tzinfo=ZONE
    )


def test_two_misses_then_the_agent_button_is_a_misunderstood_case(
    chat_factory: ChatFactory, store: Engine
) -> None:
    chat = chat_factory()
    chat.say("giá vàng hôm nay bao nhiêu")
    chat.say("kể chuyện cười đi")
    chat.press("i:talk_to_agent")
    code = open_case(store, chat)
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
    assert case is not None
    assert case.reason == "misunderstood"
    assert case.customer_id is None


def test_messages_while_waiting_are_kept_and_bot_returns_the_chat(
    chat_factory: ChatFactory, store: Engine
) -> None:
    chat = chat_factory(Channel.ZALO, "z1")
    chat.say("cho tôi gặp nhân viên")
    code = open_case(store, chat)
    waiting = texts.WAITING_POSITION.format(code=code, position=1)
    assert text_of(chat.say("alo có ai không")) == waiting
    assert text_of(chat.press("bill:latest")).endswith(waiting)  # the bot's button answered
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
        assert case is not None
        said = [m.text for m in SqlCaseStore(connection).messages(case.id)]
    assert "alo có ai không" in said
    assert "[nút bill:latest]" in said
    assert texts.BACK_TO_BOT in text_of(chat.say("/bot"))
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
    assert case is not None
    assert not case.open
    assert case.status == "cancelled"
    assert case.resolution == "customer_left"


def test_the_service_claims_replies_transfers_and_closes(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData, config: ConversationConfig
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory(Channel.TELEGRAM, "555")
    link(chat, store, customer.customer_code)
    chat.say("cho tôi gặp nhân viên")
    code = open_case(store, chat)
    lan = agent_of(store, customer.power_company)
    other = agent_of(store, "Điện lực Khác")
    with pytest.raises(CaseError) as refused:
        run(store, config, cases.claim, other, code)
    assert refused.value.status == 404
    run(store, config, cases.claim, lan, code)
    with pytest.raises(CaseError):
        run(store, config, cases.claim, agent_of(store, customer.power_company), code)
    run(store, config, cases.reply, lan, code, "Dạ em chào anh/chị")
    with store.connect() as connection:
        events = SqlCaseStore(connection).customer_messages_after(0)
    assert [c for c, _ in events] == [code] * len(events)
    run(store, config, lambda deps: cases.transfer(deps, lan, code, to_agent_id=other.id))
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
        assert case is not None
        transfer_lines = [
            (m.author, m.text)
            for m in SqlCaseStore(connection).messages(case.id)
            if "chuyển hồ sơ" in m.text
        ]
    # An action for agents (announced in the case's Telegram topic), never sent to the customer.
    assert transfer_lines == [
        ("event", f"{lan.display_name} chuyển hồ sơ cho {other.display_name}.")
    ]
    with pytest.raises(CaseError):
        run(store, config, cases.reply, lan, code, "còn em đây")
    run(store, config, cases.close, other, code, "information")
    with store.connect() as connection:
        kinds = connection.execute(
            select(OutboxMessage.kind, OutboxMessage.bucket, OutboxMessage.payload).order_by(
                OutboxMessage.id
            )
        ).all()
        state = SqlChatStore(connection).state(int(chat.effects[-1].chat_user_id))  # type: ignore[union-attr]
    assert [kind for kind, _, _ in kinds] == [
        "case_status",  # in progress: Lan helps
        "agent_reply",
        "case_status",  # forwarded to Điện lực Khác
        "case_status",  # closed
        "survey",
    ]
    assert {bucket for _, bucket, _ in kinds} == {"telegram"}
    assert kinds[-1][2]["buttons"][3] == ["4", f"survey:{code}:4"]
    assert state is not None
    assert state.step == Step.IDLE.value
    status = text_of(chat.say(f"yêu cầu {code} đến đâu rồi"))  # request_status knows cases
    assert code in status
    assert "đã hoàn thành" in status


def test_an_imported_status_change_notifies_the_linked_chats(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData, config: ConversationConfig
) -> None:
    customer = demo_data.customers[1]
    chat = chat_factory(Channel.TELEGRAM, "777")
    link(chat, store, customer.customer_code)
    asked = chat.say("tôi muốn kiểm định công tơ")
    chat.press(next(data for data in button_data(asked) if data.startswith("svc:ok:")))
    with store.begin() as connection:
        store_cases = SqlCaseStore(connection)
        cursor = store_cases.last_history_id()
        request_id = (
            connection.execute(
                select(RequestStatusChange.request_id).order_by(RequestStatusChange.id.desc())
            )
            .scalars()
            .first()
        )
        assert request_id is not None
        store_cases.set_status(request_id, "scheduled", None, NOW + timedelta(minutes=5))
    assert run(store, config, cases.notify_status_changes, cursor) == 1
    assert run(store, config, cases.notify_status_changes, cursor) == 0  # queued once
    with store.connect() as connection:
        payload = connection.execute(select(OutboxMessage.payload)).scalar_one()
    assert request_id in payload["text"]
    assert "đã hẹn lịch thực hiện" in payload["text"]


def test_hours_and_deadlines() -> None:
    config = ConversationConfig(zone=ZONE)
    morning = datetime.combine(NOW.date(), time(6, 59), tzinfo=ZONE)
    assert not cases.in_agent_hours(config, morning)
    assert cases.next_opening(config, morning).time() == time(7)
    assert cases.expected_wait(13) == "1 giờ 5 phút"
    friday = datetime(2026, 11, 20, 10, tzinfo=ZONE)
    due = cases.request_due("meter_relocation", friday, ZONE)
    assert due is not None
    assert due.date().isoformat() == "2026-11-27"
    assert cases.request_due("suspension", friday, ZONE) is None


def test_a_handoff_copies_earlier_lines_with_their_times_and_what_the_agent_may_read(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    customer = demo_data.customers[0]
    chat = chat_factory()
    link(chat, store, customer.customer_code)  # "/start" at NOW
    chat.later(timedelta(minutes=10))
    bill = text_of(chat.say("tiền điện tháng trước bao nhiêu"))
    chat.later(timedelta(minutes=1))
    said = (
        f"mã 424242. Tôi gọi 1900 545454 rồi, hồ sơ YC2026-000123, nhà ở {customer.address}, "
        "gọi tôi số 0912 345 678"
    )
    chat.say(said)
    chat.later(timedelta(minutes=2))
    chat.say("/nhanvien")
    code = open_case(store, chat)
    with store.connect() as connection:
        case = SqlCaseStore(connection).case(code)
        assert case is not None
        lines = SqlCaseStore(connection).messages(case.id)
        logged = [
            line.text for line in SqlChatStore(connection).recent_log_lines(case.chat_user_id, 50)
        ]
    copied = {line.text: line.created_at for line in lines}
    assert copied["/start"] == NOW  # when it was said, not when it was copied
    assert copied["tiền điện tháng trước bao nhiêu"] == NOW + timedelta(minutes=10)
    assert copied[bill] == NOW + timedelta(minutes=10)  # the linked customer's code restored
    assert customer.customer_code in bill
    [typed] = [line.text for line in lines if line.text.startswith("mã ")]
    assert typed == (
        f"mã ******. Tôi gọi 1900 545454 rồi, hồ sơ YC2026-000123, nhà ở {customer.address}, "
        "gọi tôi số *******678"  # the one-time code and another person's phone stay masked
    )
    assert copied[typed] == NOW + timedelta(minutes=11)
    # The log itself keeps no personal data: placeholders of the customer, masked numbers.
    assert not any(customer.customer_code in line or customer.address in line for line in logged)
    assert not any("424242" in line or "0912 345 678" in line for line in logged)
    assert any(f"[KH#{case.customer_id}:mã]" in line for line in logged)
    assert any("1900 545454" in line and "YC2026-000123" in line for line in logged)
