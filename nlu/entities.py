"""Entities of a message, each normalised as `intents.md` describes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from nlu.areas import find_place
from nlu.dates import find_date, find_month
from nlu.normalize import MAX_CHARS
from nlu.numbers import Amount, AmountKind, find_amounts

_CUSTOMER_CODE = re.compile(r"(?<![A-Z0-9])P ?[A-Z](?:[ .-]?[A-Z0-9]){9,11}(?![A-Z0-9])")
_MIN_DIGITS_IN_CODE = 5
_CODE_SEPARATORS = re.compile(r"[ .-]")
_DIGIT = re.compile(r"\d")
_NOT_DIGITS = re.compile(r"\D")
_PHONE = re.compile(r"(?<![\w+])(?:\+ ?84|84|0)[ .-]?(?:\d[ .-]?){8}\d(?!\d)")
_MOBILE_PREFIXES = frozenset("35789")
# "YC123", "yc 123", and the store's own codes with a year: "YC2026-000123".
_REQUEST_ID = re.compile(r"(?<![A-Z0-9])YC[ -]?(\d{2,12}(?:-\d{1,12})?)(?![\d-])")

_APPLIANCES: tuple[tuple[str, str], ...] = (
    ("noi chien khong dau", "nồi chiên không dầu"),
    ("binh nong lanh", "bình nóng lạnh"),
    ("binh tam nong lanh", "bình nóng lạnh"),
    ("binh nuoc nong", "bình nóng lạnh"),
    ("may nuoc nong", "bình nóng lạnh"),
    ("noi com dien", "nồi cơm điện"),
    ("noi com", "nồi cơm điện"),
    ("may dieu hoa", "máy lạnh"),
    ("dieu hoa", "máy lạnh"),
    ("may lanh", "máy lạnh"),
    ("tu lanh", "tủ lạnh"),
    ("cai tu dong", "tủ đông"),
    ("may giat", "máy giặt"),
    ("may say", "máy sấy"),
    ("may bom", "máy bơm"),
    ("lo vi song", "lò vi sóng"),
    ("lo nuong", "lò nướng"),
    ("am sieu toc", "ấm siêu tốc"),
    ("am dun nuoc", "ấm siêu tốc"),
    ("bep tu", "bếp từ"),
    ("bep hong ngoai", "bếp điện"),
    ("bep dien", "bếp điện"),
    ("bong den", "bóng đèn"),
    ("den led", "bóng đèn"),
    ("den tuyp", "bóng đèn"),
    ("ban ui", "bàn ủi"),
    ("ban la", "bàn ủi"),
    ("may hut bui", "máy hút bụi"),
    ("may loc nuoc", "máy lọc nước"),
    ("may tinh", "máy tính"),
    ("laptop", "máy tính"),
    ("tivi", "tivi"),
    ("ti vi", "tivi"),
    ("tv", "tivi"),
    ("quat", "quạt"),
)
# The earliest appliance named; at one position, the first of `_APPLIANCES` (longer ones first).
_APPLIANCE = re.compile(" (" + "|".join(re.escape(phrase) for phrase, _ in _APPLIANCES) + ") ")
_APPLIANCE_NAMES = dict(_APPLIANCES)
_QUANTITY_WORDS = frozenset({"cai", "chiec", "bo", "con"})
_WATT_UNITS = {"w": Decimal(1), "oat": Decimal(1), "kw": Decimal(1000)}
_HORSEPOWER_WATTS = Decimal(746)
_BTU_PER_HORSEPOWER = Decimal(9000)
_HOURS_UNITS = {"tieng": Decimal(1), "gio": Decimal(1), "phut": Decimal(1) / Decimal(60)}
_ALL_DAY = (" ca ngay ", " suot ngay ", " 24 24 ", " 24/24 ")

_SERVICE_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "contract_end",
        (
            "cham dut hop dong",
            "thanh ly hop dong",
            "huy hop dong",
            "cat hop dong",
            "ket thuc hop dong",
        ),
    ),
    (
        "suspension",
        (
            "tam ngung su dung",
            "tam ngung dung dien",
            "tam dung dung dien",
            "ngung su dung dien",
            "ngung cap dien tam thoi",
            "tam ngung hop dong",
            "tam dung hop dong",
            "tam ngung cap dien theo yeu cau",
            # Asking for it: "đăng ký tạm ngừng cấp điện" (a bare "tạm ngừng cấp điện" is also
            # how planned outages are announced).
            "dang ky tam ngung",
            "dang ky tam dung",
            "xin tam ngung",
            "xin tam dung",
            "thu tuc tam ngung",
            "yeu cau tam ngung",
            "de nghi tam ngung",
            "muon tam ngung",
            "can tam ngung",
        ),
    ),
    (
        "meter_inspection",
        ("kiem dinh", "kiem tra cong to", "kiem tra lai cong to", "kiem tra giup cong to"),
    ),
    (
        "meter_relocation",
        (
            "di doi cong to",
            "doi cong to",
            "chuyen cong to",
            "di chuyen cong to",
            "chuyen vi tri cong to",
            "doi vi tri cong to",
        ),
    ),
    (
        "contract_change",
        (
            "doi ten",
            "sang ten",
            "chuyen ten",
            "thay doi hop dong",
            "tang cong suat",
            "nang cong suat",
            "thay doi muc dich",
            "doi muc dich",
            "dinh muc",
            "doi chu hop dong",
            "1 pha sang 3 pha",
        ),
    ),
    (
        "new_connection",
        (
            "lap dien",
            "lap cong to",
            "lap dat dien",
            "lap dat cong to",
            "cap dien moi",
            "dang ky dien moi",
            "gan cong to",
            "gan them",
            "lap them",
            "dang ky cap dien",
            "xin cap dien",
            "thu tuc cap dien",
            "cong to moi",
        ),
    ),
)


def extract_entities(
    original: str, normalized: str, today: date, areas: Sequence[str]
) -> dict[str, object]:
    """Every entity found in a message; `normalized` is the output of `normalize(original)`."""
    entities: dict[str, object] = {}
    # Customer codes, request ids and phone numbers all hold digits.
    has_digits = _DIGIT.search(original, 0, MAX_CHARS) is not None
    upper = unicodedata.normalize("NFC", original[:MAX_CHARS]).upper() if has_digits else ""
    code = _customer_code(upper) if has_digits else None
    if code is not None:
        entities["customer_code"] = code
    tokens = normalized.split()
    amounts = find_amounts(tokens)
    appliance = _appliance(normalized, tokens, amounts)
    kwh = _first(amounts, AmountKind.KWH, tokens, appliance is None)
    if kwh is not None:
        entities["kwh"] = _plain_number(kwh)
    money = _first(amounts, AmountKind.MONEY, tokens, kw_is_kwh=False)
    if money is not None:
        entities["money"] = int(money)
    month = find_month(normalized, today)
    if month is not None:
        entities["month"] = month
    day = find_date(normalized, today)
    if day is not None:
        entities["date"] = day
    if areas:
        place = find_place(tokens, areas)
        if place is not None:
            entities["area"] = place.name
            if place.areas != (place.name,):
                entities["areas"] = list(place.areas)
    if appliance is not None:
        entities["appliance"] = appliance
    service = _service_type(normalized)
    if service is not None:
        entities["service_type"] = service
    request = _REQUEST_ID.search(upper) if has_digits else None
    if request is not None:
        entities["request_id"] = f"YC{request.group(1)}"
    phone = _phone(original[:MAX_CHARS]) if has_digits else None
    if phone is not None:
        entities["phone"] = phone
    return entities


def _customer_code(upper: str) -> str | None:
    for match in _CUSTOMER_CODE.finditer(upper):
        code = _CODE_SEPARATORS.sub("", match.group(0))
        if sum(character.isdigit() for character in code) >= _MIN_DIGITS_IN_CODE:
            return code
    return None


def _phone(text: str) -> str | None:
    for match in _PHONE.finditer(text):
        digits = _NOT_DIGITS.sub("", match.group(0))
        if digits.startswith("84"):
            digits = "0" + digits[2:]
        if len(digits) == 10 and digits[1] in _MOBILE_PREFIXES:
            return digits
    return None


def _first(
    amounts: list[Amount], kind: AmountKind, tokens: list[str], kw_is_kwh: bool
) -> Decimal | None:
    """The first amount of a kind; a bare "kW" counts as kWh when no appliance is named.

    One kWh is no consumption: "một số" is "some", "giá 1 số" the price of a unit.
    """
    for amount in amounts:
        if kind is AmountKind.KWH and amount.value == 1:
            continue
        if amount.kind is kind:
            return amount.value
        is_kw = amount.end < len(tokens) and tokens[amount.end] == "kw"
        if kind is AmountKind.KWH and kw_is_kwh and amount.kind is AmountKind.PLAIN and is_kw:
            return amount.value
    return None


def _plain_number(value: Decimal) -> float:
    return float(value)


def _appliance(
    normalized: str, tokens: list[str], amounts: list[Amount]
) -> dict[str, object] | None:
    """The first appliance named, with its power, daily hours and quantity when given."""
    padded = f" {normalized} "
    found = _APPLIANCE.search(padded)
    if found is None:
        return None
    position, name = found.start(), _APPLIANCE_NAMES[found.group(1)]
    start_token = padded[:position].count(" ")
    watts: int | None = None
    hours: float | None = None
    quantity: int | None = None
    for amount in amounts:
        unit = tokens[amount.end] if amount.end < len(tokens) else ""
        if watts is None and unit in _WATT_UNITS:
            watts = _whole(amount.value * _WATT_UNITS[unit])
        elif watts is None and unit in ("hp", "ngua", "mang"):
            watts = _whole(amount.value * _HORSEPOWER_WATTS)
        elif watts is None and unit == "btu":
            watts = _whole(amount.value * _HORSEPOWER_WATTS / _BTU_PER_HORSEPOWER)
        elif hours is None and unit in _HOURS_UNITS:
            hours = float(amount.value * _HOURS_UNITS[unit])
        elif quantity is None and _counts(amount, tokens, start_token):
            quantity = int(amount.value)
    if hours is None and any(marker in padded for marker in _ALL_DAY):
        hours = 24.0
    return {"name": name, "watts": watts, "hours_per_day": hours, "quantity": quantity}


def _counts(amount: Amount, tokens: list[str], name_start: int) -> bool:
    """Whether the number sits right before the appliance name ("2 máy lạnh", "3 cái quạt")."""
    if amount.end > name_start:
        return False
    between = tokens[amount.end : name_start]
    return (
        len(between) <= 1
        and all(word in _QUANTITY_WORDS for word in between)
        and (amount.value == int(amount.value) and 0 < amount.value < 1000)
    )


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# One pattern per service type: any of its phrases, as whole words.
_SERVICE_PATTERNS = tuple(
    (service, re.compile(" (?:" + "|".join(map(re.escape, phrases)) + ") "))
    for service, phrases in _SERVICE_TYPES
)


# A bare "tạm ngừng cấp điện" is a suspension unless it names an announced one ("lịch tạm
# ngừng cấp điện", "thông báo ...", "có tạm ngừng cấp điện không").
_BARE_SUSPENSION = re.compile(r" (?:tam ngung|tam dung) (?:cung cap dien|cap dien) ")
_ANNOUNCED = re.compile(r"(?: lich| thong bao| ke hoach| co| se| bi| dang)$")


def _service_type(normalized: str) -> str | None:
    padded = f" {normalized} "
    for service, pattern in _SERVICE_PATTERNS:
        if pattern.search(padded):
            return service
    bare = _BARE_SUSPENSION.search(padded)
    if bare is not None and not _ANNOUNCED.search(padded, 0, bare.start()):
        return "suspension"
    return None
