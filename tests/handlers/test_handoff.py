"""Handing over only when asked or when the bot cannot help, and the bot still there meanwhile."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Engine, select

from handlers import cases, texts
from handlers.context import ConversationConfig
from handlers.types import Channel
from meters.case_records import CaseRecord
from meters.case_store import SqlCaseStore
from meters.demo.model import DemoCustomer, DemoData, Fault
from meters.schema import HandoffCase
from tests.handlers.conftest import NOW, ZONE, ChatFactory, FakeChat, button_data, text_of
from tests.handlers.demo_facts import clean_residential, faulty
from tests.handlers.test_cases import agent_of, open_case, run

TARIFF_TIER_3 = texts.TARIFF_ONE.split("(")[0].format(tier=3)


def sole(demo_data: DemoData, code: str) -> DemoCustomer:
    """The demo customer with this code, checked to be the only one on its contract phone."""
    found = next(c for c in demo_data.customers if c.customer_code == code)
    assert [c for c in demo_data.customers if c.phone == found.phone] == [found]
    return found


def clean_customer(demo_data: DemoData) -> DemoCustomer:
    """A customer of normal use, alone on its contract phone."""
    for code in clean_residential(demo_data):
        found = next(c for c in demo_data.customers if c.customer_code == code)
        if [c.phone for c in demo_data.customers].count(found.phone) == 1:
            return found
    raise AssertionError("the demo has no clean customer alone on its phone")


def linked_chat(chat_factory: ChatFactory, customer: DemoCustomer, user_id: str) -> FakeChat:
    """A Telegram chat that shared its own card: linked to `customer`."""
    chat = chat_factory(Channel.TELEGRAM, user_id)
    chat.share_contact(customer.phone)
    return chat


def all_cases(store: Engine) -> list[tuple[str, str, str]]:
    """(code, reason, opened by) of every case."""
    with store.connect() as connection:
        rows = connection.execute(
            select(HandoffCase.request_id, HandoffCase.reason, HandoffCase.opened_by).order_by(
                HandoffCase.id
            )
        )
        return [(row[0], row[1], row[2]) for row in rows]


def case_of(store: Engine, code: str) -> CaseRecord:
    """The stored case with this code."""
    with store.connect() as connection:
        found = SqlCaseStore(connection).case(code)
    assert found is not None
    return found


def transcript(store: Engine, code: str) -> list[tuple[str, str]]:
    """(author, text) of the case's transcript."""
    case = case_of(store, code)
    with store.connect() as connection:
        return [(m.author, m.text) for m in SqlCaseStore(connection).messages(case.id)]


