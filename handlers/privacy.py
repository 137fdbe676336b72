"""Masking of personal data before anything is logged or stored in the conversation log."""

from __future__ import annotations

import re
from collections.abc import Iterable

from meters.records import CustomerDetails

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,9}(?!\d)")
_CUSTOMER_CODE = re.compile(r"\b(P[A-Z][A-Z0-9]{4})[A-Z0-9]{5,7}\b", re.IGNORECASE)
_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")
_KEEP_PHONE_DIGITS = 3


def mask_phone(phone: str) -> str:
    """A phone number with all but its last three digits hidden: 0903123456 -> *******456."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= _KEEP_PHONE_DIGITS:
        return "*" * len(digits)
    return "*" * (len(digits) - _KEEP_PHONE_DIGITS) + digits[-_KEEP_PHONE_DIGITS:]


def mask_text(text: str, personal: Iterable[str] = ()) -> str:
    """`text` with phones, customer codes, one-time codes and the given strings masked."""
    for value in sorted({value for value in personal if len(value) >= 4}, key=len, reverse=True):
        text = text.replace(value, "[…]")
    text = _PHONE.sub(lambda match: mask_phone(match.group(0)), text)
    text = _CUSTOMER_CODE.sub(lambda match: match.group(1).upper() + "*******", text)
    return _SIX_DIGITS.sub("******", text)


def personal_strings(customers: Iterable[CustomerDetails]) -> list[str]:
    """What to mask of these customers besides the patterns: names, addresses, phones."""
    strings: list[str] = []
    for customer in customers:
        strings.extend((customer.name, customer.address, customer.phone))
    return strings
