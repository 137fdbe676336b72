"""Single values: what each parser accepts, what it stores, and how it says no."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meters.importer.errors import FieldError
from meters.importer.fields import (
    parse_choice,
    parse_customer_code,
    parse_date,
    parse_decimal,
    parse_energy_wh,
    parse_moment,
    parse_money,
    parse_phone,
    parse_text,
    parse_whole,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "watt_hours"),
    [("0", 0), ("12", 12_000), (" 12.5 ", 12_500), ("12.345", 12_345), ("0.001", 1)],
)
def test_energy_is_stored_in_whole_watt_hours(text: str, watt_hours: int) -> None:
    assert parse_energy_wh(text) == watt_hours


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is required"),
        ("-5", "-5 is negative"),
        ("abc", "is not a number"),
        ("1,5", "is not a number"),
        ("1.2345", "has more than 3 decimals"),
        ("1e3", "is not a number"),
        ("١٢", "is not a number"),  # non-ASCII digits
    ],
)
def test_bad_energy_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(FieldError, match=problem):
        parse_energy_wh(text)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=999))
def test_energy_text_round_trips_exactly(kwh: int, thousandths: int) -> None:
    assert parse_energy_wh(f"{kwh}.{thousandths:03d}") == kwh * 1000 + thousandths


def test_time_without_offset_is_local_and_stored_as_utc() -> None:
    assert parse_moment("2026-11-21T00:05", ZONE) == datetime(2026, 11, 20, 17, 5, tzinfo=UTC)
    assert parse_moment("2026-11-21 00:05:00+00:00", ZONE) == datetime(
        2026, 11, 21, 0, 5, tzinfo=UTC
    )
    assert parse_moment("2026-11-21T00:05Z", ZONE).hour == 0


@pytest.mark.parametrize("text", ["2026-02-30T00:00", "21/11/2026", "2026-11-21T25:00", "soon"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="is not a date-time"):
        parse_moment(text, ZONE)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-1-1", "20261121", "2026-02-29"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="is not a date"):
        parse_date(text)


def test_dates_are_iso() -> None:
    assert parse_date("2028-02-29") == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091.234.5678", "0912345678"),
    ],
)
def test_phones_are_normalised_to_ten_digits(text: str, phone: str) -> None:
    assert parse_phone(text) == phone


@pytest.mark.parametrize("text", ["0212345678", "091234567", "12345", "+1 415 555 0100"])
def test_non_mobile_phones_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="not a Vietnamese mobile number"):
        parse_phone(text)


def test_customer_codes_are_upper_cased_without_spaces() -> None:
    assert parse_customer_code(" pe01 0000 0012 ") == "PE0100000012"
    with pytest.raises(FieldError, match="not a customer code"):
        parse_customer_code("XE0100000012")


def test_money_is_whole_dong_without_separators() -> None:
    assert parse_money("1234567") == 1_234_567
    for text, problem in (("-1", "negative"), ("1.234", "whole number"), ("12,5", "whole")):
        with pytest.raises(FieldError, match=problem):
            parse_money(text)


def test_decimals_and_choices_and_ranges() -> None:
    assert parse_decimal("1.5", 3, whole_digits=5, positive=True) == Decimal("1.5")
    with pytest.raises(FieldError, match="greater than 0"):
        parse_decimal("0", 3, whole_digits=5, positive=True)
    assert parse_choice(" TOU ", {"tou", "single"}) == "tou"
    with pytest.raises(FieldError, match="is not one of prepaid, single"):
        parse_choice("double", {"single", "prepaid"})
    with pytest.raises(FieldError, match="outside 1–31"):
        parse_whole("32", 1, 31)
    with pytest.raises(FieldError, match="control characters"):
        parse_text("a\x00b", 10)
    with pytest.raises(FieldError, match="at most 3"):
        parse_text("abcd", 3)
