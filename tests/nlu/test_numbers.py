"""Numbers as customers write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.normalize import normalize
from nlu.numbers import AmountKind, find_amounts, parse_numeral


def amounts(text: str) -> list[tuple[AmountKind, Decimal]]:
    return [(amount.kind, amount.value) for amount in find_amounts(normalize(text).split())]


@pytest.mark.parametrize(
    ("token", "value"),
    [("350", 350), ("1.5", Decimal("1.5")), ("1,5", Decimal("1.5")), ("2.500.000", 2500000)],
)
def test_parse_numeral(token: str, value: Decimal) -> None:
    assert parse_numeral(token) == value


@pytest.mark.parametrize("token", ["abc", "1.2.3a", "9" * 40])
def test_parse_numeral_refuses_non_amounts(token: str) -> None:
    assert parse_numeral(token) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500k", 500_000),
        ("1tr2", 1_200_000),
        ("1tr25", 1_250_000),
        ("1 triệu 200 nghìn", 1_200_000),
        ("1 triệu 2", 1_200_000),
        ("một triệu rưỡi", 1_500_000),
        ("2.500.000đ", 2_500_000),
        ("800 ngàn", 800_000),
        ("1.5 triệu", 1_500_000),
        ("hai trăm nghìn", 200_000),
        ("300.000 vnd", 300_000),
    ],
)
def test_money(text: str, value: int) -> None:
    assert amounts(text) == [(AmountKind.MONEY, Decimal(value))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("350 số", 350),
        ("350kWh", 350),
        ("200 ký", 200),
        ("ba trăm năm mươi số", 350),
        ("một trăm linh năm số", 105),
        ("hai mươi tư số", 24),
        ("mười lăm số", 15),
        ("1,5 kwh", Decimal("1.5")),
    ],
)
def test_kwh(text: str, value: Decimal) -> None:
    assert amounts(text) == [(AmountKind.KWH, Decimal(value))]


@pytest.mark.parametrize("text", ["từ số thứ 101", "tự động", "tủ lạnh", "thanh toán tự động"])
def test_words_that_look_like_numbers_are_not_amounts(text: str) -> None:
    assert all(kind is AmountKind.PLAIN for kind, _ in amounts(text))
