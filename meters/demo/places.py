"""Where the demo customers live: power companies, areas, streets, stations, payment points.

Unit codes and names are EVN's (third-party list, research/features.md §1.4, G2); ward and street
names are real, the wards under their names since 1 July 2025 (no districts any more); house
numbers, station numbers and payment-point addresses are invented. Stations keep the names of the
old wards they were built in ("TBA Bến Nghé 2" in today's Phường Sài Gòn), as real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Climate(StrEnum):
    """Which hot season drives air-conditioning use."""

    HCMC = "hcmc"  # hot and humid all year, peak March-May
    DA_NANG = "da_nang"  # peak May-August, cool rainy months at the end of the year


@dataclass(frozen=True, slots=True)
class Area:
    """A ward (today's name) and what is in it."""

    name: str
    short: str  # what its stations are named after (the old ward's name, mostly)
    streets: tuple[str, ...]
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class PowerCompany:
    """A Điện lực unit: its 6-character code prefix, name, city and areas."""

    code: str
    name: str
    city: str
    climate: Climate
    areas: tuple[Area, ...]
    weight: int  # share of the demo customers
    office_street: str


HCMC = "TP. Hồ Chí Minh"
DA_NANG = "TP. Đà Nẵng"

POWER_COMPANIES: tuple[PowerCompany, ...] = (
    PowerCompany(
        "PE0100",
        "Điện lực Sài Gòn",
        HCMC,
        Climate.HCMC,
        (
            Area(
                "Phường Bến Thành",
                "Bến Thành",
                ("Lê Lợi", "Lê Thánh Tôn", "Phạm Ngũ Lão"),
                10.7725,
                106.6980,
            ),
            Area(
                "Phường Sài Gòn",
                "Bến Nghé",
                ("Đồng Khởi", "Hai Bà Trưng", "Mạc Thị Bưởi"),
                10.7769,
                106.7009,
            ),
            Area(
                "Phường Cầu Ông Lãnh",
                "Cầu Kho",
                ("Trần Hưng Đạo", "Nguyễn Thái Học", "Cô Giang"),
                10.7620,
                106.6950,
            ),
            Area(
                "Phường Tân Định",
                "Tân Định",
                ("Trần Quang Khải", "Trần Nhật Duật", "Nguyễn Hữu Cầu"),
                10.7920,
                106.6890,
            ),
        ),
        4,
        "Trần Hưng Đạo",
    ),
    PowerCompany(
        "PE0400",
        "Điện lực Gia Định",
        HCMC,
        Climate.HCMC,
        (
            Area(
                "Phường Thạnh Mỹ Tây",
                "Văn Thánh",
                ("Nguyễn Hữu Cảnh", "Điện Biên Phủ", "Ung Văn Khiêm"),
                10.7940,
                106.7190,
            ),
            Area(
                "Phường Gia Định",
                "Bà Chiểu",
                ("Phan Đăng Lưu", "Lê Quang Định", "Bạch Đằng"),
                10.8020,
                106.6960,
            ),
            Area(
                "Phường Bình Thạnh",
                "Bình Lợi",
                ("Xô Viết Nghệ Tĩnh", "Đinh Bộ Lĩnh", "Bình Lợi"),
                10.8130,
                106.7100,
            ),
        ),
        4,
        "Phan Đăng Lưu",
    ),
    PowerCompany(
        "PE1400",
        "Điện lực Tân Bình",
        HCMC,
        Climate.HCMC,
        (
            Area(
                "Phường Tân Sơn Hòa",
                "Trường Sơn",
                ("Trường Sơn", "Hồng Hà", "Phan Đình Giót"),
                10.8110,
                106.6650,
            ),
            Area(
                "Phường Tân Sơn Nhất",
                "Hoàng Văn Thụ",
                ("Cộng Hòa", "Hoàng Văn Thụ", "Út Tịch"),
                10.7990,
                106.6570,
            ),
            Area(
                "Phường Tân Bình",
                "Âu Cơ",
                ("Cộng Hòa", "Trường Chinh", "Âu Cơ"),
                10.8030,
                106.6420,
            ),
        ),
        3,
        "Cách Mạng Tháng Tám",
    ),
    PowerCompany(
        "PE1000",
        "Điện lực Thủ Đức",
        HCMC,
        Climate.HCMC,
        (
            Area(
                "Phường Linh Xuân",
                "Linh Trung",
                ("Hoàng Diệu 2", "Linh Trung", "Kha Vạn Cân"),
                10.8700,
                106.7770,
            ),
            Area(
                "Phường Thủ Đức",
                "Linh Chiểu",
                ("Võ Văn Ngân", "Đặng Văn Bi", "Hoàng Diệu 2"),
                10.8540,
                106.7610,
            ),
            Area(
                "Phường Hiệp Bình",
                "Hiệp Bình Chánh",
                ("Phạm Văn Đồng", "Kha Vạn Cân", "Hiệp Bình"),
                10.8290,
                106.7190,
            ),
        ),
        4,
        "Võ Văn Ngân",
    ),
    PowerCompany(
        "PE0300",
        "Điện lực Chợ Lớn",
        HCMC,
        Climate.HCMC,
        (
            Area(
                "Phường Chợ Lớn",
                "Châu Văn Liêm",
                ("Trần Hưng Đạo", "Châu Văn Liêm", "Nguyễn Trãi"),
                10.7540,
                106.6680,
            ),
            Area(
                "Phường An Đông",
                "An Đông",
                ("An Dương Vương", "Trần Phú", "Nguyễn Tri Phương"),
                10.7580,
                106.6730,
            ),
        ),
        2,
        "Hùng Vương",
    ),
    PowerCompany(
        "PP0100",
        "Điện lực Hải Châu",
        DA_NANG,
        Climate.DA_NANG,
        (
            Area(
                "Phường Hải Châu",
                "Thạch Thang",
                ("Bạch Đằng", "Quang Trung", "Lê Lợi"),
                16.0760,
                108.2210,
            ),
            Area(
                "Phường Hòa Cường",
                "Hòa Cường Bắc",
                ("Núi Thành", "2 Tháng 9", "Lê Thanh Nghị"),
                16.0430,
                108.2200,
            ),
        ),
        2,
        "Trần Phú",
    ),
    PowerCompany(
        "PP0500",
        "Điện lực Sơn Trà",
        DA_NANG,
        Climate.DA_NANG,
        (
            Area(
                "Phường An Hải",
                "An Hải Bắc",
                ("Ngô Quyền", "Phạm Văn Đồng", "Võ Văn Kiệt"),
                16.0700,
                108.2330,
            ),
            Area(
                "Phường Sơn Trà",
                "Mân Thái",
                ("Hoàng Sa", "Trần Quang Khải", "Lê Đức Thọ"),
                16.0850,
                108.2450,
            ),
        ),
        2,
        "Ngô Quyền",
    ),
    PowerCompany(
        "PP0900",
        "Điện lực Thanh Khê",
        DA_NANG,
        Climate.DA_NANG,
        (
            Area(
                "Phường Thanh Khê",
                "Thanh Khê Đông",
                ("Điện Biên Phủ", "Hà Huy Tập", "Trần Cao Vân"),
                16.0680,
                108.1900,
            ),
        ),
        1,
        "Điện Biên Phủ",
    ),
    PowerCompany(
        "PP0300",
        "Điện lực Liên Chiểu",
        DA_NANG,
        Climate.DA_NANG,
        (
            Area(
                "Phường Liên Chiểu",
                "Hòa Khánh Bắc",
                ("Nguyễn Lương Bằng", "Âu Cơ", "Tôn Đức Thắng"),
                16.0750,
                108.1500,
            ),
        ),
        1,
        "Nguyễn Lương Bằng",
    ),
)

STATIONS_PER_AREA = 4


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY_NAMES = _words(
    "Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý"
)
MIDDLE_NAMES_MALE = _words("Văn Minh Hữu Đức Quốc Thanh Hoàng Công")
MIDDLE_NAMES_FEMALE = _words("Thị Ngọc Thu Kim Thanh Mỹ Hồng Bích")
GIVEN_NAMES_MALE = _words(
    "An Bình Cường Dũng Hải Hiếu Hùng Khánh Long Minh Nam Phong Phúc Quân Sơn Tâm Thắng Trung"
    " Tuấn Vinh"
)
GIVEN_NAMES_FEMALE = _words(
    "Anh Hà Hạnh Hoa Hương Lan Linh Mai Nga Ngọc Nhung Phương Thảo Trang Vy Yến Tuyết Dung"
    " Loan Hằng"
)
BUSINESS_NAMES = (
    "Cửa hàng tạp hóa {given}",
    "Quán cơm {given}",
    "Tiệm cà phê {given}",
    "Nhà thuốc {given}",
    "Tiệm bánh {given}",
    "Cửa hàng điện thoại {given}",
    "Khách sạn {given}",
    "Nhà hàng {given}",
    "Công ty TNHH Thương mại {given}",
    "Salon tóc {given}",
)
PRODUCTION_NAMES = (
    "Công ty TNHH May mặc {given}",
    "Xưởng cơ khí {given}",
    "Công ty CP Bao bì {given}",
    "Cơ sở sản xuất nước đá {given}",
    "Xưởng in {given}",
)
ADMIN_HEALTH_EDUCATION_NAMES = (
    "Trường Tiểu học {street}",
    "Trường THCS {street}",
    "Trạm Y tế {ward}",
    "Trường Mầm non {street}",
)
ADMIN_PUBLIC_NAMES = ("Chiếu sáng công cộng đường {street}", "UBND {ward}")

MOBILE_PREFIXES = _words(
    "032 033 034 035 036 037 038 039 070 076 077 078 079 081 082 083 084 085 086 088 089 090"
    " 091 093 094 096 097 098 056 058"
)

# (kind, name pattern, opening hours); names of banks and chains are real, branches invented.
PAYMENT_POINT_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "ngân hàng",
        "Agribank Phòng giao dịch {street}",
        "07:30–11:30, 13:00–16:30 (Thứ Hai–Thứ Sáu)",
    ),
    (
        "ngân hàng",
        "Vietcombank Phòng giao dịch {street}",
        "08:00–16:30 (Thứ Hai–Thứ Sáu), 08:00–11:30 (Thứ Bảy)",
    ),
    ("bưu điện", "Bưu cục {street}", "07:00–19:00 (hằng ngày)"),
    ("cửa hàng tiện lợi", "Circle K {street}", "24/7"),
    ("cửa hàng tiện lợi", "FamilyMart {street}", "06:00–23:00 (hằng ngày)"),
    ("cửa hàng tiện lợi", "Bách hóa Xanh {street}", "06:00–22:00 (hằng ngày)"),
)
OFFICE_KIND = "quầy thu Điện lực"
OFFICE_HOURS = "07:30–11:30, 13:00–17:00 (Thứ Hai–Thứ Bảy)"

OUTAGE_REASONS = (
    "Bảo trì, sửa chữa lưới điện",
    "Thay máy biến áp, nâng công suất trạm",
    "Cắt tỉa cây xanh đảm bảo an toàn hành lang lưới điện",
    "Đấu nối công trình điện mới",
    "Thí nghiệm định kỳ thiết bị trạm biến áp",
    "Di dời lưới điện phục vụ thi công đường",
)


def station_names(area: Area) -> tuple[str, ...]:
    """The transformer stations (trạm biến áp) feeding an area, e.g. "TBA Bến Thành 3"."""
    return tuple(f"TBA {area.short} {number}" for number in range(1, STATIONS_PER_AREA + 1))
