"""Months and days, relative to a today that is passed in."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.dates import find_date, find_month
from nlu.normalize import normalize

SATURDAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("tháng 10", "2026-10"),
        ("tháng 12", "2025-12"),
        ("tháng 11", "2026-11"),
        ("tháng trước", "2026-10"),
        ("tháng rồi", "2026-10"),
        ("tháng này", "2026-11"),
        ("tháng sau", "2026-12"),
        ("10/2026", "2026-10"),
        ("tháng 3 năm 2024", "2024-03"),
        ("tháng 12 năm ngoái", "2025-12"),
        ("tháng mười một", "2026-11"),
        ("tháng giêng", "2026-01"),
    ],
)
def test_find_month(text: str, month: str) -> None:
    assert find_month(normalize(text), SATURDAY) == month


def test_month_rolls_over_the_new_year() -> None:
    assert find_month("thang truoc", date(2027, 1, 5)) == "2026-12"
    assert find_month("thang sau", date(2026, 12, 5)) == "2027-01"


@pytest.mark.parametrize(
    "text", ["3 tháng", "mỗi tháng", "tháng 13", "ngày 20 tháng 11", "bao nhiêu tháng"]
)
def test_no_month(text: str) -> None:
    assert find_month(normalize(text), SATURDAY) is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("hôm nay", "2026-11-21"),
        ("hôm qua", "2026-11-20"),
        ("hqua", "2026-11-20"),
        ("hôm kia", "2026-11-19"),
        ("ngày mai", "2026-11-22"),
        ("sáng mai", "2026-11-22"),
        ("ngày mốt", "2026-11-23"),
        ("20/11", "2026-11-20"),
        ("5/1", "2027-01-05"),
        ("20/6", "2026-06-20"),
        ("1/2/2025", "2025-02-01"),
        ("ngày 25 tháng 11", "2026-11-25"),
        ("chủ nhật này", "2026-11-22"),
        ("thứ 2 tuần sau", "2026-11-23"),
        ("thứ bảy tuần trước", "2026-11-14"),
        ("thứ năm", "2026-11-19"),
        ("thứ 7 tuần qua", "2026-11-14"),
    ],
)
def test_find_date(text: str, day: str) -> None:
    assert find_date(normalize(text), SATURDAY) == day


@pytest.mark.parametrize("text", ["31/2", "24/24", "tuần sau", "mai mốt", "ngày 40/13"])
def test_no_date(text: str) -> None:
    assert find_date(normalize(text), SATURDAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "7 ngày qua",
        "30 ngày qua",
        "tuần qua",
        "điện tiêu thụ 7 ngày qua",
        "tiêu thụ 7 ngày vừa qua",
        "tieu thu 30 ngay qua",
        "thứ 7 ngày qua",
    ],
)
def test_a_running_period_is_no_date(text: str) -> None:
    # "tiêu thụ 7" folds to "tieu thu 7", which once read as "thứ 7" (Saturday).
    assert find_date(normalize(text), SATURDAY) is None
