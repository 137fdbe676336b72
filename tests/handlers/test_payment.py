"""Paying: every channel or the one asked about, and the points by area or nearest first."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from sqlalchemy import Engine, delete

from handlers import texts
from handlers.payment import format_distance, methods_named, payment_methods
from handlers.types import ButtonKind, Channel, Reply
from meters.account_store import SqlAccountStore
from meters.demo.model import DemoCustomer, DemoData
from meters.records import PaymentPointRecord
from meters.schema import PaymentPoint
from tests.handlers.conftest import FakeChat, button_data, text_of


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
    message = "điểm thu tiền điện ở Phường Bến Thành"
    expected = [p for p in all_points(store) if p.area == "Phường Bến Thành"]
    assert expected

    replies = chat.say(message)

    text = text_of(replies)
    assert text.startswith(texts.PAY_POINTS_IN_AREA.format(area="Phường Bến Thành"))
    assert listed_points(replies, all_points(store)) == [p.point_id for p in expected][:5]
    for point in expected[:5]:
        assert point.address in text
        assert point.opening_hours in text


# The demo's wards (today's, since 1 July 2025) that took part of a former district or ward,
# from the resolutions on HCMC's units (Nghị quyết 1685/NQ-UBTVQH15), not from the code.
FORMER_TAN_BINH = ("Phường Tân Sơn Hòa", "Phường Tân Sơn Nhất", "Phường Tân Bình")
FORMER_QUAN_1 = ("Phường Bến Thành", "Phường Sài Gòn", "Phường Cầu Ông Lãnh", "Phường Tân Định")


@pytest.mark.parametrize(
    ("message", "place", "areas"),
    [
        ("điểm thu tiền điện ở Tân Bình", "Quận Tân Bình", FORMER_TAN_BINH),
        ("điểm thu tiền điện ở quận Tân Bình", "Quận Tân Bình", FORMER_TAN_BINH),
        ("diem thu tien dien o quan tan binh", "Quận Tân Bình", FORMER_TAN_BINH),
        ("điểm thu tiền điện ở q1", "Quận 1", FORMER_QUAN_1),
        ("điểm thu tiền điện quận 1", "Quận 1", FORMER_QUAN_1),
        ("điểm thu tiền điện ở phường Bến Nghé", "Phường Bến Nghé, Quận 1", ("Phường Sài Gòn",)),
        (
            "điểm thu tiền điện ở phường 2 quận Tân Bình",
            "Phường 2, Quận Tân Bình",
            ("Phường Tân Sơn Hòa",),
        ),
        ("điểm thu tiền điện ở phường Tân Sơn Hòa", "Phường Tân Sơn Hòa", ()),
        ("diem thu tien dien o tan son hoa", "Phường Tân Sơn Hòa", ()),
        ("điểm thu tiền điện ở tân sơn hoà", "Phường Tân Sơn Hòa", ()),
    ],
)
def test_points_of_a_place_by_its_old_or_new_name(
    chat_factory: type[FakeChat],
    store: Engine,
    message: str,
    place: str,
    areas: tuple[str, ...],
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")
    points = all_points(store)
    wanted = areas or (place,)
    in_areas = {p.point_id: p.area for p in points if p.area in wanted}

    replies = chat.say(message)

    text = text_of(replies)
    header = text.split("\n")[0]
    assert header.startswith(texts.PAY_POINTS_IN_AREA.format(area=place).removesuffix(":"))
    assert all(area in header for area in areas)
    listed = listed_points(replies, points)
    assert len(listed) == min(5, len(in_areas))
    assert set(listed) <= set(in_areas)
    # Every ward of a former district has a point among the first shown.
    assert {in_areas[point] for point in listed} == set(wanted)


@pytest.mark.parametrize(
    "message",
    [
        "điểm thu tiền điện ở phường Xyz",
        "điểm thu tiền điện ở quận Hoàn Kiếm",  # a real place, with no area in the data
        "điểm thu tiền điện tại quận 13",
    ],
)
def test_a_place_not_in_the_data_is_said_so(chat_factory: type[FakeChat], message: str) -> None:
    chat = chat_factory(Channel.TELEGRAM, "111")

    replies = chat.say(message)

    assert text_of(replies) == f"{texts.PLACE_UNKNOWN}\n{texts.PAY_POINTS_ASK}"
    assert replies[0].buttons[0].kind is ButtonKind.SHARE_LOCATION


def test_an_area_without_points_gets_those_of_its_former_district(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    with store.begin() as connection:
        connection.execute(delete(PaymentPoint).where(PaymentPoint.area == "Phường Tân Định"))
    chat = chat_factory(Channel.TELEGRAM, "111")
    others = {p.point_id: p.area for p in all_points(store) if p.area in FORMER_QUAN_1}

    replies = chat.say("điểm thu tiền điện ở phường Tân Định")

    text = text_of(replies)
    assert text.startswith(
        texts.PAY_POINTS_IN_DISTRICT.format(area="Phường Tân Định", district="Quận 1")
    )
    listed = listed_points(replies, all_points(store))
    assert len(listed) == 5
    assert {others[point] for point in listed} == set(FORMER_QUAN_1) - {"Phường Tân Định"}


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
        in_area = accounts.payment_points([customer.area])

    asked = chat.say("điểm thu tiền điện")

    buttons = asked[0].buttons
    assert buttons[0].kind is ButtonKind.SHARE_LOCATION
    assert [(b.label, b.data) for b in buttons[1:]] == [(customer.area, f"pp:c{customer_id}")]
    answered = chat.press(f"pp:c{customer_id}")
    text = text_of(answered)
    assert in_area  # every area of the demo has points
    assert text.startswith(texts.PAY_POINTS_IN_AREA.format(area=customer.area))
    assert listed_points(answered, all_points(store)) == [p.point_id for p in in_area][:5]


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
