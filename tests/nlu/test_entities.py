"""Entities, normalised as `intents.md` specifies."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from nlu.areas import _SCORE_CUTOFF, _may_match
from nlu.entities import extract_entities
from nlu.normalize import normalize

TODAY = date(2026, 11, 21)
AREAS = ("Phường Bến Thành", "Quận 1", "Quận Tân Bình", "Phường Tân Định", "Điện lực Gia Định")


def entities(text: str, areas: tuple[str, ...] = ()) -> dict[str, object]:
    return extract_entities(text, normalize(text), TODAY, areas)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("pe 0500 0987 654", "PE05000987654"),
        ("mã KH PB06010001234", "PB06010001234"),
        ("ma kh pb06010001234 nhe", "PB06010001234"),
        ("PD0100 1234567", "PD01001234567"),
        ("PK0100456789", "PK0100456789"),
    ],
)
def test_customer_code(text: str, code: str) -> None:
    assert entities(text)["customer_code"] == code


@pytest.mark.parametrize("text", ["phuong ben thanh quan mot", "PE123", "XPE05000987654"])
def test_no_customer_code(text: str) -> None:
    assert "customer_code" not in entities(text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0903 123 456", "0903123456"),
        ("+84903123456", "0903123456"),
        ("+84 912 345 678", "0912345678"),
        ("sdt 0987.654.321", "0987654321"),
    ],
)
def test_phone(text: str, phone: str) -> None:
    assert entities(text)["phone"] == phone


@pytest.mark.parametrize("text", ["0203123456", "PE05000987654", "2.500.000đ", "090312345"])
def test_no_phone(text: str) -> None:
    assert "phone" not in entities(text)


def test_request_id_upper_case() -> None:
    assert entities("yêu cầu yc123 xử lý chưa")["request_id"] == "YC123"


def test_kwh_and_money_together() -> None:
    found = entities("dùng 350 số thì có vượt 1tr2 không")
    assert found["kwh"] == 350.0
    assert found["money"] == 1_200_000
    assert isinstance(found["money"], int)


def test_bare_kw_is_energy_without_an_appliance_and_power_with_one() -> None:
    assert entities("tháng này 300kw")["kwh"] == 300.0
    found = entities("bếp từ 2kw")
    assert "kwh" not in found
    assert found["appliance"] == {
        "name": "bếp từ",
        "watts": 2000,
        "hours_per_day": None,
        "quantity": None,
    }


@pytest.mark.parametrize(
    ("text", "appliance"),
    [
        (
            "2 máy lạnh 1.5 ngựa 8 tiếng/ngày",
            {"name": "máy lạnh", "watts": 1119, "hours_per_day": 8.0, "quantity": 2},
        ),
        (
            "điều hòa 9000btu chạy 30 phút",
            {"name": "máy lạnh", "watts": 746, "hours_per_day": 0.5, "quantity": None},
        ),
        (
            "tủ lạnh chạy cả ngày",
            {"name": "tủ lạnh", "watts": None, "hours_per_day": 24.0, "quantity": None},
        ),
        (
            "hai cái quạt 50w",
            {"name": "quạt", "watts": 50, "hours_per_day": None, "quantity": 2},
        ),
    ],
)
def test_appliance(text: str, appliance: dict[str, object]) -> None:
    assert entities(text)["appliance"] == appliance


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("đăng ký lắp công tơ mới", "new_connection"),
        ("muốn kiểm định lại công tơ", "meter_inspection"),
        ("sang tên hợp đồng", "contract_change"),
        ("thanh lý hợp đồng điện", "contract_end"),
        ("tạm ngưng sử dụng điện 2 tháng", "suspension"),
        ("di dời điện kế", "meter_relocation"),
    ],
)
def test_service_type(text: str, service: str) -> None:
    assert entities(text)["service_type"] == service


def test_outage_wording_is_not_a_suspension_request() -> None:
    assert "service_type" not in entities("lịch tạm ngừng cung cấp điện")


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("điểm thu ở q1", "Quận 1"),
        ("cúp điện quan tan binh", "Quận Tân Bình"),
        ("chỗ đóng tiền ở phường Bến Thành", "Phường Bến Thành"),
        ("gần chợ ben thanh", "Phường Bến Thành"),
        ("điện lực gia định ở đâu", "Điện lực Gia Định"),
        ("lịch cắt điện phuong tan dinh", "Phường Tân Định"),
    ],
)
def test_area_from_the_gazetteer(text: str, area: str) -> None:
    assert entities(text, AREAS)["area"] == area


@pytest.mark.parametrize(
    ("text", "area"),
    [("giá điện cho hộ gia đình", None), ("quận 3", None), ("tan binh", "Quận Tân Bình")],
)
def test_bare_area_name_counts_after_a_place_word_or_alone(text: str, area: str | None) -> None:
    assert entities(text, AREAS).get("area") == area


def test_no_gazetteer_no_area() -> None:
    assert "area" not in entities("điểm thu ở q1")


@settings(max_examples=500, deadline=None)
@given(
    window=st.text(alphabet="abnth 1", min_size=1, max_size=30),
    cut=st.integers(0, 3),
    added=st.text(alphabet="abnth 1", max_size=4),
)
def test_area_windows_skipped_by_length_could_never_match(
    window: str, cut: int, added: str
) -> None:
    key = window[cut:] + added or "a"
    if fuzz.ratio(window, key) >= _SCORE_CUTOFF:
        assert _may_match(len(window), len(key))
