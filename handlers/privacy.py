"""Masking of personal data before anything is logged or stored in the conversation log."""

from __future__ import annotations

import re
from collections.abc import Iterable

from meters.records import CustomerDetails

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,9}(?!\d)")
_CUSTOMER_CODE = re.compile(r"\b(P[A-Z][A-Z0-9]{4})[A-Z0-9]{5,7}\b", re.IGNORECASE)
_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")
_KEEP_PHONE_DIGITS = 3
# What a customer may type about themselves (issue 20): e-mail addresses, ID card numbers
# (CMND 9 digits, CCCD 12), a name after "tên …"/"tôi là …" ("em là …" is how the bot and the
# agents speak of themselves), an address after "địa chỉ"/"nhà ở" (to the end of the
# sentence) or a house number and its street.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")
_NAME_CUE = re.compile(
    r"\b(?P<cue>(?:họ\s+(?:và\s+)?tên|tên(?:\s+(?:tôi|em|mình|của\s+tôi))?(?:\s+là)?"
    r"|(?:tôi|mình|cháu)\s+là)\s*:?\s+)(?P<words>\S+(?:\s+\S+){0,4})",
    re.IGNORECASE,
)
_ADDRESS_CUE = re.compile(
    r"\b(?P<cue>(?:địa\s+chỉ(?:\s+(?:nhà|của\s+tôi|là))*|số\s+nhà|(?:nhà|tôi|em|mình)"
    r"(?:\s+(?:tôi|em|mình))?\s+ở)\s*:?\s+)(?P<rest>[^.!?\n]+)",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"(?<![\w/.,])(?P<number>\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*\s+"
    r"(?:(?:đường|phố|ngõ|ngách|hẻm|kiệt)\s+)?)(?P<words>\w+(?:\s+\S+){0,4})"
)
_MASK = "[…]"
_UNITS = frozenset({"kwh", "kw", "wh", "mwh", "vnđ", "vnd", "đ", "đồng", "v", "kv", "a"})


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
    text = mask_typed_details(text)
    text = _PHONE.sub(lambda match: mask_phone(match.group(0)), text)
    text = _CUSTOMER_CODE.sub(lambda match: match.group(1).upper() + "*******", text)
    return _SIX_DIGITS.sub("******", text)


def _masked_run(words: list[str], *, any_case: bool) -> str | None:
    """The words with their leading name masked: the capitalised ones (any words up to four
    when `any_case`), up to the first that ends a clause; None when none is masked."""
    count = 0
    for word in words[:4] if any_case else words:
        if not (any_case or word[:1].isupper()):
            break
        count += 1
        if word[-1] in ",.;:!?":
            break
    if count == 0:
        return None
    ending = words[count - 1][-1] if words[count - 1][-1] in ",.;:!?" else ""
    return " ".join([_MASK + ending, *words[count:]])


def _name_words(match: re.Match[str]) -> str:
    """A name cue with the name after it masked (after "tên" the name may be lower case)."""
    any_case = match["cue"].lower().lstrip().startswith(("tên", "họ"))
    masked = _masked_run(match["words"].split(), any_case=any_case)
    return match.group(0) if masked is None else match["cue"] + masked


def _street_words(match: re.Match[str]) -> str:
    """A house number and the capitalised street name after it, masked (not a quantity)."""
    words = match["words"].split()
    if words[0].rstrip(",.;:!?").lower() in _UNITS:
        return match.group(0)
    masked = _masked_run(words, any_case=False)
    return match.group(0) if masked is None else masked


def mask_typed_details(text: str) -> str:
    """`text` with the e-mail addresses, ID numbers, names and addresses a customer typed
    masked (the conversation log keeps none of them)."""
    text = _EMAIL.sub("***@***", text)
    text = _ID_NUMBER.sub(lambda match: mask_phone(match.group(0)), text)
    text = _ADDRESS_CUE.sub(lambda match: match["cue"] + _MASK, text)
    text = _STREET.sub(_street_words, text)
    return _NAME_CUE.sub(_name_words, text)


def personal_strings(customers: Iterable[CustomerDetails]) -> list[str]:
    """What to mask of these customers besides the patterns: names, addresses, phones."""
    strings: list[str] = []
    for customer in customers:
        strings.extend((customer.name, customer.address, customer.phone))
    return strings
