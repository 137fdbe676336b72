"""Paying: every channel or the one asked about, and the points by area or nearest first."""

from __future__ import annotations

import math
from collections import Counter

from sqlalchemy import Engine

from handlers import texts
from handlers.payment import format_distance, methods_named, payment_methods
from handlers.types import ButtonKind, Channel, Reply
from meters.account_store import SqlAccountStore
from meters.demo.model import DemoCustomer, DemoData
from meters.records import PaymentPointRecord
from nlu import parse
from tests.handlers.conftest import TODAY, FakeChat, button_data, text_of


def only_customer_of_phone(demo_data: DemoData) -> DemoCustomer:
    """A demo customer whose contract phone holds no other code."""
    phones = Counter(customer.phone for customer in demo_data.customers)
    return next(c for c in demo_data.customers if phones[c.phone] == 1)


def all_points(store: Engine) -> tuple[PaymentPointRecord, ...]:
    with store.connect() as connection:
        return SqlAccountStore(connection).payment_points()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance, written out here independently of the handler."""
    radius = 6371.0088
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1)
    a = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    )
    return 2 * radius * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def listed_points(replies: tuple[Reply, ...], points: tuple[PaymentPointRecord, ...]) -> list[str]:
    """The ids of the points a reply lists (name line, then address line), in the order listed."""
    text = text_of(replies)
    listed = [
        (text.find(f". {p.name} ({p.kind})"), text.find(f"\n   {p.address}\n"), p) for p in points
    ]
    return [
        p.point_id
        for name_at, address_at, p in sorted(listed, key=lambda item: item[1])
        if 0 <= name_at < address_at
    ]


def test_a_general_question_lists_every_channel(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    replies = chat.say("cách trả tiền điện online")

    text = text_of(replies)
    assert text.startswith(texts.PAY_METHODS_HEADER)
    for method in payment_methods():
        assert texts.PAY_METHODS_LINE.format(name=method.name, summary=method.summary) in text
    assert {"i:payment_points", "i:payment_status"} <= set(button_data(replies))


def test_a_named_channel_gets_its_steps_only(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    momo = next(method for method in payment_methods() if method.key == "momo")

    replies = chat.say("thanh toán qua momo được không")

    assert text_of(replies) == texts.PAY_METHOD_YES.format(name=momo.name, how=momo.how)
    assert "i:payment_methods" in button_data(replies)


def test_channels_are_recognised_without_diacritics_and_in_the_order_written() -> None:
    assert [m.key for m in methods_named("tra tien dien qua momo dc ko")] == ["momo"]
    assert [m.key for m in methods_named("ví ZaloPay hay quét mã QR")] == ["zalopay", "qr"]
    assert [m.key for m in methods_named("đăng ký trích nợ tự động")] == ["auto_debit"]
    assert methods_named("thanh toán tiền điện thế nào") == ()


def test_points_of_the_area_named(chat_factory: type[FakeChat], store: Engine) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    message = "điểm thu tiền điện ở Phường Bến Thành, Quận 1"
    with store.connect() as connection:
        accounts = SqlAccountStore(connection)
        area = parse(message, TODAY, accounts.area_names()).entities["area"]
        expected = accounts.payment_points(str(area))
    assert expected

    replies = chat.say(message)

    text = text_of(replies)
    assert text.startswith(texts.PAY_POINTS_IN_AREA.format(area=area))
    assert listed_points(replies, all_points(store)) == [p.point_id for p in expected]
    for point in expected:
        assert point.address in text
        assert point.opening_hours in text


def test_a_shared_location_gets_the_nearest_points_first(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    points = all_points(store)
    here = (points[0].lat + 0.003, points[0].lon - 0.002)
    by_distance = sorted(points, key=lambda p: (distance_km(*here, p.lat, p.lon), p.point_id))

    replies = chat.share_location(*here)

    text = text_of(replies)
    assert text.startswith(texts.PAY_POINTS_NEAREST)
    nearest = by_distance[:5]
    assert listed_points(replies, points) == [p.point_id for p in nearest]
    for point in nearest:
        distance = format_distance(distance_km(*here, point.lat, point.lon))
        assert texts.PAY_POINT_DISTANCE.format(distance=distance) in text
        assert point.opening_hours in text


def test_distances_read_in_metres_then_kilometres() -> None:
    assert format_distance(0.2349) == texts.DISTANCE_METERS.format(meters=230)
    assert format_distance(1.26) == texts.DISTANCE_KM.format(km="1,3")


def test_without_a_place_it_asks_for_a_location(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    replies = chat.say("điểm thu tiền điện gần nhất")

    assert text_of(replies) == texts.PAY_POINTS_ASK
    assert [button.kind for button in replies[0].buttons] == [ButtonKind.SHARE_LOCATION]


def test_a_linked_customer_s_area_is_offered_and_answers(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = only_customer_of_phone(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    with store.connect() as connection:
        accounts = SqlAccountStore(connection)
        customer_id = accounts.customers_by_phone(customer.phone)[0].id
        in_area = accounts.payment_points(customer.area)

    asked = chat.say("điểm thu tiền điện")

    buttons = asked[0].buttons
    assert buttons[0].kind is ButtonKind.SHARE_LOCATION
    assert [(b.label, b.data) for b in buttons[1:]] == [(customer.area, f"pp:c{customer_id}")]
    answered = chat.press(f"pp:c{customer_id}")
    text = text_of(answered)
    if in_area:
        assert text.startswith(texts.PAY_POINTS_IN_AREA.format(area=customer.area))
        assert listed_points(answered, all_points(store)) == [p.point_id for p in in_area][:5]
    else:
        district = customer.area.partition(", ")[2]
        assert text.startswith(
            texts.PAY_POINTS_IN_DISTRICT.format(area=customer.area, district=district)
        )


def test_the_area_button_of_a_customer_not_linked_shows_nothing(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    customer = only_customer_of_phone(demo_data)
    with store.connect() as connection:
        customer_id = SqlAccountStore(connection).customers_by_phone(customer.phone)[0].id
    chat = chat_factory(Channel.TELEGRAM, "222")

    replies = chat.press(f"pp:c{customer_id}")

    assert text_of(replies) == texts.PAY_POINTS_ASK
    assert customer.area not in [button.label for button in replies[0].buttons]
