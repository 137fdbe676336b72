"""outage_restoration: "khi nào có điện lại" is answered from planned work and reports, never
turned into a subscription or a handoff.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import Engine, func, select, update

from handlers import texts
from handlers.slots import format_moment
from handlers.types import Channel
from meters.demo.model import DemoCustomer, DemoData
from meters.schema import ServiceRequest, Subscription
from tests.handlers.conftest import NOW, ZONE, FakeChat, button_data, text_of
from tests.handlers.test_outage import cut_customer, sole_owner, upcoming

REPORT_BUTTON = "i:outage_report"


def neighbours(demo: DemoData) -> tuple[DemoCustomer, DemoCustomer]:
    """Two customers alone on their phones at one station with no planned work today."""
    busy = {
        station for o in upcoming(demo, NOW, NOW + timedelta(days=1)) for station in o.stations
    }
    for first in demo.customers:
        for second in demo.customers:
            if (
                first.customer_code < second.customer_code
                and first.station == second.station
                and first.station not in busy
                and sole_owner(demo, first)
                and sole_owner(demo, second)
            ):
                return first, second
    raise AssertionError("the demo has no two customers of one quiet station")


def linked(chat_factory: type[FakeChat], customer: DemoCustomer, user: str) -> FakeChat:
    chat = chat_factory(Channel.TELEGRAM, user)
    chat.share_contact(customer.phone)
    return chat


def set_estimate(store: Engine, request_id: str, status: str, expected_at: datetime) -> None:
    """What an operator's requests.csv import sets: the state and the expected restoration."""
    with store.begin() as connection:
        connection.execute(
            update(ServiceRequest)
            .where(ServiceRequest.request_id == request_id)
            .values(status=status, expected_at=expected_at, updated_at=NOW + timedelta(minutes=5))
        )


def latest_request(store: Engine) -> str:
    with store.connect() as connection:
        return str(
            connection.execute(
                select(ServiceRequest.request_id).order_by(ServiceRequest.created_at.desc())
            ).scalar()
        )


def test_during_a_planned_interruption_its_planned_end_is_given(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, outage = cut_customer(demo_data)
    chat = linked(chat_factory, customer, "r1")
    chat.later(outage.starts_at + timedelta(minutes=30) - NOW)

    text = text_of(chat.say("khi nào có điện lại"))

    assert (
        texts.RESTORE_PLANNED_NOW.format(
            place=f"trạm {customer.station}",
            reason=outage.reason,
            start=format_moment(outage.starts_at, ZONE),
            end=format_moment(outage.ends_at, ZONE),
        )
        in text
    )


def test_a_planned_interruption_about_to_start_is_given_with_its_end(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, outage = cut_customer(demo_data)
    chat = linked(chat_factory, customer, "r2")
    chat.later(outage.starts_at - timedelta(hours=1) - NOW)

    text = text_of(chat.say("bao giờ có điện"))

    assert (
        texts.RESTORE_PLANNED_SOON.format(
            place=f"trạm {customer.station}",
            reason=outage.reason,
            start=format_moment(outage.starts_at, ZONE),
            end=format_moment(outage.ends_at, ZONE),
        )
        in text
    )


def test_the_customer_s_own_report_gives_its_state_and_expected_restoration(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, _neighbour = neighbours(demo_data)
    chat = linked(chat_factory, customer, "r3")
    chat.say("nhà tôi đang mất điện")
    request_id = latest_request(store)
    asked = text_of(chat.say("khi nào có điện lại"))
    set_estimate(
        store, request_id, "in_progress", datetime.combine(NOW.date(), time(13, 30), ZONE)
    )
    chat.later(timedelta(minutes=10))

    text = text_of(chat.say("bao giờ có điện lại vậy"))

    assert texts.RESTORE_NO_ESTIMATE in asked  # nothing said yet by the power company
    assert (
        f"Báo sự cố {request_id} của mã KH {customer.customer_code} (lúc 20/11/2026 09:30): "
        "đang xử lý, cập nhật 20/11/2026 09:35."
    ) in text
    assert "Điện lực dự kiến có điện lại lúc 20/11/2026 13:30." in text


def test_the_other_reports_at_the_station_are_counted_with_their_estimate(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, neighbour = neighbours(demo_data)
    linked(chat_factory, neighbour, "n1").say("nhà tôi đang mất điện")
    set_estimate(
        store, latest_request(store), "in_progress", datetime.combine(NOW.date(), time(12), ZONE)
    )
    chat = linked(chat_factory, customer, "r4")

    replies = chat.say("chừng nào có điện vậy")

    text = text_of(replies)
    assert (
        f"Trong 24 giờ qua có thêm 1 báo mất điện khác ở trạm {customer.station}, Điện lực đang "
        "xử lý, dự kiến có điện lại lúc 20/11/2026 12:00."
    ) in text
    assert neighbour.customer_code not in text  # whose report it is stays private
    assert texts.RESTORE_REPORT_OFFER in text
    assert REPORT_BUTTON in button_data(replies)


def test_when_nothing_is_known_it_says_so_and_offers_to_report(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, _neighbour = neighbours(demo_data)
    chat = linked(chat_factory, customer, "r5")

    replies = chat.say("khi nào có điện lại")

    assert text_of(replies) == texts.RESTORE_UNKNOWN.format(
        place=f"trạm {customer.station}",
        code=customer.customer_code,
        hotline=chat.config.hotline_for(customer.customer_code),
    )
    assert button_data(replies) == [REPORT_BUTTON]
    # No subscription, no case: the chat is still the bot's.
    with store.connect() as connection:
        subscriptions = connection.execute(select(func.count()).select_from(Subscription))
        assert subscriptions.scalar() == 0
        assert (
            connection.execute(
                select(func.count())
                .select_from(ServiceRequest)
                .where(ServiceRequest.created_at >= NOW)
            ).scalar()
            == 0
        )
    assert texts.THANKS in text_of(chat.say("cảm ơn"))


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.TELEGRAM])
def test_an_unlinked_chat_is_told_how_to_link_and_the_hotline_rule(
    chat_factory: type[FakeChat], store: Engine, channel: Channel
) -> None:
    chat = chat_factory(channel, "anon")

    replies = chat.say("khi nào có điện lại")

    text = text_of(replies)
    assert texts.RESTORE_UNLINKED in text
    assert (
        "theo hai chữ cái đầu của mã khách hàng: PE: EVNHCMC 1900 545454; PD: EVNHANOI 1900 1288; "
        "PA, PH, PM, PN: EVNNPC 1900 6769; PB, PK: EVNSPC 1900 1006; PC, PP, PQ: EVNCPC 1900 1909."
    ) in text
    assert "i:account_link" in button_data(replies)
    assert "i:outage_schedule" in button_data(replies)


def test_an_unlinked_chat_naming_an_area_gets_its_planned_work_now(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, outage = cut_customer(demo_data)
    chat = chat_factory(Channel.WEB, "anon2")
    chat.later(outage.starts_at + timedelta(minutes=30) - NOW)
    ward = outage.area.split(",")[0]

    text = text_of(chat.say(f"bao giờ {ward} có điện lại"))

    assert (
        texts.INCIDENT_AREA_PLANNED.format(
            area=outage.area, reason=outage.reason, until=format_moment(outage.ends_at, ZONE)
        )
        in text
    )
    assert customer.customer_code not in text
