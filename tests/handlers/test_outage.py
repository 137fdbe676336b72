"""Planned outages: the customer's own station first, an area's public schedule otherwise."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Engine, insert

from handlers import texts
from handlers.format import format_date
from handlers.slots import format_moment
from handlers.types import Channel
from meters.demo.model import DemoCustomer, DemoData, DemoOutage
from meters.demo.places import POWER_COMPANIES, station_names
from meters.schema import Outage, OutageStation
from nlu.normalize import fold
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


def spared_customer(demo: DemoData, store: Engine) -> tuple[DemoCustomer, DemoOutage]:
    """A customer not cut next week, and an outage planted next week on another station of
    their area (the demo's own outages may cut every station of an area that has customers)."""
    monday = next_monday()
    cut = {s for o in upcoming(demo, monday, monday + timedelta(days=7)) for s in o.stations}
    customer = next(c for c in demo.customers if sole_owner(demo, c) and c.station not in cut)
    area = next(a for company in POWER_COMPANIES for a in company.areas if a.name == customer.area)
    station = next(s for s in station_names(area) if s != customer.station)
    starts_at = monday + timedelta(days=1, hours=8)
    outage = DemoOutage(
        outage_id="TNPLANTED",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        area=customer.area,
        reason="Bảo trì, sửa chữa lưới điện",
        announced_at=NOW,
        stations=(station,),
    )
    with store.begin() as connection:
        connection.execute(
            insert(Outage).values(
                outage_id=outage.outage_id,
                starts_at=outage.starts_at,
                ends_at=outage.ends_at,
                area=outage.area,
                reason=outage.reason,
                announced_at=outage.announced_at,
            )
        )
        connection.execute(
            insert(OutageStation).values(outage_id=outage.outage_id, station=station)
        )
    return customer, outage


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
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, outage = spared_customer(demo_data, store)
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


# The former district of each demo ward (today's names), from the 2025 resolutions on HCMC's
# and Đà Nẵng's units (Nghị quyết 1685 and 1659/NQ-UBTVQH15), not from the code.
FORMER_DISTRICT = {
    "Phường Bến Thành": "Quận 1",
    "Phường Sài Gòn": "Quận 1",
    "Phường Cầu Ông Lãnh": "Quận 1",
    "Phường Tân Định": "Quận 1",
    "Phường Thạnh Mỹ Tây": "Quận Bình Thạnh",
    "Phường Gia Định": "Quận Bình Thạnh",
    "Phường Bình Thạnh": "Quận Bình Thạnh",
    "Phường Tân Sơn Hòa": "Quận Tân Bình",
    "Phường Tân Sơn Nhất": "Quận Tân Bình",
    "Phường Tân Bình": "Quận Tân Bình",
    "Phường Linh Xuân": "Thành phố Thủ Đức",
    "Phường Thủ Đức": "Thành phố Thủ Đức",
    "Phường Hiệp Bình": "Thành phố Thủ Đức",
    "Phường Chợ Lớn": "Quận 5",
    "Phường An Đông": "Quận 5",
    "Phường Hải Châu": "Quận Hải Châu",
    "Phường Hòa Cường": "Quận Hải Châu",
    "Phường An Hải": "Quận Sơn Trà",
    "Phường Sơn Trà": "Quận Sơn Trà",
    "Phường Thanh Khê": "Quận Thanh Khê",
    "Phường Liên Chiểu": "Quận Liên Chiểu",
}


def area_line_in(outage: DemoOutage) -> str:
    return texts.OUTAGE_LINE_IN_AREA.format(
        start=format_moment(outage.starts_at, ZONE),
        end=format_moment(outage.ends_at, ZONE),
        area=outage.area,
        stations=", ".join(outage.stations),
        reason=outage.reason,
    )


def test_the_demo_areas_are_today_s_wards(demo_data: DemoData) -> None:
    assert {c.area for c in demo_data.customers} <= set(FORMER_DISTRICT)
    assert {o.area for o in demo_data.outages} <= set(FORMER_DISTRICT)


def test_a_former_district_gives_the_schedule_of_every_ward_that_took_part_of_it(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    week = upcoming(demo_data, NOW, NOW + timedelta(days=7))
    by_district: dict[str, list[DemoOutage]] = {}
    for outage in week:
        by_district.setdefault(FORMER_DISTRICT[outage.area], []).append(outage)
    # The district whose outages fall in most of its wards.
    district, outages = max(
        by_district.items(), key=lambda item: (len({o.area for o in item[1]}), item[0])
    )
    wards = [ward for ward, former in FORMER_DISTRICT.items() if former == district]
    chat = chat_factory(Channel.TELEGRAM, "222")

    text = text_of(chat.say(f"lịch cúp điện {district.lower()} sắp tới"))
    folded = text_of(chat.say(f"lich cup dien o {fold(district)}"))

    header = text.split("\n")[0]
    assert header.startswith(f"Lịch tạm ngừng cung cấp điện ở {district} (")
    assert all(ward in header for ward in wards)
    for outage in week:
        assert (area_line_in(outage) in text) == (outage in outages)
    assert folded == text


def test_a_former_district_s_next_week_button_keeps_the_district(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    chat = chat_factory(Channel.TELEGRAM, "222")
    replies = chat.say("lịch cắt điện quận Tân Bình")
    pressed = [data for data in button_data(replies) if data.endswith(":nw")]

    text = text_of(chat.press(pressed[0]))

    monday = next_monday()
    period = range_label(monday, monday + timedelta(days=6))
    assert period in text.split("\n")[0]
    assert "Quận Tân Bình (" in text.split("\n")[0]
    for outage in upcoming(demo_data, monday, monday + timedelta(days=7)):
        shown = area_line_in(outage) in text
        assert shown == (FORMER_DISTRICT[outage.area] == "Quận Tân Bình")


def test_an_unknown_place_is_said_so_and_the_areas_offered(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory(Channel.TELEGRAM, "222")

    replies = chat.say("lịch cắt điện ở phường Xyz")

    text = text_of(replies)
    assert text.startswith(f"{texts.PLACE_UNKNOWN}\n")
    assert any(data.startswith("outage:a") for data in button_data(replies))
