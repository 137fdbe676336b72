"""Hotlines by the customer's unit and corporation, never another company's by default."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from sqlalchemy import Engine

from handlers import texts
from handlers.context import ConversationConfig
from handlers.hotlines import Hotline, HotlineTable, hotline_table, parse_hotlines
from handlers.types import Channel
from meters.demo.model import DemoData
from tests.handlers.conftest import ZONE, FakeChat, text_of
from tests.handlers.test_outage import sole_owner

# Every corporation by name, as a chat with no known customer is told them.
EVERY_HOTLINE = (
    "của Tổng công ty Điện lực nơi anh/chị ở: EVNHCMC 1900 545454, EVNHANOI 1900 1288, "
    "EVNNPC 1900 6769, EVNSPC 1900 1006, EVNCPC 1900 1909"
)


@pytest.mark.parametrize(
    ("code", "number", "corporation"),
    [
        ("PE04003479681", "1900 545454", "EVNHCMC"),
        ("PD01000000001", "1900 1288", "EVNHANOI"),
        ("PA01000000001", "1900 6769", "EVNNPC"),
        ("PH01000000001", "1900 6769", "EVNNPC"),
        ("PM01000000001", "1900 6769", "EVNNPC"),
        ("PN01000000001", "1900 6769", "EVNNPC"),
        ("PB06010001234", "1900 1006", "EVNSPC"),
        ("PK01000000001", "1900 1006", "EVNSPC"),
        ("PC01000000001", "1900 1909", "EVNCPC"),
        ("PP01005355786", "1900 1909", "EVNCPC"),
        ("PQ01000000001", "1900 1909", "EVNCPC"),
    ],
)
def test_each_corporation_has_its_own_hotline(code: str, number: str, corporation: str) -> None:
    config = ConversationConfig(zone=ZONE)
    assert config.hotline_for(code) == number
    assert config.corporation_for(code) == corporation


@pytest.mark.parametrize("code", [None, "", "PX01000000001", "P"])
def test_without_a_known_corporation_every_hotline_is_named(code: str | None) -> None:
    assert ConversationConfig(zone=ZONE).hotline_for(code) == EVERY_HOTLINE


def test_a_unit_prefix_overrides_its_corporation() -> None:
    table = hotline_table("PP0100=Điện lực Hải Châu 0236 3822 222")
    config = ConversationConfig(zone=ZONE, hotlines=table)
    assert config.hotline_for("PP01005355786") == "0236 3822 222"
    assert config.hotline_for("PP05008276485") == "1900 1909"  # Sơn Trà: the corporation's
    assert config.corporation_for("PP01005355786") == "EVNCPC"
    # A unit's number is not a corporation's: the list for an unknown code stays the five.
    assert config.hotline_for(None) == EVERY_HOTLINE


def test_the_compact_and_the_json_syntax_say_the_same() -> None:
    compact = parse_hotlines(" PB,PK = EVNSPC 1900 1006 ; PE0100=Điện lực Sài Gòn 028 2220 1177;")
    document = json.dumps(
        {"PB,PK": "EVNSPC 1900 1006", "PE0100": "Điện lực Sài Gòn 028 2220 1177"}
    )
    expected = {
        "PB": Hotline("EVNSPC", "1900 1006"),
        "PK": Hotline("EVNSPC", "1900 1006"),
        "PE0100": Hotline("Điện lực Sài Gòn", "028 2220 1177"),
    }
    assert compact == expected
    assert parse_hotlines(document) == expected
    assert parse_hotlines("") == {}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("PE 1900 545454", "PREFIX=NAME NUMBER"),
        ("PE=1900 545454", "NAME NUMBER"),
        ("PE=EVNHCMC", "NAME NUMBER"),
        ("XE=EVNHCMC 1900 545454", "is not a code prefix"),
        ("PE01=EVNHCMC 1900 545454", "is not a code prefix"),
        ('{"PE": 1900}', "JSON object"),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_malformed_table_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_hotlines(text)


def test_the_corporations_are_listed_once_each_with_their_prefixes() -> None:
    listed = [(hotline.name, prefixes) for hotline, prefixes in HotlineTable().corporations()]
    assert listed == [
        ("EVNHCMC", ("PE",)),
        ("EVNHANOI", ("PD",)),
        ("EVNNPC", ("PA", "PH", "PM", "PN")),
        ("EVNSPC", ("PB", "PK")),
        ("EVNCPC", ("PC", "PP", "PQ")),
    ]


def test_a_da_nang_customer_reporting_an_outage_is_told_the_evncpc_hotline(
    chat_factory: type[FakeChat], demo_data: DemoData, store: Engine
) -> None:
    customer = next(
        c
        for c in demo_data.customers
        if c.customer_code.startswith("PP") and sole_owner(demo_data, c)
    )
    chat = chat_factory(Channel.TELEGRAM, "dn1")
    chat.share_contact(customer.phone)

    text = text_of(chat.say("nhà tôi đang mất điện"))

    assert "1900 1909" in text
    assert "1900 545454" not in text


def test_an_unlinked_hazard_report_names_every_corporation_s_hotline(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory(Channel.ZALO, "street")

    replies = chat.say("cháy dây điện ngoài đường")

    assert replies[0].text == texts.HAZARD_SAFETY.format(hotline=EVERY_HOTLINE)


def test_a_typed_code_that_is_not_linked_gives_its_corporation_s_hotline(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory(Channel.ZALO, "typed")

    text = text_of(chat.say("mã PP01001025341 đang mất điện"))

    assert "1900 1909" in text
    assert "1900 545454" not in text


def test_no_text_says_customer_codes_start_with_pe() -> None:
    pe = re.compile(r"\bPE\d|\bPE\b")
    customer_texts = {
        name: value
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str)
    }
    assert [name for name, value in customer_texts.items() if pe.search(value)] == []
    canned = resources.files("bot.web.agent").joinpath("canned_answers.json").read_text("utf-8")
    assert not pe.search(canned)
