"""Every usage comparison compares as many days, says which, and its percentage is of the figures
shown. The customer's daily use is set here, so every expected figure is worked out by hand.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

from handlers import texts
from handlers.types import Channel
from meters.usage import preceding_days, same_days_a_month_before
from meters.usage_store import refresh_daily_usage
from tests.handlers.conftest import ZONE, FakeChat, text_of
from tests.meters.factories import KWH, add_customer, add_daily_readings, add_meter

CODE = "PE0400000001"
PHONE = "0901234567"  # add_customer's
FIRST_DAY = date(2026, 7, 1)
LAST_DAY = date(2026, 11, 19)  # the day before the conftest's TODAY


def kwh_on(day: date) -> int:
    """The customer's use, in whole kWh: steps the comparisons can be checked against."""
    if day <= date(2026, 7, 31):
        return 8
    if day <= date(2026, 10, 24):
        return 9
    if day <= date(2026, 10, 31):
        return 11
    if day <= date(2026, 11, 12):
        return 10
    return 12


@pytest.fixture
def chat(chat_factory: type[FakeChat], store: Engine) -> FakeChat:
    """A chat linked to a customer (reading day 5) whose use is `kwh_on`, 01/07–19/11/2026."""
    days = [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    with store.begin() as connection:
        meter = add_meter(connection, add_customer(connection, CODE, reading_day=5), "MCMP01")
        add_daily_readings(connection, meter, FIRST_DAY, [kwh_on(day) * KWH for day in days])
        refresh_daily_usage(connection, FIRST_DAY, LAST_DAY, ZONE, [meter])
    linked = chat_factory(Channel.TELEGRAM, "cmp")
    linked.share_contact(PHONE)
    return linked


def at(chat: FakeChat, day: date) -> FakeChat:
    """The chat on the morning of `day`."""
    chat.now = datetime.combine(day, time(9, 30), tzinfo=ZONE)
    return chat


def test_last_week_is_compared_with_the_7_days_before_it(chat: FakeChat) -> None:
    # 1/11: 25/10–31/10 at 11 kWh = 77 kWh; 18/10–24/10 at 9 kWh = 63 kWh; 14/63 = 22.2 %.
    # (Compared with "the same days last month", 25/09–30/09, it was 7 days against 6.)
    text = text_of(at(chat, date(2026, 11, 1)).say("tuần trước tổng cộng bao nhiêu số"))

    assert (
        "So sánh 7 ngày 25/10/2026 – 31/10/2026 với 7 ngày trước đó (18/10/2026 – 24/10/2026): "
        "77,0 kWh so với 63,0 kWh (tăng 22%)."
    ) in text


def test_thirty_days_are_compared_with_the_30_days_before_them(chat: FakeChat) -> None:
    # 20/11: 21/10–19/11 = 4×9 + 7×11 + 12×10 + 7×12 = 36 + 77 + 120 + 84 = 317 kWh;
    # 21/09–20/10 = 30×9 = 270 kWh; 47/270 = 17.4 %.
    text = text_of(at(chat, date(2026, 11, 20)).say("30 ngày qua dùng bao nhiêu"))

    assert (
        "So sánh 30 ngày 21/10/2026 – 19/11/2026 với 30 ngày trước đó (21/09/2026 – "
        "20/10/2026): 317,0 kWh so với 270,0 kWh (tăng 17%)."
    ) in text


def test_the_month_so_far_is_compared_with_as_many_days_last_month(chat: FakeChat) -> None:
    # 20/11: 01/11–19/11 = 12×10 + 7×12 = 204 kWh; 01/10–19/10 = 19×9 = 171 kWh; 33/171 = 19.3 %.
    text = text_of(at(chat, date(2026, 11, 20)).say("tháng này dùng bao nhiêu số"))

    assert (
        "So sánh 19 ngày 01/11/2026 – 19/11/2026 với 19 ngày cùng kỳ tháng trước (01/10/2026 – "
        "19/10/2026): 204,0 kWh so với 171,0 kWh (tăng 19%)."
    ) in text


def test_the_billing_period_is_compared_with_the_same_days_last_month(chat: FakeChat) -> None:
    # Reading day 5, 20/11: 06/11–19/11 = 7×10 + 7×12 = 154 kWh; 06/10–19/10 = 14×9 = 126 kWh;
    # 28/126 = 22.2 %.
    text = text_of(at(chat, date(2026, 11, 20)).say("kỳ này dùng bao nhiêu kwh"))

    assert (
        "So sánh 14 ngày 06/11/2026 – 19/11/2026 với 14 ngày cùng kỳ tháng trước (06/10/2026 – "
        "19/10/2026): 154,0 kWh so với 126,0 kWh (tăng 22%)."
    ) in text


def test_months_of_different_lengths_are_compared_by_the_daily_average_shown(
    chat: FakeChat,
) -> None:
    # October: 24×9 + 7×11 = 293 kWh in 31 days, 9.45 → 9,5 kWh a day; September: 270 kWh in
    # 30 days, 9,0 a day. The percentage is of the averages shown: 0.5/9.0 = 5.6 %.
    text = text_of(at(chat, date(2026, 11, 20)).say("điện tháng 10 dùng hết bao nhiêu kwh"))

    assert (
        "So sánh tháng 10/2026 (31 ngày, 293,0 kWh) với tháng 9/2026 (30 ngày, 270,0 kWh) theo "
        "trung bình mỗi ngày: 9,5 kWh so với 9,0 kWh (tăng 6%)."
    ) in text


def test_months_of_as_many_days_are_compared_by_their_totals(chat: FakeChat) -> None:
    # August: 31 × 9 = 279 kWh; July: 31 × 8 = 248 kWh; 31/248 = 12.5 %, 13 % rounded half up.
    text = text_of(at(chat, date(2026, 11, 20)).say("điện tháng 8 dùng hết bao nhiêu kwh"))

    assert (
        "So sánh tháng 8/2026 với tháng 7/2026 (cùng 31 ngày): 279,0 kWh so với 248,0 kWh "
        "(tăng 13%)."
    ) in text


def test_a_day_is_compared_with_the_average_of_the_7_days_before_it(chat: FakeChat) -> None:
    # 13/11: 12 kWh; 06/11–12/11 at 10 kWh, 10,0 a day; 2/10 = 20 %.
    text = text_of(at(chat, date(2026, 11, 20)).say("ngày 13/11 dùng bao nhiêu điện"))

    assert (
        "So với trung bình 7 ngày trước đó (06/11/2026 – 12/11/2026): 10,0 kWh/ngày (tăng 20%)."
    ) in text


def test_a_span_without_every_day_s_data_is_not_compared(chat: FakeChat) -> None:
    # 7/07: 30/06–06/07 has no data for 30/06, the 7 days before it none at all.
    text = text_of(at(chat, date(2026, 7, 7)).say("7 ngày qua dùng bao nhiêu"))

    assert "So sánh" not in text
    assert texts.USAGE_MISSING.format(count=1) in text


def test_a_month_s_days_that_run_into_it_are_replaced_by_the_days_before() -> None:
    # 30 days of March 2027 after a 28-day February: 01/02 + 29 days is 02/03.
    assert same_days_a_month_before(date(2027, 3, 1), date(2027, 3, 30)) is None
    assert preceding_days(date(2027, 3, 1), date(2027, 3, 30)) == (
        date(2027, 1, 30),
        date(2027, 2, 28),
    )
    assert same_days_a_month_before(date(2026, 11, 1), date(2026, 11, 19)) == (
        date(2026, 10, 1),
        date(2026, 10, 19),
    )
    assert same_days_a_month_before(date(2026, 3, 31), date(2026, 3, 31)) == (
        date(2026, 2, 28),
        date(2026, 2, 28),
    )


def test_the_abnormal_use_check_says_which_days_it_compares(chat: FakeChat) -> None:
    # 20/11: 13/11–19/11 at 12 kWh, 12,0 a day; the 28 days 16/10–12/11 are nine days of 9,
    # seven of 11 and twelve of 10 kWh: the 14th and 15th smallest, the median, are 10,0.
    # 2/10 = 20 %, under the 30 % that is unusual.
    text = text_of(at(chat, date(2026, 11, 20)).say("nghi công tơ chạy sai"))

    assert (
        "7 ngày qua (13/11/2026 – 19/11/2026) mã PE0400000001 dùng trung bình 12,0 kWh/ngày, so "
        "với mức thường ngày 10,0 kWh/ngày (ngày trung vị của 28 ngày trước đó, 16/10/2026 – "
        "12/11/2026): tăng 20%, không thấy dấu hiệu bất thường."
    ) in text
