"""The example customer code the bot and the README show is a customer of `dienbot demo`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from handlers.types import Channel
from meters.demo.generate import generate_demo
from meters.demo.limits import DEFAULT_CUSTOMERS, DEFAULT_SEED, MIN_DAYS
from tests.handlers.conftest import TODAY, ZONE, FakeChat, text_of

CODE = re.compile(r"\bP[A-Z][A-Z0-9]{9,11}\b")
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def default_demo_codes() -> frozenset[str]:
    """The customer codes `dienbot demo` writes with its default seed and size."""
    demo = generate_demo(
        seed=DEFAULT_SEED, customers=DEFAULT_CUSTOMERS, today=TODAY, zone=ZONE, days=MIN_DAYS
    )
    return frozenset(customer.customer_code for customer in demo.customers)


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.TELEGRAM])
def test_the_greeting_s_example_code_is_a_demo_customer(
    chat_factory: type[FakeChat],
    store: Engine,
    default_demo_codes: frozenset[str],
    channel: Channel,
) -> None:
    chat = chat_factory(channel, "newcomer")

    shown = CODE.findall(text_of(chat.say("/start")))

    assert shown
    assert set(shown) <= default_demo_codes


def test_the_readme_s_example_code_is_a_demo_customer(default_demo_codes: frozenset[str]) -> None:
    example = re.search(r"for example\s+`(P[A-Z0-9]+)`", README.read_text(encoding="utf-8"))
    assert example is not None
    assert example.group(1) in default_demo_codes
