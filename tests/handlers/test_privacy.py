"""Personal data is masked before anything is logged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.privacy import (
    mask_one_time_codes,
    mask_phone,
    mask_text,
    personal_strings,
    restore_linked,
)
from meters.records import CustomerDetails


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


@pytest.mark.parametrize(
    "public",
    [
        "gọi tổng đài 1900 545454 (24/7)",
        "tổng đài 1900 1288 hoặc 19001909",
        "số miễn phí 1800 1006",
        "hồ sơ YC2026-000123 đang xử lý",
        "tiền điện 1.212.775 đ, thuế 89.835 đ",
        "chỉ số công tơ 123456 kWh, 350 kWh tháng này",
        "kỳ 19/10/2026 – 18/11/2026, hạn 28/11/2026 lúc 09:30",
    ],
)
def test_hotlines_request_codes_amounts_and_dates_stay_readable(public: str) -> None:
    assert mask_text(public) == public


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("sđt 0903.123.456 nhé", "sđt *******456 nhé"),
        ("số +84 903 123 456", "số ********456"),
        ("máy bàn 028 3822 1234", "máy bàn ********234"),
        ("gọi 0912345678, cảm ơn", "gọi *******678, cảm ơn"),
        ("mã là 424242.", "mã là ******."),
        ("mã PE 0400 347 9681 của tôi", "mã PE0400******* của tôi"),
    ],
)
def test_phones_one_time_codes_and_customer_codes_are_recognised_by_their_shape(
    text: str, masked: str
) -> None:
    assert mask_text(text) == masked


def customer(**changes: object) -> CustomerDetails:
    """A linked customer."""
    values: dict[str, object] = {
        "id": 12,
        "customer_code": "PE04003479681",
        "name": "Nguyễn Văn An",
        "phone": "0903123456",
        "address": "12 Lê Lợi, Phường Bến Thành",
        "area": "Phường Bến Thành",
        "customer_type": "residential",
        "households": Decimal(1),
        "voltage_kv": None,
        "station": None,
        "reading_day": 31,
        "power_company": "Điện lực Sài Gòn",
    }
    return CustomerDetails(**(values | changes))  # type: ignore[arg-type]


def test_the_log_keeps_placeholders_of_the_linked_customer_that_a_handoff_fills_in() -> None:
    linked = customer()
    said = (
        "Nguyễn văn An, 12 Lê Lợi, Phường Bến Thành, số 0903 123 456, mã PE04003479681; "
        "hàng xóm PE04001111111, 0912345678"
    )
    logged = mask_text(said, personal_strings([linked]))
    assert logged == (
        "[KH#12:tên], [KH#12:địa chỉ], số [KH#12:SĐT], mã [KH#12:mã]; "
        "hàng xóm PE0400*******, *******678"
    )
    assert restore_linked(logged, [linked]) == (
        "Nguyễn Văn An, 12 Lê Lợi, Phường Bến Thành, số 0903123456, mã PE04003479681; "
        "hàng xóm PE0400*******, *******678"  # what the log never kept stays masked
    )
    assert restore_linked(logged, [customer(id=13)]) == logged  # no longer linked: masked


def test_without_pseudonyms_the_linked_values_are_masked_by_kind() -> None:
    logged = mask_text(
        "An ở 12 Lê Lợi, Phường Bến Thành, mã PE04003479681",
        personal_strings([customer()]),
        pseudonyms=False,
    )
    assert logged == "An ở […], mã PE0400*******"


def test_what_an_agent_reads_hides_only_one_time_codes() -> None:
    said = "mã 424242, gọi 1900 545454 hoặc 0903 123 456, hồ sơ YC2026-000123, mã PE04003479681"
    assert mask_one_time_codes(said) == said.replace("424242", "******")
