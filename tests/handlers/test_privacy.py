"""Personal data is masked before anything is logged."""

from __future__ import annotations

import pytest

from handlers.privacy import mask_phone, mask_text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("0903123456", "*******456"), ("+84 903 123 456", "********456"), ("12", "**")],
)
def test_phone_keeps_only_its_last_three_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_text_masks_phones_codes_one_time_codes_and_given_strings() -> None:
    text = "Tôi là Nguyễn Văn An, sđt 0903 123 456, mã PE04003479681, mã xác thực 424242"
    masked = mask_text(text, personal=["Nguyễn Văn An"])
    assert "Nguyễn Văn An" not in masked
    assert "0903" not in masked
    assert masked.count("456") == 1
    assert "PE0400*******" in masked
    assert "3479681" not in masked
    assert "424242" not in masked


def test_amounts_and_short_numbers_are_left_alone() -> None:
    assert mask_text("tiền điện tháng 10 là 1.234.567 đ, 350 kWh") == (
        "tiền điện tháng 10 là 1.234.567 đ, 350 kWh"
    )
