"""A live outage or a hazard: safety first, an incident request, and any planned outage now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from handlers import texts
from handlers.context import ConversationConfig
from handlers.incident import is_hazard
from handlers.slots import format_moment
from handlers.types import Channel
from meters.demo.model import DemoData
from meters.schema import ServiceRequest
from tests.handlers.conftest import NOW, ZONE, FakeChat, text_of
from tests.handlers.demo_facts import customer as stored_customer
from tests.handlers.test_hotlines import EVERY_HOTLINE
from tests.handlers.test_outage import FORMER_DISTRICT, cut_customer


def requests_in_store(store: Engine) -> list[tuple[str, int | None, str]]:
    """Every request filed today: (id, customer id, service type)."""
    with store.connect() as connection:
        rows = connection.execute(
            select(
                ServiceRequest.request_id, ServiceRequest.customer_id, ServiceRequest.service_type
            ).where(ServiceRequest.created_at >= NOW - timedelta(days=1))
        )
        return [(row[0], row[1], row[2]) for row in rows]


@pytest.mark.parametrize(
    ("message", "hazard"),
    [
        ("dây điện bị đứt trước nhà", True),
        ("chập điện cháy công tơ", True),
        ("cot dien nga ngoai duong nguy hiem", True),
        ("nhà tôi đang mất điện", False),
        ("mất điện, tủ lạnh không chạy", False),
        ("điện chập chờn cả buổi", False),
    ],
)
def test_hazards_are_told_apart_from_a_plain_power_loss(message: str, hazard: bool) -> None:
    assert is_hazard(message) is hazard


def test_a_hazard_gets_the_safety_advice_first_then_the_request_code(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine, config: ConversationConfig
) -> None:
    customer, _outage = cut_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)

    replies = chat.say("dây điện bị đứt trước nhà")

    hotline = config.hotline_for(customer.customer_code)
    assert replies[0].text == texts.HAZARD_SAFETY.format(hotline=hotline)
    filed = requests_in_store(store)
    owner = stored_customer(store, customer.customer_code)
    # The hazard report, and the case that hands the chat to a person at once.
    assert [(owner.id, "hazard"), (owner.id, "handoff")] == [(c, kind) for _id, c, kind in filed]
    assert texts.HANDOFF_OPENED.format(code=filed[1][0]) in text_of(replies)
    assert texts.INCIDENT_FILED.format(
        code=customer.customer_code, request_id=filed[0][0], hotline=hotline
    ) in text_of(replies)


def test_a_second_report_soon_after_is_the_same_incident(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, _outage = cut_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    chat.say("nhà tôi đang mất điện")
    chat.later(timedelta(minutes=20))

    text = text_of(chat.say("vẫn mất điện"))

    filed = requests_in_store(store)
    assert len(filed) == 1
    assert filed[0][2] == "incident"
    assert filed[0][0] in text
    assert format_moment(NOW, ZONE) in text


def test_a_report_during_a_planned_outage_says_it_is_planned_and_until_when(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer, outage = cut_customer(demo_data)
    chat = chat_factory(Channel.TELEGRAM, "111")
    chat.share_contact(customer.phone)
    chat.later(outage.starts_at + timedelta(minutes=30) - NOW)

    text = text_of(chat.say("nhà tôi đang mất điện"))

    assert (
        texts.INCIDENT_PLANNED.format(
            station=customer.station,
            reason=outage.reason,
            until=format_moment(outage.ends_at, ZONE),
        )
        in text
    )
    assert [kind for _id, _customer, kind in requests_in_store(store)] == ["incident"]


def test_a_report_without_a_linked_customer_is_filed_without_one_with_the_hotline(
    chat_factory: type[FakeChat], store: Engine, config: ConversationConfig
) -> None:
    chat = chat_factory(Channel.ZALO, "999")

    replies = chat.say("cháy dây điện ngoài đường")

    assert replies[0].text == texts.HAZARD_SAFETY.format(hotline=EVERY_HOTLINE)
    filed = requests_in_store(store)
    assert [(customer, kind) for _id, customer, kind in filed] == [
        (None, "hazard"),
        (None, "handoff"),
    ]
    assert texts.INCIDENT_FILED_ANONYMOUS.format(
        request_id=filed[0][0], hotline=EVERY_HOTLINE
    ) in text_of(replies)


def test_a_report_naming_a_former_district_finds_the_planned_outage_of_its_ward(
    chat_factory: type[FakeChat], demo_data: DemoData
) -> None:
    def renamed(area: str) -> bool:
        """Whether the ward is not named after its former district ("Quận 5", "Phường An Đông")."""
        return FORMER_DISTRICT[area].split(" ")[-1] not in area

    outage = min(
        (o for o in demo_data.outages if o.starts_at > NOW and renamed(o.area)),
        key=lambda o: o.starts_at,
    )
    chat = chat_factory(Channel.ZALO, "999")
    chat.later(outage.starts_at + timedelta(minutes=30) - NOW)

    text = text_of(chat.say(f"mất điện ở {FORMER_DISTRICT[outage.area].lower()} rồi"))

    assert (
        texts.INCIDENT_AREA_PLANNED.format(
            area=outage.area, reason=outage.reason, until=format_moment(outage.ends_at, ZONE)
        )
        in text
    )
