"""The intents added for customers' first questions: when the power is back, paying now."""

from __future__ import annotations

from datetime import date

import pytest

import nlu
from nlu.intents import Intent
from nlu.normalize import fold

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("khi nào có điện lại", Intent.OUTAGE_RESTORATION),
        ("bao giờ có điện", Intent.OUTAGE_RESTORATION),
        ("mất điện cả tiếng rồi bao giờ mới có lại", Intent.OUTAGE_RESTORATION),
        ("chừng nào điện có lại vậy", Intent.OUTAGE_RESTORATION),
        ("cho tôi link thanh toán", Intent.PAYMENT_PAY),
        ("trả tiền điện luôn", Intent.PAYMENT_PAY),
        ("cho link thanh toán vnpay", Intent.PAYMENT_PAY),
        ("gửi mã QR chuyển khoản", Intent.PAYMENT_PAY),
        # Their neighbours keep their own.
        ("nhà tôi đang mất điện", Intent.OUTAGE_REPORT),
        ("lịch cúp điện ngày mai", Intent.OUTAGE_SCHEDULE),
        ("thanh toán qua momo được không", Intent.PAYMENT_METHODS),
        ("tôi đã đóng tiền điện chưa", Intent.PAYMENT_STATUS),
        ("đăng ký mã khách hàng PE05000987654", Intent.ACCOUNT_LINK),
    ],
)
def test_the_new_intents_and_their_neighbours(text: str, intent: Intent) -> None:
    for written in (text, fold(text)):
        assert nlu.parse(written, TODAY).intent is intent, written
