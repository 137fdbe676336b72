"""Planned outages: the customer's own station first, an area's public schedule otherwise."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Engine

from handlers import texts
from handlers.format import format_date
from handlers.slots import format_moment
from handlers.types import Channel
from meters.demo.model import DemoCustomer, DemoData, DemoOutage
from tests.handlers.conftest import NOW, TODAY, ZONE, FakeChat, button_data, text_of
from tests.handlers.demo_facts import SHARED_PHONE, with_store
from tests.handlers.demo_facts import customer as stored_customer


def upcoming(demo: DemoData, start: datetime, end: datetime) -> list[DemoOutage]:
    """Demo outages overlapping start..end, in start order."""
    found = [o for o in demo.outages if o.ends_at > start and o.starts_at < end]
    return sorted(found, key=lambda o: (o.starts_at, o.outage_id))


def sole_owner(demo: DemoData, customer: DemoCustomer) -> bool:
    """Whether the customer is the only code on its phone (sharing links just this one)."""
    return sum(c.phone == customer.phone for c in demo.customers) == 1


def cut_customer(demo: DemoData) -> tuple[DemoCustomer, DemoOutage]:
    """A customer whose own station is cut in the next 7 days, and that outage."""
    week = upcoming(demo, NOW, NOW + timedelta(days=7))
    for outage in week:
        for customer in demo.customers:
            if customer.station in outage.stations and sole_owner(demo, customer):
                return customer, outage
    raise AssertionError("the demo has no customer cut in the coming week")


def spared_customer(demo: DemoData) -> tuple[DemoCustomer, DemoOutage]:
    """A customer whose area has an outage in the next 7 days that spares their station."""
    for outage in upcoming(demo, NOW, NOW + timedelta(days=7)):
        for customer in demo.customers:
            if (
                customer.area == outage.area
                and customer.station not in outage.stations
                and sole_owner(demo, customer)
            ):
                return customer, outage
    raise AssertionError("the demo has no area outage sparing a customer's station")


def own_line(outage: DemoOutage, station: str) -> str:
    return texts.OUTAGE_LINE_OWN.format(
        start=format_moment(outage.starts_at, ZONE),
        end=format_moment(outage.ends_at, ZONE),
        station=station,
        reason=outage.reason,
    )


def area_line(outage: DemoOutage) -> str:
    return texts.OUTAGE_LINE.format(
        start=format_moment(outage.starts_at, ZONE),
        end=format_moment(outage.ends_at, ZONE),
        stations=", ".join(outage.stations),
        reason=outage.reason,
    )


def range_label(first: datetime, last: datetime) -> str:
    return texts.OUTAGE_PERIOD_RANGE.format(
        start=format_date(first.date()), end=format_date(last.date())
    )


def next_monday() -> datetime:
    monday = TODAY + timedelta(days=7 - TODAY.weekday())
    return datetime.combine(monday, time(0), tzinfo=ZONE)


def test_a_linked_customer_sees_the_outages_of_their_own_station_first(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer, outage = cut_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    replies = chat.say("lịch cúp điện sắp tới")

    text = text_of(replies)
    period = range_label(NOW, NOW + timedelta(days=7))
    header = texts.OUTAGE_OWN_HEADER.format(
        period=period, code=customer.customer_code, station=customer.station
    )
    assert text.startswith(header)
    assert own_line(outage, customer.station) in text
    assert f"outage:{customer.customer_code}:nw" in button_data(replies)


def test_other_outages_of_the_area_follow_and_say_they_spare_the_station(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer, outage = spared_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    text = text_of(chat.say("tuần sau khu tôi có cắt điện không"))

    monday = next_monday()
    period = range_label(monday, monday + timedelta(days=6))
    cutting_own = [
        o
        for o in upcoming(demo_data, monday, monday + timedelta(days=7))
        if customer.station in o.stations
    ]
    assert not cutting_own, "the chosen customer must be spared next week"
    assert (
        texts.OUTAGE_OWN_NONE.format(
            station=customer.station, code=customer.customer_code, period=period
        )
        in text
    )
    assert texts.OUTAGE_AREA_OTHERS.format(area=customer.area) in text
    assert area_line(outage) in text


def test_a_date_in_the_message_is_that_day_only(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer, outage = cut_customer(demo_data)
    day = outage.starts_at.astimezone(ZONE).date()
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    text = text_of(chat.say(f"lịch cắt điện ngày {day.day}/{day.month}"))

    label = texts.OUTAGE_PERIOD_DAY.format(date=format_date(day))
    assert label in text
    assert own_line(outage, customer.station) in text
    for other in demo_data.outages:
        if other.starts_at.astimezone(ZONE).date() != day:
            assert own_line(other, customer.station) not in text
            assert area_line(other) not in text


def test_this_week_ends_on_sunday(chat_factory: type[FakeChat], demo_data: DemoData) -> None:
    customer, _outage = cut_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    text = text_of(chat.say("tuần này khu tôi có cắt điện không"))

    sunday = next_monday() - timedelta(days=1)
    assert range_label(NOW, sunday) in text
    for outage in demo_data.outages:
        shown = own_line(outage, customer.station) in text or area_line(outage) in text
        assert shown == (outage.ends_at > NOW and outage.starts_at < next_monday())


def test_an_unlinked_chat_is_asked_for_the_area_and_never_sees_a_station_of_its_own(
    chat_factory: type[FakeChat], store: Engine, demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "222")

    replies = chat.say("lịch cúp điện sắp tới")

    week = upcoming(demo_data, NOW, NOW + timedelta(days=7))
    areas = with_store(store, lambda accounts, _usage: accounts.area_names())
    text = text_of(replies)
    assert text.startswith(
        texts.OUTAGE_ASK_AREA.format(period=range_label(NOW, NOW + timedelta(days=7)))
    )
    area_buttons = [data for data in button_data(replies) if data.startswith("outage:a")]
    assert {areas[int(data.split(":")[1][1:])] for data in area_buttons} <= {o.area for o in week}
    assert "TBA" not in text

    pressed = text_of(chat.press(area_buttons[0]))

    area = areas[int(area_buttons[0].split(":")[1][1:])]
    header = texts.OUTAGE_AREA_HEADER.format(
        area=area, period=range_label(NOW, NOW + timedelta(days=7))
    )
    assert pressed.startswith(header)
    for outage in week:
        if outage.area == area:
            assert area_line(outage) in pressed
    assert "mã KH" not in pressed.split(texts.OUTAGE_LINK_OFFER)[0]
    assert texts.OUTAGE_LINK_OFFER in pressed


def test_a_named_area_gives_its_public_schedule_and_marks_the_chats_own_station(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    customer, outage = cut_customer(demo_data)
    anonymous = chat_factory(Channel.TELEGRAM, "333")
    owner = chat_factory(Channel.TELEGRAM, "111")
    owner.share_contact(customer.phone)
    question = f"lịch cắt điện {customer.area}"

    public = text_of(anonymous.say(question))
    own = text_of(owner.say(question))

    assert area_line(outage) in public
    marked = area_line(outage) + texts.OUTAGE_LINE_CUTS.format(code=customer.customer_code)
    assert marked not in public
    assert marked in own


def test_with_two_linked_customers_the_bot_asks_which_and_keeps_the_period(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    codes = [c for c in demo_data.customers if c.phone == SHARED_PHONE]
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(SHARED_PHONE)

    asked = chat.say("lịch cắt điện tuần sau")

    assert text_of(asked) == texts.CHOOSE_CUSTOMER
    chosen = codes[0]
    replies = chat.press(f"c:{stored_customer(store, chosen.customer_code).id}")
    monday = next_monday()
    period = range_label(monday, monday + timedelta(days=6))
    text = text_of(replies)
    own = [
        o
        for o in upcoming(demo_data, monday, monday + timedelta(days=7))
        if chosen.station in o.stations
    ]
    if own:
        assert (
            texts.OUTAGE_OWN_HEADER.format(
                period=period, code=chosen.customer_code, station=chosen.station
            )
            in text
        )
        assert own_line(own[0], chosen.station) in text
    else:
        assert (
            texts.OUTAGE_OWN_NONE.format(
                station=chosen.station, code=chosen.customer_code, period=period
            )
            in text
        )
