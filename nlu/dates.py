"""Months and dates in normalised text, resolved against a given today (never the clock)."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH_WORDS = {
    "gieng": 1,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "muoi mot": 11,
    "muoi hai": 12,
    "chap": 12,
}
_WEEKDAYS = {
    "2": 0,
    "hai": 0,
    "3": 1,
    "ba": 1,
    "4": 2,
    "tu": 2,
    "5": 3,
    "nam": 3,
    "6": 4,
    "sau": 4,
    "7": 5,
    "bay": 5,
}
_RELATIVE_DAYS = (
    (re.compile(r" (?:hom|bua) nay "), 0),
    (re.compile(r" (?:hom|bua) qua "), -1),
    (re.compile(r" (?:hom|bua) kia "), -2),
    (re.compile(r" ngay (?:kia|mot) "), 2),
    (re.compile(r" (?:ngay|sang|trua|chieu|toi|dem)? ?mai (?!mot )"), 1),
)
_ENGLISH_DAYS = (
    (re.compile(r" (?:the )?day after tomorrow "), 2),
    (re.compile(r" (?:today|tonight) "), 0),
    (re.compile(r" yesterday "), -1),
    (re.compile(r" tomor+ow "), 1),  # normalising squeezes the "rr"
)
# Each pattern of `_RELATIVE_DAYS` needs one of these; of `_ENGLISH_DAYS`, "to" or "yesterday".
_RELATIVE_DAY_WORDS = (" nay ", " qua ", " kia ", " mot ", "mai ")
_ENGLISH_DAY_WORDS = (" to", "yesterday ")
_MONTH_YEAR = re.compile(r" (?:thang )?(\d{1,2})[/-](\d{4}) ")
_MONTH_NUMBER_YEAR = re.compile(r" thang (\d{1,2}) nam (\d{4}) ")
_MONTH_LAST_YEAR = re.compile(r" thang (\d{1,2}) nam (?:ngoai|truoc|roi) ")
_MONTH_NUMBER = re.compile(r" thang (\d{1,2}) (?!\d)")
_MONTH_WORD = re.compile(
    r" thang (muoi mot|muoi hai|gieng|chap|mot|hai|ba|tu|bon|nam|sau|bay|tam|chin|muoi) "
)
_MONTH_RELATIVE = re.compile(r" thang (nay|truoc|sau|toi|ke tiep) ")
_DAY_MONTH = re.compile(r" (?:ngay )?(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))? ")
_DAY_OF_MONTH = re.compile(r" ngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))? ")
# "tiêu thụ 7 ngày qua" is no Saturday: "thu" after "tieu", or a number of days, is not a weekday.
_WEEKDAY = re.compile(
    r"(?<! tieu) (?:thu (2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|(chu nhat|cn))"
    r"(?: (?:(tuan) )?(nay|sau|toi|truoc|qua))? (?!ngay (?:qua|vua|gan|truoc) )"
)
_MONTH_OFFSETS = {"nay": 0, "truoc": -1, "sau": 1, "toi": 1, "ke tiep": 1}
_ENGLISH_MONTH_RELATIVE = re.compile(r" (this|last|previous|next) month ")
_ENGLISH_MONTH_OFFSETS = {"this": 0, "last": -1, "previous": -1, "next": 1}
_ENGLISH_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "april": 4,
    "apr": 4,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# "may" alone is too common a Vietnamese word once folded (máy, mấy): only "in/of may".
_ENGLISH_MONTH = re.compile(
    r" (?:(" + "|".join(_ENGLISH_MONTHS) + r")|(?:in|of) (may))(?: (\d{4}))? "
)
_WEEK_OFFSETS = {"nay": 0, "sau": 1, "toi": 1, "truoc": -1, "qua": -1}
_HALF_YEAR_DAYS = 183


def find_month(text: str, today: date) -> str | None:
    """The month the text names, as YYYY-MM, or None."""
    padded = f" {text} "
    # Every pattern of `_vietnamese_month` needs "tháng" or a date written with "/" or "-".
    no_month = " thang " not in padded and "/" not in padded and "-" not in padded
    if no_month:
        return _english_month(padded, today)
    if _DAY_OF_MONTH.search(padded):
        return None
    return _vietnamese_month(padded, today) or _english_month(padded, today)


def _vietnamese_month(padded: str, today: date) -> str | None:
    """ "tháng 10", "10/2026", "tháng 5 năm ngoái", "tháng trước", "tháng chạp"."""
    match = _MONTH_NUMBER_YEAR.search(padded) or _MONTH_YEAR.search(padded)
    if match:
        return _month_text(int(match.group(2)), int(match.group(1)))
    match = _MONTH_LAST_YEAR.search(padded)
    if match:
        return _month_text(today.year - 1, int(match.group(1)))
    match = _MONTH_RELATIVE.search(padded)
    if match:
        return _shifted_month(today, _MONTH_OFFSETS[match.group(1)])
    match = _MONTH_NUMBER.search(padded)
    month = int(match.group(1)) if match else None
    if month is None:
        word = _MONTH_WORD.search(padded)
        month = _MONTH_WORDS[word.group(1)] if word else None
    if month is None or not 1 <= month <= 12:
        return None
    year = today.year if month <= today.month else today.year - 1
    return _month_text(year, month)


def find_date(text: str, today: date) -> str | None:
    """The day the text names, as YYYY-MM-DD, or None."""
    padded = f" {text} "
    if any(word in padded for word in _RELATIVE_DAY_WORDS):
        for pattern, offset in _RELATIVE_DAYS:
            if pattern.search(padded):
                return (today + timedelta(days=offset)).isoformat()
    if any(word in padded for word in _ENGLISH_DAY_WORDS):
        for pattern, offset in _ENGLISH_DAYS:
            if pattern.search(padded):
                return (today + timedelta(days=offset)).isoformat()
    match = _DAY_OF_MONTH.search(padded) or _DAY_MONTH.search(padded)
    if match:
        found = _calendar_day(match.group(1), match.group(2), match.group(3), today)
        if found is not None:
            return found.isoformat()
    match = _WEEKDAY.search(padded)
    if match:
        weekday = 6 if match.group(2) else _WEEKDAYS[match.group(1)]
        weeks = _WEEK_OFFSETS.get(match.group(4) or "nay", 0)
        monday = today - timedelta(days=today.weekday())
        return (monday + timedelta(days=7 * weeks + weekday)).isoformat()
    return None


def _english_month(padded: str, today: date) -> str | None:
    """ "last month", "this month", "october", "in may 2026"."""
    if " month " in padded:
        relative = _ENGLISH_MONTH_RELATIVE.search(padded)
        if relative:
            return _shifted_month(today, _ENGLISH_MONTH_OFFSETS[relative.group(1)])
    named = _ENGLISH_MONTH.search(padded)
    if named is None:
        return None
    month = _ENGLISH_MONTHS.get(named.group(1) or "", 5)
    if named.group(3):
        return _month_text(int(named.group(3)), month)
    return _month_text(today.year if month <= today.month else today.year - 1, month)


def _shifted_month(today: date, months: int) -> str:
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_text(year: int, month: int) -> str | None:
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    return f"{year:04d}-{month:02d}"


def _calendar_day(day: str, month: str, year: str | None, today: date) -> date | None:
    """A day and month, with the year given or the one that puts it nearest to today."""
    try:
        if year is not None:
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            return date(full_year, int(month), int(day))
        candidate = date(today.year, int(month), int(day))
    except ValueError:
        return None
    if (candidate - today).days > _HALF_YEAR_DAYS:
        return _shift_year(candidate, -1)
    if (today - candidate).days > _HALF_YEAR_DAYS:
        return _shift_year(candidate, 1)
    return candidate


def _shift_year(day: date, years: int) -> date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return None
