"""Entities, normalised as `intents.md` specifies."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from nlu.areas import _SCORE_CUTOFF, Gazetteer, _may_match, names_a_place
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


@pytest.mark.parametrize(
    ("text", "request_id"),
    [
        ("yêu cầu yc123 xử lý chưa", "YC123"),
        ("yc 123", "YC123"),
        ("YC2026-000123", "YC2026-000123"),
        ("hồ sơ yc2026-000123 tới đâu rồi", "YC2026-000123"),
        ("mã YC 2026-000123", "YC2026-000123"),
        ("YC2026-000123.", "YC2026-000123"),
    ],
)
def test_request_id_upper_case_and_whole(text: str, request_id: str) -> None:
    assert entities(text)["request_id"] == request_id


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


@pytest.mark.parametrize(
    "text",
    ["đăng ký tạm ngừng cấp điện", "xin tạm ngừng cấp điện 2 tháng", "muốn tạm dừng dùng điện"],
)
def test_asking_to_suspend_is_a_suspension(text: str) -> None:
    assert entities(text)["service_type"] == "suspension"


@pytest.mark.parametrize(
    "text", ["lịch tạm ngừng cung cấp điện", "lịch tạm ngừng cấp điện ngày mai"]
)
def test_outage_wording_is_not_a_suspension_request(text: str) -> None:
    assert "service_type" not in entities(text)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("điểm thu ở q1", "Quận 1"),
        ("cúp điện quan tan binh", "Quận Tân Bình"),
        ("chỗ đóng tiền ở phường Bến Thành", "Phường Bến Thành"),
        ("gần chợ ben thanh", "Phường Bến Thành"),
        ("điện lực gia định ở đâu", "Điện lực Gia Định"),
        ("lịch cắt điện phuong tan dinh", "Phường Tân Định"),
        ("Tân Định", "Phường Tân Định"),
        ("q 1", "Quận 1"),
    ],
)
def test_area_from_the_gazetteer(text: str, area: str) -> None:
    assert entities(text, AREAS)["area"] == area


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("giá điện cho hộ gia đình", None),
        ("quận 3", None),
        ("quận 10", None),
        ("tan binh", "Quận Tân Bình"),
    ],
)
def test_bare_area_name_counts_after_a_place_word_or_alone(text: str, area: str | None) -> None:
    assert entities(text, AREAS).get("area") == area


def test_no_gazetteer_no_area() -> None:
    assert "area" not in entities("điểm thu ở q1")


# The shapes the data stores: a ward with its former district, or a ward of a city.
STORED_AREAS = (
    "Phường Bến Thành, Quận 1",
    "Phường Bến Nghé, Quận 1",
    "Phường Đa Kao, Quận 1",
    "Phường Tân Định, Quận 1",
    "Phường 22, Quận Bình Thạnh",
    "Phường 25, Quận Bình Thạnh",
    "Phường 2, Quận Tân Bình",
    "Phường 4, Quận Tân Bình",
    "Phường 13, Quận Tân Bình",
    "Phường Linh Trung, TP. Thủ Đức",
    "Phường Thạch Thang, Quận Hải Châu",
    "Phường Hòa Cường Bắc, Quận Hải Châu",
    "Phường Thanh Khê Đông, Quận Thanh Khê",
)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("chỗ đóng tiền ở phường Bến Thành", "Phường Bến Thành, Quận 1"),
        ("Bến Thành", "Phường Bến Thành, Quận 1"),
        ("ben thanh co cat dien khong", "Phường Bến Thành, Quận 1"),
        ("Tân Định", "Phường Tân Định, Quận 1"),
        ("lịch cúp điện p. tân định", "Phường Tân Định, Quận 1"),
        ("điểm thu ở Phường Bến Thành, Quận 1", "Phường Bến Thành, Quận 1"),
        ("phuong ben nghe quan 1", "Phường Bến Nghé, Quận 1"),
        ("phường 22 bình thạnh", "Phường 22, Quận Bình Thạnh"),
        ("p25 quận bình thạnh", "Phường 25, Quận Bình Thạnh"),
        ("phường 13 tân bình", "Phường 13, Quận Tân Bình"),
        ("ở linh trung thủ đức", "Phường Linh Trung, TP. Thủ Đức"),
        ("điểm thu ở Thanh Khê", "Phường Thanh Khê Đông, Quận Thanh Khê"),
    ],
)
def test_area_by_part_of_a_stored_name(text: str, area: str) -> None:
    assert entities(text, STORED_AREAS)["area"] == area


@pytest.mark.parametrize(
    "text",
    [
        "q1",  # four wards of Quận 1
        "lịch cắt điện quận 1",
        "quan tan binh",  # three wards
        "hải châu",
        "quận 10",  # not "quận 1"
        "phường 3",  # not "phường 13"
        "phường 222",
        "điểm thu ở Bến",
        "giá điện cho hộ gia đình",
    ],
)
def test_an_ambiguous_or_unknown_area_is_none(text: str) -> None:
    assert "area" not in entities(text, STORED_AREAS)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("q1", "Quận 1"),
        ("quận 1", "Quận 1"),
        ("quan tan binh", "Quận Tân Bình"),
        ("phường Bến Thành", "Phường Bến Thành, Quận 1"),
        ("Tân Định quận 1", "Phường Tân Định, Quận 1"),
        ("quận 10", None),
    ],
)
def test_a_name_matched_whole_wins_over_a_part(text: str, area: str | None) -> None:
    gazetteer = ("Quận 1", "Quận Tân Bình", *STORED_AREAS)
    assert entities(text, gazetteer).get("area") == area


def test_a_misspelt_area_is_still_found() -> None:
    assert entities("điểm thu ở phường bến thàn", STORED_AREAS)["area"] == (
        "Phường Bến Thành, Quận 1"
    )


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


# A gazetteer as the store builds it (meters.gazetteer): the data's areas, today's wards, and the
# names customers use for them, old and new.
WARDS = (
    "Phường Bến Thành",
    "Phường Sài Gòn",
    "Phường Tân Định",
    "Phường Tân Sơn Hòa",
    "Phường Tân Sơn Nhất",
    "Phường Tân Bình",
    "Phường Gia Định",
    "Điện lực Gia Định",
)
PLACES = Gazetteer(
    WARDS,
    {
        "Quận 1": WARDS[:3],
        "Quận 10": (),
        "Quận Tân Bình": WARDS[3:6],
        "Phường Bến Nghé, Quận 1": ("Phường Sài Gòn",),
        "Phường Đa Kao, Quận 1": ("Phường Sài Gòn", "Phường Tân Định"),
        "Phường Bến Thành, Quận 1": ("Phường Bến Thành",),
        "Phường 2, Quận Tân Bình": ("Phường Tân Sơn Hòa",),
        "Phường 4, Quận Tân Bình": ("Phường Tân Sơn Nhất",),
        "Phường 2, Quận Bình Thạnh": ("Phường Gia Định",),
        "Phường 4, Quận 5": ("Phường Chợ Quán",),  # not an area of the data
        "Thành phố Hồ Chí Minh": WARDS[:7],
    },
    {"Phường Sài Gòn": "Quận 1"},
)


@pytest.mark.parametrize(
    ("text", "area", "areas"),
    [
        ("điểm thu tiền điện ở quận Tân Bình", "Quận Tân Bình", WARDS[3:6]),
        # The former district covers today's Phường Tân Bình: it wins the tie.
        ("điểm thu tiền điện ở Tân Bình", "Quận Tân Bình", WARDS[3:6]),
        ("diem thu tien dien o tan binh", "Quận Tân Bình", WARDS[3:6]),
        ("điểm thu ở tân bìnhh", "Quận Tân Bình", WARDS[3:6]),
        ("điểm thu ở phường Tân Bình", "Phường Tân Bình", None),
        ("điểm thu ở q1", "Quận 1", WARDS[:3]),
        ("điểm thu ở quận 1", "Quận 1", WARDS[:3]),
        ("điểm thu ở Q.1", "Quận 1", WARDS[:3]),
        ("điểm thu ở phường Bến Nghé", "Phường Bến Nghé, Quận 1", ("Phường Sài Gòn",)),
        ("ben nghe co diem thu khong", "Phường Bến Nghé, Quận 1", ("Phường Sài Gòn",)),
        ("gần Đa Kao", "Phường Đa Kao, Quận 1", ("Phường Sài Gòn", "Phường Tân Định")),
        ("p2 quận tân bình", "Phường 2, Quận Tân Bình", ("Phường Tân Sơn Hòa",)),
        ("phường Tân Sơn Hòa", "Phường Tân Sơn Hòa", None),
        ("tan son hoa", "Phường Tân Sơn Hòa", None),
        ("Bến Thành", "Phường Bến Thành", None),
        ("ở TP Hồ Chí Minh", "Thành phố Hồ Chí Minh", WARDS[:7]),
        # Phường 4 of Quận 5 has no area in the data: Phường 4 is Tân Bình's.
        ("điểm thu ở phường 4", "Phường 4, Quận Tân Bình", ("Phường Tân Sơn Nhất",)),
    ],
)
def test_a_place_by_any_of_its_names_gives_the_data_s_areas(
    text: str, area: str, areas: tuple[str, ...] | None
) -> None:
    found = extract_entities(text, normalize(text), TODAY, PLACES)

    assert found["area"] == area
    assert found.get("areas") == (None if areas is None else list(areas))


@pytest.mark.parametrize(
    "text",
    [
        "điểm thu ở quận 10",  # a name that covers none of the data's areas
        "điểm thu ở phường 2",  # of Quận Tân Bình or of Quận Bình Thạnh?
        "điểm thu ở quận 3",
        "giá điện cho hộ gia đình",
    ],
)
def test_a_place_not_in_the_data_or_ambiguous_is_none(text: str) -> None:
    found = extract_entities(text, normalize(text), TODAY, PLACES)

    assert "area" not in found
    assert "areas" not in found


def test_the_gazetteer_is_the_sequence_of_the_data_s_areas() -> None:
    assert list(PLACES) == list(WARDS)
    assert PLACES[1] == "Phường Sài Gòn"
    assert PLACES.index("Phường Tân Định") == 2
    assert "Quận 1" not in PLACES
    assert PLACES.covered("Quận 10") == ()
    assert PLACES.covered("Phường 4, Quận 5") == ()
    assert PLACES.wider("Phường Sài Gòn") == "Quận 1"
    assert PLACES.wider("Phường Tân Định") is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("điểm thu tiền điện ở phường Xyz", True),
        ("lịch cắt điện tại quận 13", True),
        ("lịch cắt điện khu vực q13", True),
        ("điểm thu ở thị trấn Abc", True),
        ("điểm thu tiền điện gần nhất", False),
        ("ở đâu đóng tiền điện", False),
        ("điểm thu ở quận", False),
    ],
)
def test_a_named_place_is_recognised_known_or_not(text: str, named: bool) -> None:
    assert names_a_place(normalize(text).split()) is named


def test_one_stretch_of_the_message_counts_for_one_part_of_a_name() -> None:
    # "quận hải châu" is the former district, not also the old ward of its name inside it.
    wards = ("Phường Hải Châu", "Phường Hòa Cường")
    gazetteer = Gazetteer(
        wards,
        {
            "Quận Hải Châu": wards,
            "Phường Hải Châu, Quận Hải Châu": ("Phường Hải Châu",),
            "Phường Hòa Cường Bắc, Quận Hải Châu": ("Phường Hòa Cường",),
        },
    )

    district = extract_entities(
        "mất điện ở quận hải châu", normalize("mất điện ở quận hải châu"), TODAY, gazetteer
    )
    old_ward = extract_entities(
        "phường hải châu quận hải châu",
        normalize("phường hải châu quận hải châu"),
        TODAY,
        gazetteer,
    )

    assert (district["area"], district["areas"]) == ("Quận Hải Châu", list(wards))
    assert old_ward["area"] == "Phường Hải Châu, Quận Hải Châu"


def test_words_two_parts_of_a_name_share_stand_for_one_part() -> None:
    # "hải châu" alone is the former district (covering both wards), not the old ward whose
    # ward and district are both "Hải Châu".
    wards = ("Phường Hải Châu", "Phường Hòa Cường")
    gazetteer = Gazetteer(
        wards,
        {"Quận Hải Châu": wards, "Phường Hải Châu, Quận Hải Châu": ("Phường Hải Châu",)},
    )

    found = extract_entities("khu vuc hai chau", normalize("khu vuc hai chau"), TODAY, gazetteer)

    assert found["area"] == "Quận Hải Châu"


def test_the_longer_name_wins_over_a_name_inside_it() -> None:
    gazetteer = Gazetteer(
        ("Phường Hòa Cường",),
        {"Phường Hòa Cường Bắc, Quận Hải Châu": ("Phường Hòa Cường",)},
    )

    found = extract_entities(
        "khu Hòa Cường Bắc đang mất điện",
        normalize("khu Hòa Cường Bắc đang mất điện"),
        TODAY,
        gazetteer,
    )

    assert found["area"] == "Phường Hòa Cường Bắc, Quận Hải Châu"
    assert found["areas"] == ["Phường Hòa Cường"]


# --- Issue 19: entities as customers write them, from the rules of intents.md ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Months relative to today (2026-11-21): "tháng rồi" is last month.
        ("tiền điện tháng rồi", {"month": "2026-10"}),
        ("hóa đơn tháng vừa rồi", {"month": "2026-10"}),
        # English months: the most recent one not in the future, or the year written.
        ("bill for october", {"month": "2026-10"}),
        ("my bill in december", {"month": "2025-12"}),
        ("electricity bill of may", {"month": "2026-05"}),
        ("usage september 2025", {"month": "2025-09"}),
        ("last month bill", {"month": "2026-10"}),
        ("this month usage", {"month": "2026-11"}),
        # Days: Southern "bữa", English words.
        ("bữa qua xài bao nhiêu", {"date": "2026-11-20"}),
        ("bữa nay", {"date": "2026-11-21"}),
        ("how much did i use yesterday", {"date": "2026-11-20"}),
        ("outage tomorrow?", {"date": "2026-11-22"}),
        # Money: "1tr250", half a million, words.
        ("1tr250 thì dùng được bao nhiêu", {"money": 1_250_000}),
        ("1 triệu rưỡi", {"money": 1_500_000}),
        ("hai chục nghìn", {"money": 20_000}),
        # kWh: a decimal comma, "chục" as tens, "ký" and "chữ" after a number.
        ("99,5 số", {"kwh": 99.5}),
        ("ba trăm năm chục ký hết nhiêu tiền", {"kwh": 350.0}),
        ("tám chục số", {"kwh": 80.0}),
        ("hai trăm bốn chục chữ", {"kwh": 240.0}),
        # One kWh is a unit ("giá 1 số"), "một số" is "some": neither is a consumption.
        ("giá 1 số điện bao nhiêu", {}),
        ("một số câu hỏi", {}),
        # Telex typed without the input method: "tháng này".
        ("tieenf ddieenj thangs nayf bao nhieeu", {"month": "2026-11"}),
        # Codes written with spaces, phones with dots, request ids.
        ("ma kh pe 0500 0987 654 nhe", {"customer_code": "PE05000987654"}),
        ("sdt 0903.123.456", {"phone": "0903123456"}),
        ("yêu cầu yc-456 sao rồi", {"request_id": "YC456"}),
    ],
)
def test_entities_as_customers_write_them(text: str, expected: dict[str, object]) -> None:
    assert entities(text) == expected


@pytest.mark.parametrize(
    "text",
    ["tạm ngưng cấp điện căn hộ trống được không", "muốn tạm dừng hợp đồng điện 1 năm"],
)
def test_a_suspension_asked_without_the_word_for_asking(text: str) -> None:
    assert entities(text)["service_type"] == "suspension"


@pytest.mark.parametrize(
    "text",
    ["thông báo tạm ngừng cấp điện", "mai có tạm ngừng cấp điện không", "lịch tạm ngưng cấp điện"],
)
def test_an_announced_suspension_is_no_service_type(text: str) -> None:
    assert "service_type" not in entities(text)
