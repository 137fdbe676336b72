"""Parsers of single CSV values; each returns the stored value or raises FieldError."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from meters.importer.errors import FieldError

_DECIMAL = re.compile(r"(\d+)(?:\.(\d+))?", re.ASCII)
_WHOLE = re.compile(r"\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_CUSTOMER_CODE = re.compile(r"P[A-Z][A-Z0-9]{9,11}", re.ASCII)
_MOBILE = re.compile(r"0[35789]\d{8}", re.ASCII)
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*", re.ASCII)

ENERGY_PLACES = 3
# The widest whole parts the store keeps: 15 digits of kWh are far beyond any meter register and
# their watt-hours still fit a BIGINT (< 2**63); amounts of đồng likewise.
ENERGY_DIGITS = 15
MONEY_DIGITS = 15
_FRACTION_SCALE = (0, 100, 10, 1)  # thousandths per unit of a 1-, 2- or 3-digit fraction


def required(text: str) -> str:
    """The value without surrounding spaces; refuses an empty value."""
    value = text.strip()
    if not value:
        raise FieldError("is required")
    return value


def parse_text(text: str, max_length: int) -> str:
    """A required free text of at most `max_length` characters."""
    value = required(text)
    if any(ord(character) < 32 for character in value):
        raise FieldError("contains control characters")
    if len(value) > max_length:
        raise FieldError(f"is {len(value)} characters long, at most {max_length} are allowed")
    return value


def parse_optional_text(text: str, max_length: int) -> str | None:
    """An optional free text; empty means none."""
    return parse_text(text, max_length) if text.strip() else None


def parse_key(text: str, max_length: int = 32) -> str:
    """An identifier: letters, digits and `_ . - /`, no spaces."""
    if _SLUG.fullmatch(text) and len(text) <= max_length:  # the common case, cheaply
        return text
    value = parse_text(text, max_length)
    if not _SLUG.fullmatch(value):
        raise FieldError(f"{value!r} may hold only letters, digits and _ . - /")
    return value


def _shown(value: str) -> str:
    """A value as a report quotes it: a long one cut short."""
    return value if len(value) <= 40 else f"{value[:20]}…({len(value)} characters)"


def _number_problem(value: str, places: int, whole_digits: int) -> FieldError | None:
    """What is wrong with a decimal text, or None when it is a valid non-negative number."""
    match = _DECIMAL.fullmatch(value)
    if match is None:
        if value.startswith("-") and _DECIMAL.fullmatch(value[1:]):
            return FieldError(f"{_shown(value)} is negative")
        return FieldError(f"{_shown(value)!r} is not a number (use digits and a decimal point)")
    if len(match[1].lstrip("0")) > whole_digits:
        return FieldError(f"{_shown(value)} is too large (at most {whole_digits} digits)")
    if match[2] is not None and len(match[2]) > places:
        return FieldError(f"{_shown(value)} has more than {places} decimals")
    return None


def parse_decimal(text: str, places: int, *, whole_digits: int, positive: bool = False) -> Decimal:
    """A non-negative decimal with at most `whole_digits` digits before the point and `places`
    after it (point as separator)."""
    value = required(text)
    problem = _number_problem(value, places, whole_digits)
    if problem is not None:
        raise problem
    number = Decimal(value)
    if positive and number == 0:
        raise FieldError(f"{value} must be greater than 0")
    return number


def parse_energy_wh(text: str) -> int:
    """A kWh value with at most 3 decimals, as integer watt-hours."""
    whole, point, fraction = text.partition(".")
    if whole.isascii() and whole.isdigit() and len(whole) <= ENERGY_DIGITS:  # the common case
        if not point:
            return int(whole) * 1000
        if fraction.isascii() and fraction.isdigit() and len(fraction) <= ENERGY_PLACES:
            return int(whole) * 1000 + int(fraction) * _FRACTION_SCALE[len(fraction)]
    value = text.strip()
    match = _DECIMAL.fullmatch(value)
    problem = _number_problem(value, ENERGY_PLACES, ENERGY_DIGITS) if value else None
    if match is None or problem is not None:
        raise problem or FieldError("is required")
    return int(match[1]) * 1000 + int((match[2] or "").ljust(ENERGY_PLACES, "0"))


def parse_optional_energy_wh(text: str) -> int | None:
    """Like `parse_energy_wh`, empty meaning none."""
    return parse_energy_wh(text) if text.strip() else None


def parse_money(text: str) -> int:
    """A whole, non-negative amount of đồng without separators."""
    value = required(text)
    if value.startswith("-") and _WHOLE.fullmatch(value[1:]):
        raise FieldError(f"{value} is negative")
    if not _WHOLE.fullmatch(value):
        raise FieldError(
            f"{_shown(value)!r} is not a whole number of đồng (no separators, no decimals)"
        )
    if len(value.lstrip("0")) > MONEY_DIGITS:
        raise FieldError(f"{_shown(value)} is too large (at most {MONEY_DIGITS} digits)")
    return int(value)


def parse_whole(text: str, low: int, high: int) -> int:
    """A whole number between `low` and `high` inclusive."""
    value = required(text)
    if not _WHOLE.fullmatch(value.removeprefix("-")):
        raise FieldError(f"{_shown(value)!r} is not a whole number")
    if len(value.lstrip("-0")) > max(len(str(low)), len(str(high))):
        raise FieldError(f"{_shown(value)} is outside {low}–{high}")
    number = int(value)
    if not low <= number <= high:
        raise FieldError(f"{number} is outside {low}–{high}")
    return number


def parse_coordinate(text: str, limit: int) -> float:
    """A latitude or longitude in decimal degrees within ±`limit`."""
    value = required(text)
    if not re.fullmatch(r"-?\d{1,3}(?:\.\d{1,9})?", value, re.ASCII):
        raise FieldError(f"{value!r} is not a coordinate in decimal degrees")
    number = float(value)
    if abs(number) > limit:
        raise FieldError(f"{value} is outside ±{limit}")
    return number


def parse_choice(text: str, choices: Collection[str]) -> str:
    """One of the allowed values (case-insensitive, stored in lower case)."""
    value = required(text).lower()
    if value not in choices:
        raise FieldError(f"{value!r} is not one of {', '.join(sorted(choices))}")
    return value


def parse_date(text: str) -> date:
    """An ISO date `YYYY-MM-DD`."""
    value = required(text)
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a date YYYY-MM-DD") from None


def parse_optional_date(text: str) -> date | None:
    """Like `parse_date`, empty meaning none."""
    return parse_date(text) if text.strip() else None


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """An ISO date-time as an aware UTC datetime; without an offset it is local in `zone`."""
    value = required(text)
    try:
        if not _MOMENT.fullmatch(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a date-time YYYY-MM-DDTHH:MM[:SS][+07:00]") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise FieldError(f"{value!r} is out of range") from None


def parse_optional_moment(text: str, zone: tzinfo) -> datetime | None:
    """Like `parse_moment`, empty meaning none."""
    return parse_moment(text, zone) if text.strip() else None


def parse_customer_code(text: str) -> str:
    """A customer code like `PE01000012345` (spaces dropped, upper-cased)."""
    value = "".join(required(text).split()).upper()
    if not _CUSTOMER_CODE.fullmatch(value):
        raise FieldError(
            f"{value!r} is not a customer code (P, a letter, then 9–11 letters/digits)"
        )
    return value


def parse_phone(text: str) -> str:
    """A Vietnamese mobile number as 10 digits with a leading 0 (+84 and 84 accepted)."""
    value = required(text)
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise FieldError(
            f"{value!r} is not a Vietnamese mobile number (10 digits, 03/05/07/08/09)"
        )
    return digits


def to_decimal(value: object) -> Decimal:
    """A stored numeric value as a Decimal (SQLite may hand back floats or text)."""
    try:
        return Decimal(str(value))
    except InvalidOperation as error:  # pragma: no cover - the store holds numbers
        raise ValueError(f"not a number: {value!r}") from error
