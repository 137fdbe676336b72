"""Scheduled messages and alerts: stored for the chat's own customer, confirmed, withdrawn."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from handlers import texts
from handlers.subscriptions import SUBSCRIBABLE, describe_threshold
from handlers.types import Channel
from meters.chat_store import SqlChatStore
from meters.demo.model import DemoCustomer, DemoData
from tests.handlers.conftest import FakeChat, button_data, text_of
from tests.handlers.demo_facts import customer as stored_customer


def residential_alone(demo: DemoData) -> DemoCustomer:
    """A residential customer alone on their contract phone."""
    return next(
        c
        for c in demo.customers
        if c.customer_type == "residential"
        and sum(other.phone == c.phone for other in demo.customers) == 1
    )


def stored(store: Engine, chat: FakeChat) -> tuple[dict[tuple[int, str], Any], frozenset[str]]:
    """The chat's active subscriptions ((customer id, kind) -> threshold) and consents."""
    with store.connect() as connection:
        chats = SqlChatStore(connection)
        chat_user_id = chats.chat_user_id(chat.user.channel.value, chat.user.external_id)
        assert chat_user_id is not None
        active = {
            (s.customer_id, s.kind): s.threshold
            for s in chats.subscriptions(chat_user_id)
            if s.active
        }
        return active, chats.active_consents(chat_user_id)


@pytest.fixture
def linked(chat_factory: type[FakeChat], demo_data: DemoData) -> tuple[FakeChat, DemoCustomer]:
    customer = residential_alone(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    chat.press("consent:daily")  # withdrawn, to see subscribing grant it again
    return chat, customer


def test_the_daily_message_is_stored_and_grants_its_consent(
    linked: tuple[FakeChat, DemoCustomer], store: Engine
) -> None:
    chat, customer = linked
    assert "daily" not in stored(store, chat)[1]

    text = text_of(chat.say("gửi cho tôi số điện mỗi ngày"))

    owner = stored_customer(store, customer.customer_code)
    active, consents = stored(store, chat)
    assert active == {(owner.id, "daily_usage"): None}
    assert "daily" in consents
    assert (
        texts.SUBSCRIBED.format(
            kind=texts.SUBSCRIPTION_NAMES["daily_usage"], code=customer.customer_code
        )
        in text
    )


def test_outage_notices_are_their_own_kind(
    linked: tuple[FakeChat, DemoCustomer], store: Engine
) -> None:
    chat, customer = linked

    chat.say("nhận thông báo cắt điện")

    owner = stored_customer(store, customer.customer_code)
    active, consents = stored(store, chat)
    assert active == {(owner.id, "outage"): None}
    assert "outages" in consents


@pytest.mark.parametrize(
    ("message", "threshold"),
    [
        ("báo tôi khi dùng quá 20 số một ngày", {"kwh_per_day": 20}),
        ("cảnh báo khi tiền điện vượt 1 triệu", {"dong_per_month": 1_000_000}),
        ("báo tôi trước khi sang bậc 4", {"before_tier": 4}),
    ],
)
def test_usage_alert_thresholds_are_stored_as_json(
    linked: tuple[FakeChat, DemoCustomer], store: Engine, message: str, threshold: dict[str, int]
) -> None:
    chat, customer = linked

    text = text_of(chat.say(message))

    owner = stored_customer(store, customer.customer_code)
    active, consents = stored(store, chat)
    assert active == {(owner.id, "threshold"): threshold}
    assert "alerts" in consents
    assert (
        texts.ALERT_SET.format(
            code=customer.customer_code, condition=describe_threshold(threshold)
        )
        in text
    )


def test_a_new_threshold_replaces_the_old_one(
    linked: tuple[FakeChat, DemoCustomer], store: Engine
) -> None:
    chat, customer = linked
    chat.say("báo tôi khi dùng quá 20 số một ngày")

    text = text_of(chat.say("cảnh báo khi tiền điện vượt 1 triệu"))

    owner = stored_customer(store, customer.customer_code)
    assert stored(store, chat)[0] == {(owner.id, "threshold"): {"dong_per_month": 1_000_000}}
    assert texts.ALERT_REPLACED.format(old=describe_threshold({"kwh_per_day": 20})) in text


def test_kwh_without_a_period_asks_day_or_month(
    linked: tuple[FakeChat, DemoCustomer], store: Engine
) -> None:
    chat, customer = linked

    asked = chat.say("báo tôi khi dùng quá 300 số")

    code = customer.customer_code
    assert button_data(asked) == [f"alert:d:300:{code}", f"alert:m:300:{code}"]
    assert stored(store, chat)[0] == {}
    chat.press(f"alert:m:300:{code}")
    owner = stored_customer(store, code)
    assert stored(store, chat)[0] == {(owner.id, "threshold"): {"kwh_per_month": 300}}


def test_unsubscribe_one_kind_then_everything_with_buttons(
    linked: tuple[FakeChat, DemoCustomer], store: Engine
) -> None:
    chat, customer = linked
    for kind in SUBSCRIBABLE:
        chat.press(f"sub:{kind}:{customer.customer_code}")
    owner = stored_customer(store, customer.customer_code)
    assert set(stored(store, chat)[0]) == {(owner.id, kind) for kind in SUBSCRIBABLE}

    stopped = text_of(chat.say("hủy nhận tin hằng ngày"))

    assert texts.UNSUBSCRIBED.format(kind=texts.SUBSCRIPTION_NAMES["daily_usage"]) in stopped
    remaining = set(SUBSCRIBABLE) - {"daily_usage"}
    assert set(stored(store, chat)[0]) == {(owner.id, kind) for kind in remaining}
    asked = chat.say("hủy thông báo")
    assert set(button_data(asked)) == {f"unsub:{kind}" for kind in remaining} | {"unsub:all"}
    assert text_of(chat.press("unsub:all")) == texts.UNSUBSCRIBED_ALL
    assert stored(store, chat)[0] == {}


def test_an_unlinked_chat_subscribes_nothing(chat_factory: type[FakeChat], store: Engine) -> None:
    chat = chat_factory(Channel.ZALO, "999")

    text = text_of(chat.say("gửi cho tôi số điện mỗi ngày"))

    assert texts.LINK_NEEDED.format(what=texts.WHAT_SUBSCRIPTION) in text
    assert stored(store, chat)[0] == {}
    assert text_of(chat.say("hủy thông báo")) == texts.SUBSCRIPTIONS_NONE
