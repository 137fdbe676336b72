"""Customers read energy, money, dates and freshness the Vietnamese way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import texts
from handlers.format import describe_freshness, format_date, format_kwh, format_money

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("energy_wh", "shown"),
    [
        (123_400, "123,4 kWh"),
        (123_450, "123,5 kWh"),
        (123_449, "123,4 kWh"),
        (0, "0,0 kWh"),
        (49, "0,0 kWh"),
        (50, "0,1 kWh"),
        (1_234_567_890, "1.234.567,9 kWh"),
    ],
)
def test_energy_has_one_decimal_with_a_comma(energy_wh: int, shown: str) -> None:
    assert format_kwh(energy_wh) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(1_234_567, "1.234.567 đ"), (0, "0 đ"), (999, "999 đ"), (1000, "1.000 đ")],
)
def test_money_groups_thousands_with_dots(amount: int, shown: str) -> None:
    assert format_money(amount) == shown


@given(st.integers(min_value=0, max_value=10**15))
def test_money_reads_back_as_the_same_amount(amount: int) -> None:
    shown = format_money(amount)
    assert int(shown.removesuffix(" đ").replace(".", "")) == amount


def test_dates_are_day_month_year() -> None:
    assert format_date(date(2026, 3, 5)) == "05/03/2026"


def test_freshness_today_yesterday_and_older() -> None:
    now = datetime(2026, 11, 21, 9, 30, tzinfo=ZONE)
    today = datetime(2026, 11, 20, 17, 5, tzinfo=UTC)  # 00:05 on 21/11 local
    yesterday = datetime(2026, 11, 20, 0, 5, tzinfo=ZONE)
    older = datetime(2026, 11, 19, 0, 5, tzinfo=ZONE)

    assert describe_freshness(today, now, ZONE) == texts.FRESHNESS_TODAY.format(time="00:05")
    assert describe_freshness(yesterday, now, ZONE) == texts.FRESHNESS_YESTERDAY.format(
        time="00:05"
    )
    assert describe_freshness(older, now, ZONE) == texts.FRESHNESS_ON_DATE.format(
        time="00:05", date="19/11/2026"
    )


def test_freshness_uses_the_local_day_not_utc() -> None:
    now = datetime(2026, 11, 21, 6, 0, tzinfo=ZONE)  # still 20/11 in UTC
    data_until = datetime(2026, 11, 21, 0, 5, tzinfo=ZONE)

    assert describe_freshness(data_until, now, ZONE) == "số liệu đến 00:05 hôm nay"
