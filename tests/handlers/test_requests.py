"""Service requests: filed for the chat's own customer, and progress shown only to its owner."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine

from handlers import texts
from handlers.service_catalog import SERVICE_TYPES, deadline_text, papers_text, service_name
from handlers.types import Channel
from meters.chat_store import SqlChatStore
from meters.demo.model import DemoCustomer, DemoData
from tests.handlers.conftest import NOW, FakeChat, button_data, text_of
from tests.handlers.demo_facts import customer as stored_customer
from tests.handlers.demo_facts import with_store

REQUEST_CODE = re.compile(r"YC\d{4}-\d{6}")


def sole_customer_with_request(demo: DemoData) -> tuple[DemoCustomer, str]:
    """A demo customer alone on their phone with a request of their own, and its id."""
    for request in demo.requests:
        owner = next(c for c in demo.customers if c.customer_code == request.customer_code)
        if sum(c.phone == owner.phone for c in demo.customers) == 1:
            return owner, request.request_id
    raise AssertionError("no demo request of a customer alone on a phone")


def someone_without_requests(demo: DemoData) -> DemoCustomer:
    with_requests = {r.customer_code for r in demo.requests}
    return next(
        c
        for c in demo.customers
        if c.customer_code not in with_requests
        and sum(other.phone == c.phone for other in demo.customers) == 1
    )


def failed_attempts(store: Engine, chat: FakeChat) -> int:
    with store.connect() as connection:
        chats = SqlChatStore(connection)
        chat_user_id = chats.chat_user_id(chat.user.channel.value, chat.user.external_id)
        assert chat_user_id is not None
        return chats.failed_links_since(chat_user_id, NOW - timedelta(hours=1))


def test_a_service_is_confirmed_with_its_fee_and_papers_before_it_is_filed(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = someone_without_requests(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    owner = stored_customer(store, customer.customer_code)

    asked = chat.say("muốn kiểm định lại công tơ")

    shown = text_of(asked)
    assert with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id])) == ()
    assert shown.splitlines()[0] == (
        "Anh/chị xác nhận gửi yêu cầu kiểm tra, kiểm định công tơ cho mã KH "
        f"{owner.customer_code}?"
    )
    assert (
        "Chi phí: kiểm định độc lập: anh/chị trả phí nếu công tơ đúng tiêu chuẩn, Điện lực trả "
        "nếu công tơ sai"
    ) in shown
    assert (
        texts.SERVICE_WHAT.format(description=texts.SERVICE_DESCRIPTIONS["meter_inspection"])
        in shown
    )
    assert texts.SERVICE_PAPERS.format(papers=papers_text("meter_inspection")) in shown
    assert texts.SERVICE_DEADLINE.format(deadline=deadline_text("meter_inspection")) in shown
    assert button_data(asked) == [f"svc:ok:meter_inspection:{owner.id}", "cancel"]

    text = text_of(chat.press(f"svc:ok:meter_inspection:{owner.id}"))

    filed = with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id]))
    assert [(r.service_type, r.status) for r in filed] == [("meter_inspection", "received")]
    request_id = filed[0].request_id
    assert REQUEST_CODE.fullmatch(request_id)
    assert (
        texts.SERVICE_FILED.format(
            service=service_name("meter_inspection"),
            code=customer.customer_code,
            request_id=request_id,
        )
        in text
    )
    assert texts.SERVICE_PAPERS.format(papers=papers_text("meter_inspection")) in text
    assert texts.SERVICE_DEADLINE.format(deadline=deadline_text("meter_inspection")) in text


def test_the_type_is_asked_with_buttons_and_the_same_request_is_not_filed_twice(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = someone_without_requests(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    asked = chat.press("i:service_request")

    owner = stored_customer(store, customer.customer_code)
    confirm = f"svc:ok:meter_relocation:{owner.id}"
    assert button_data(asked) == [f"svc:{kind}" for kind in SERVICE_TYPES]
    assert confirm in button_data(chat.press("svc:meter_relocation"))
    first = text_of(chat.press(confirm))
    again = text_of(chat.press("svc:meter_relocation"))
    pressed_twice = text_of(chat.press(confirm))

    filed = with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id]))
    assert len(filed) == 1
    assert filed[0].request_id in first
    already = texts.SERVICE_ALREADY.format(
        code=customer.customer_code,
        service=service_name("meter_relocation"),
        request_id=filed[0].request_id,
        status=texts.REQUEST_STATUS_NAMES["received"],
    )
    assert again == already
    assert pressed_twice == already


def test_cancelling_the_confirmation_files_nothing(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = someone_without_requests(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    owner = stored_customer(store, customer.customer_code)
    chat.say("đăng ký tạm ngừng cấp điện")

    assert text_of(chat.press("cancel")) == texts.CANCELLED
    assert with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id])) == ()


def test_a_confirmation_for_a_customer_the_chat_has_not_linked_files_nothing(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = someone_without_requests(demo_data)
    chat = chat_factory(Channel.ZALO, "stranger")

    text = text_of(
        chat.press(f"svc:ok:new_connection:{stored_customer(store, customer.customer_code).id}")
    )

    assert not REQUEST_CODE.search(text)
    assert texts.SERVICE_PAPERS.format(papers=papers_text("new_connection")) in text
    owner = stored_customer(store, customer.customer_code)
    assert with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id])) == ()


def test_every_service_says_who_pays_what() -> None:
    assert texts.SERVICE_FEES == {
        "new_connection": (
            "anh/chị trả phần từ điểm đấu nối đến nơi sử dụng điện; công tơ và thiết bị đóng "
            "cắt do Điện lực đầu tư"
        ),
        "contract_change": "miễn phí",
        "contract_end": "miễn phí",
        "suspension": "chi phí ngừng và cấp điện trở lại theo Thông tư 23/2020/TT-BCT",
        "meter_inspection": (
            "kiểm định độc lập: anh/chị trả phí nếu công tơ đúng tiêu chuẩn, Điện lực trả nếu "
            "công tơ sai"
        ),
        "meter_relocation": (
            "anh/chị trả toàn bộ chi phí di dời, trừ công tơ và thiết bị đóng cắt của Điện lực"
        ),
    }
    assert set(texts.SERVICE_DESCRIPTIONS) == set(SERVICE_TYPES)


def test_without_a_linked_customer_the_bot_explains_and_files_nothing(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory(Channel.ZALO, "999")

    text = text_of(chat.say("đăng ký lắp công tơ mới"))

    assert texts.SERVICE_PAPERS.format(papers=papers_text("new_connection")) in text
    assert not REQUEST_CODE.search(text)
    total = with_store(store, lambda accounts, _usage: accounts.request("YC2026-000001"))
    assert total is None


def test_a_named_request_of_the_chats_own_customer_shows_its_history(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, request_id = sole_customer_with_request(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    replies = chat.say(f"yêu cầu {request_id} xử lý chưa")

    demo_request = next(r for r in demo_data.requests if r.request_id == request_id)
    text = text_of(replies)
    for step in demo_request.history:
        assert texts.REQUEST_STATUS_NAMES[step.status] in text
        assert step.note is not None
        assert step.note in text
    assert texts.REQUEST_STATUS_NAMES[demo_request.history[-1].status] in text.splitlines()[0]


def test_a_request_of_another_customer_is_refused_and_counts_as_a_failed_attempt(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, _own = sole_customer_with_request(demo_data)
    other = next(r for r in demo_data.requests if r.customer_code != customer.customer_code)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    stranger = chat_factory(Channel.ZALO, "999")

    refused = text_of(chat.say(f"tra cứu {other.request_id}"))
    unlinked = text_of(stranger.say(f"tra cứu {other.request_id}"))

    for text in (refused, unlinked):
        assert text.startswith(texts.REQUEST_NOT_FOUND.split("{request_id}")[0] + other.request_id)
        for step in other.history:
            assert step.note is None or step.note not in text
    assert failed_attempts(store, chat) == 1
    assert failed_attempts(store, stranger) == 1


def test_without_an_id_the_latest_requests_of_the_linked_customers_are_listed(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, _request_id = sole_customer_with_request(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    owner = stored_customer(store, customer.customer_code)
    chat.press("svc:suspension")
    filed_text = text_of(chat.press(f"svc:ok:suspension:{owner.id}"))

    text = text_of(chat.say("hồ sơ của tôi tới đâu rồi"))

    latest = with_store(store, lambda accounts, _usage: accounts.requests_of([owner.id]))
    assert len(latest) == 2
    assert latest[0].request_id in filed_text
    assert text.splitlines()[0] == texts.REQUEST_LATEST
    for request in latest:
        assert request.request_id in text
    assert text_of(chat.say(latest[0].request_id)).startswith(
        texts.REQUEST_HEADER.split("{request_id}")[0] + latest[0].request_id
    )