def test_normal_use_is_explained_with_an_offer_and_no_case(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat = linked_chat(chat_factory, clean_customer(demo_data), "n1")

    replies = chat.say("sao tháng này tiền điện cao vậy")

    assert texts.ABNORMAL_NORMAL_HINT in text_of(replies)
    assert texts.HANDOFF_OFFER_STILL in text_of(replies)
    assert "agent:abnormal" in button_data(replies)
    assert all_cases(store) == []
    assert TARIFF_TIER_3 in text_of(chat.say("giá điện bậc 3 bao nhiêu"))  # the bot goes on
    chart = next(data for data in button_data(replies) if data.startswith("usage:chart:"))
    assert chat.press(chart)[0].image is not None  # and so do the buttons of its reply
    assert all_cases(store) == []


def test_an_unexplained_anomaly_is_offered_and_taking_the_offer_opens_the_case(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat = linked_chat(chat_factory, sole(demo_data, faulty(demo_data, Fault.LEAK)), "l1")

    replies = chat.say("dạo này điện tăng bất thường")

    assert texts.ABNORMAL_CAUSES in text_of(replies)
    assert replies[-1].text == texts.HANDOFF_OFFER_ABNORMAL
    assert [b.data for b in replies[-1].buttons] == ["agent:abnormal", "agent:no"]
    assert all_cases(store) == []
    opened = chat.press("agent:abnormal")
    [(code, reason, opened_by)] = all_cases(store)
    assert texts.HANDOFF_OPENED.format(code=code) in text_of(opened)
    assert (reason, opened_by) == ("abnormal", "customer")


def test_the_offer_can_be_declined(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat = linked_chat(chat_factory, sole(demo_data, faulty(demo_data, Fault.LEAK)), "l2")
    chat.say("dạo này điện tăng bất thường")
    assert texts.HANDOFF_OFFER_DECLINED in text_of(chat.press("agent:no"))
    assert all_cases(store) == []


def test_a_hazard_opens_a_case_at_once(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    chat = linked_chat(chat_factory, clean_customer(demo_data), "h1")
    replies = chat.say("dây điện bị đứt trước nhà, có tia lửa")
    [(code, reason, opened_by)] = all_cases(store)
    assert texts.HANDOFF_OPENED.format(code=code) in text_of(replies)
    assert (reason, opened_by) == ("hazard", "bot")


def test_two_misses_offer_a_person_and_open_nothing(
    chat_factory: ChatFactory, store: Engine
) -> None:
    chat = chat_factory(Channel.WEB, "v1")
    chat.say("giá vàng hôm nay bao nhiêu")
    second = chat.say("kể chuyện cười đi")
    assert texts.UNKNOWN_OFFER_AGENT in text_of(second)
    assert "i:talk_to_agent" in button_data(second)
    assert all_cases(store) == []
    assert TARIFF_TIER_3 in text_of(chat.say("giá điện bậc 3 bao nhiêu"))


def test_while_waiting_each_message_is_acknowledged_with_its_place_in_the_queue(
    chat_factory: ChatFactory, store: Engine
) -> None:
    chat_factory(Channel.ZALO, "first").say("cho tôi gặp nhân viên")  # waits ahead
    chat = chat_factory(Channel.ZALO, "second")
    chat.say("cho tôi gặp nhân viên")
    code = open_case(store, chat)

    for message in ("alo có ai không", "cho tôi gặp nhân viên"):
        replies = chat.say(message)
        assert text_of(replies) == texts.WAITING_POSITION.format(code=code, position=2)
        assert button_data(replies) == ["bot"]
    assert ("customer", "alo có ai không") in transcript(store, code)
    assert [case[0] for case in all_cases(store)].count(code) == 1


def test_after_hours_the_acknowledgement_gives_the_agents_hours(
    chat_factory: ChatFactory, store: Engine, config: ConversationConfig
) -> None:
    chat = chat_factory(Channel.WEB, "late")
    chat.now = datetime.combine(NOW.date(), time(22, 30), tzinfo=ZONE)
    chat.say("cho tôi gặp nhân viên")
    code = open_case(store, chat)
    expected = texts.WAITING_AFTER_HOURS.format(
        code=code,
        start="07:00",
        end="21:00",
        day=texts.HANDOFF_TOMORROW,
        hotline=config.hotline_for(None),  # an unlinked chat: every corporation by name
    )
    assert text_of(chat.say("alo")) == expected


def test_self_service_and_the_old_buttons_work_while_waiting_and_bot_returns(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData
) -> None:
    customer = clean_customer(demo_data)
    chat = linked_chat(chat_factory, customer, "w1")
    usage = chat.say("hôm qua nhà tôi dùng bao nhiêu số")
    pressed_later = next(d for d in button_data(usage) if d.startswith("usage:"))
    expected_bill = chat_factory(Channel.TELEGRAM, "twin")
    expected_bill.share_contact(customer.phone)
    bill = expected_bill.say("tiền điện tháng này")
    expected_press = expected_bill.press(pressed_later)
    chat.say("cho tôi gặp nhân viên")
    code = open_case(store, chat)
    ack = texts.WAITING_POSITION.format(code=code, position=1)

    answered = chat.say("tiền điện tháng này")

    assert [reply.text for reply in answered] == [reply.text for reply in bill] + [ack]
    assert [reply.text for reply in chat.press(pressed_later)] == [
        *(reply.text for reply in expected_press),
        ack,
    ]
    assert case_of(store, code).open
    lines = transcript(store, code)
    assert ("customer", "tiền điện tháng này") in lines
    assert ("bot", bill[0].text) in lines  # the agent reads what the bot answered
    assert texts.BACK_TO_BOT in text_of(chat.press("bot"))
    assert not case_of(store, code).open
    assert TARIFF_TIER_3 in text_of(chat.say("giá điện bậc 3 bao nhiêu"))


def test_the_bot_command_still_returns(chat_factory: ChatFactory, store: Engine) -> None:
    chat = chat_factory(Channel.WEB, "v2")
    chat.say("/nhanvien")
    code = open_case(store, chat)
    assert texts.BACK_TO_BOT in text_of(chat.say("/bot"))
    assert not case_of(store, code).open


def test_an_agent_s_chat_gets_no_acknowledgement(
    chat_factory: ChatFactory, store: Engine, config: ConversationConfig
) -> None:
    chat = chat_factory(Channel.WEB, "v3")
    chat.say("/nhanvien")
    code = open_case(store, chat)
    run(store, config, cases.claim, agent_of(store, None, "supervisor"), code)
    assert chat.say("dạ em cảm ơn") == ()
    assert ("customer", "dạ em cảm ơn") in transcript(store, code)


def test_cases_the_bot_opened_stay_out_of_the_request_list_and_the_closed_list(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData, config: ConversationConfig
) -> None:
    chat = linked_chat(chat_factory, clean_customer(demo_data), "r1")
    chat.say("dây điện bị đứt trước nhà, có tia lửa")
    chat.say("/bot")
    chat.say("cho tôi gặp nhân viên")
    chat.say("/bot")
    [(by_bot, _, _), (asked, _, _)] = all_cases(store)

    listed = text_of(chat.say("yêu cầu của tôi"))

    assert texts.REQUEST_STATUS_NAMES["received"] in listed  # the hazard report itself
    assert by_bot not in listed
    assert asked in listed
    assert by_bot in text_of(chat.say(f"yêu cầu {by_bot} đến đâu rồi"))  # its code still answers
    supervisor = agent_of(store, None, "supervisor")
    closed = run(store, config, lambda deps: cases.queue(deps, supervisor, closed=True))
    assert [case.code for case in closed] == [asked]  # type: ignore[attr-defined]


def test_a_bot_opened_case_an_agent_worked_on_is_in_the_closed_list(
    chat_factory: ChatFactory, store: Engine, demo_data: DemoData, config: ConversationConfig
) -> None:
    chat = linked_chat(chat_factory, clean_customer(demo_data), "r2")
    chat.say("dây điện bị đứt trước nhà, có tia lửa")
    [(code, _, _)] = all_cases(store)
    supervisor = agent_of(store, None, "supervisor")
    run(store, config, cases.claim, supervisor, code)
    run(store, config, cases.close, supervisor, code, "forwarded")
    closed = run(store, config, lambda deps: cases.queue(deps, supervisor, closed=True))
    assert [case.code for case in closed] == [code]  # type: ignore[attr-defined]
