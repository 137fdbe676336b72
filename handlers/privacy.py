"""Masking of personal data: what the conversation log keeps, and what agents read.

Who may see what (docs/agents.md, "What is masked, for whom"):
- a one-time code: nobody, anywhere (the log, the console, the Telegram agent group);
- the conversation log keeps no personal data: phone numbers of people, customer codes (the
  unit's prefix stays) and the linked customers' names and addresses are masked. The linked
  customers' values become placeholders naming the customer's row (`[KH#12:tên]`), which a
  handoff fills in again for the agent who serves that customer (`restore_linked`);
- public things stay readable everywhere: hotlines and toll-free numbers, request and case
  codes (YC2026-000123), amounts, readings, dates and times.

Each kind is recognised by its shape: phone numbers with `phonenumbers` (valid Vietnamese
numbers; premium-rate, toll-free and shared-cost ones are hotlines, not people), customer codes
as the NLU reads them, one-time codes as six digits standing alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from phonenumbers import (
    Leniency,
    PhoneNumberFormat,
    PhoneNumberMatcher,
    PhoneNumberType,
    format_number,
    number_type,
)
from phonenumbers import parse as parse_phone
from phonenumbers.phonenumberutil import NumberParseException

from meters.records import CustomerDetails

REGION = "VN"
# Numbers that belong to a company's switchboard, not to a person.
PUBLIC_NUMBER_TYPES = frozenset(
    {
        PhoneNumberType.PREMIUM_RATE,  # 1900 …
        PhoneNumberType.TOLL_FREE,  # 1800 …
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)
ONE_TIME_CODE_MASK = "******"
PERSONAL_MASK = "[…]"
# Which value of a linked customer a placeholder stands for, as the log and the agent read it.
KIND_LABELS = {"code": "mã", "name": "tên", "address": "địa chỉ", "phone": "SĐT"}
_KINDS_OF_LABELS = {label: kind for kind, label in KIND_LABELS.items()}
_PLACEHOLDER = re.compile(r"\[KH#(\d+):(" + "|".join(KIND_LABELS.values()) + r")\]")
_KEEP_PHONE_DIGITS = 3
_CODE_PREFIX = 6  # a customer code keeps its unit (PE0400)
_MIN_PERSONAL_CHARS = 4
_MIN_DIGITS_IN_CODE = 5

# Where a phone number may be: +84, 84, 0, 1800 or 1900 and more digits, not inside a word
# (a customer code) or a number (an amount). `phonenumbers` then decides on that stretch alone:
# its matcher over a whole message costs milliseconds, over a stretch some microseconds.
_PHONE_STRETCH = re.compile(r"(?<![\w+.,])(?:\+\s?84|84|0|1[89]00)(?:[\s.\-()]{0,2}\d){4,11}")
# The NLU's shape of a customer code (nlu/entities.py): P, a letter, 9-11 more, separators.
_CUSTOMER_CODE = re.compile(
    r"(?<![A-Z0-9])P ?[A-Z](?:[ .-]?[A-Z0-9]){9,11}(?![A-Z0-9])", re.IGNORECASE
)
_CODE_SEPARATORS = re.compile(r"[ .-]")
_REQUEST_CODE = re.compile(r"(?<![A-Z0-9])YC[ -]?\d{2,12}(?:-\d{1,12})?(?![\d-])", re.IGNORECASE)
# Six digits alone: not inside a longer number, a code, an amount (1.234.567) or a date, and
# not a quantity (123456 kWh, 123456 đ, chỉ số 123456 số).
_ONE_TIME_CODE = re.compile(
    r"(?<![\w\-/:])(?<!\d[.,])\d{6}(?![\w\-/:]|[.,]\d|\s?(?:kwh|kw|wh|đ|đồng|vnđ|vnd|số|%)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PersonalValue:
    """One value of a linked customer that the log must not keep: its kind and whose it is."""

    kind: str  # "code" | "name" | "address" | "phone"
    value: str
    customer_id: int


# What to show for a linked customer's value: (the value, the text found) -> the replacement.
_Shown = Callable[[PersonalValue, str], str]


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    replacement: str


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
_UNITS = frozenset({"kwh", "kw", "wh", "mwh", "vnđ", "vnd", "đ", "đồng", "v", "kv", "a"})


def mask_phone(phone: str) -> str:
    """A phone number with all but its last three digits hidden: 0903123456 -> *******456."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= _KEEP_PHONE_DIGITS:
        return "*" * len(digits)
    return "*" * (len(digits) - _KEEP_PHONE_DIGITS) + digits[-_KEEP_PHONE_DIGITS:]


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
    return " ".join([PERSONAL_MASK + ending, *words[count:]])


def _name_words(match: re.Match[str]) -> str:
    """A name cue with the name after it masked (after "tên" the name may be lower case)."""
    if _PLACEHOLDER.match(match["words"]):
        return match.group(0)  # the linked customer's own name, already a placeholder
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


def _address_words(match: re.Match[str]) -> str:
    """An address cue with the rest of the sentence masked, unless what follows is a linked
    customer's address already written as its placeholder (the agent may read that one)."""
    if _PLACEHOLDER.match(match["rest"]):
        return match.group(0)
    return match["cue"] + PERSONAL_MASK


def mask_typed_details(text: str) -> str:
    """`text` with the e-mail addresses, ID numbers, names and addresses a customer typed
    masked (the conversation log keeps none of them)."""
    text = _EMAIL.sub("***@***", text)
    text = _ID_NUMBER.sub(lambda match: mask_phone(match.group(0)), text)
    text = _ADDRESS_CUE.sub(_address_words, text)
    text = _STREET.sub(_street_words, text)
    return _NAME_CUE.sub(_name_words, text)


def mask_customer_code(code: str) -> str:
    """A customer code with its unit kept: PE04003479681 -> PE0400*******."""
    plain = _CODE_SEPARATORS.sub("", code).upper()
    return plain[:_CODE_PREFIX] + "*" * (len(plain) - _CODE_PREFIX)


def personal_strings(customers: Iterable[CustomerDetails]) -> list[PersonalValue]:
    """What the log must not keep of these (linked) customers: code, name, address, phone."""
    values: list[PersonalValue] = []
    for customer in customers:
        values.extend(
            PersonalValue(kind, value, customer.id)
            for kind, value in (
                ("code", customer.customer_code),
                ("name", customer.name),
                ("address", customer.address),
                ("phone", customer.phone),
            )
            if value
        )
    return values


def mask_text(
    text: str, personal: Iterable[PersonalValue | str] = (), *, pseudonyms: bool = True
) -> str:
    """`text` as the conversation log keeps it: people's phones, customer codes, one-time codes
    and the given personal values masked; hotlines, request codes and amounts as they are.

    A linked customer's value (a `PersonalValue`) becomes its placeholder (`[KH#12:tên]`), or
    with `pseudonyms=False` (a place that never fills them in) the masked form of its kind.
    """
    values = [
        value if isinstance(value, PersonalValue) else PersonalValue("name", value, 0)
        for value in personal
    ]
    linked = [value for value in values if value.customer_id]

    def shown(value: PersonalValue, original: str) -> str:
        if pseudonyms and value.customer_id:
            return f"[KH#{value.customer_id}:{KIND_LABELS[value.kind]}]"
        if value.kind == "code":
            return mask_customer_code(original)
        if value.kind == "phone":
            return mask_phone(original)
        return PERSONAL_MASK

    text = mask_typed_details(_mask_strings(text, values, shown))
    return _with_codes_masked(text, _chosen(_recognised(text, linked, shown)))


def mask_one_time_codes(text: str) -> str:
    """`text` with one-time codes hidden and nothing else changed (what an agent may read):
    the six digits of a hotline, a request code or a phone number are not a code."""
    spans = _recognised(text, [], lambda _, original: original)
    kept = [_Span(span.start, span.end, text[span.start : span.end]) for span in spans]
    return _with_codes_masked(text, _chosen(kept))


def _with_codes_masked(text: str, spans: list[_Span]) -> str:
    """The spans replaced, and one-time codes masked between them."""
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces.append(_ONE_TIME_CODE.sub(ONE_TIME_CODE_MASK, text[cursor : span.start]))
        pieces.append(span.replacement)
        cursor = span.end
    pieces.append(_ONE_TIME_CODE.sub(ONE_TIME_CODE_MASK, text[cursor:]))
    return "".join(pieces)


def restore_linked(text: str, customers: Iterable[CustomerDetails]) -> str:
    """A log line with the placeholders of these customers filled in again (for the agent who
    serves them); a placeholder of any other customer stays."""
    by_id = {customer.id: customer for customer in customers}

    def value(match: re.Match[str]) -> str:
        customer = by_id.get(int(match.group(1)))
        if customer is None:
            return match.group(0)
        kind = _KINDS_OF_LABELS[match.group(2)]
        return {
            "code": customer.customer_code,
            "name": customer.name,
            "address": customer.address,
            "phone": customer.phone,
        }[kind] or match.group(0)

    return _PLACEHOLDER.sub(value, text)


# --- recognising -------------------------------------------------------------------------------


def _mask_strings(text: str, values: list[PersonalValue], shown: _Shown) -> str:
    """Names, addresses and phones as stored (and any plain string) wherever they occur,
    whatever their case; phones written otherwise are recognised as numbers later."""
    words = [value for value in values if value.kind != "code"]
    folded = text.casefold()
    for value in sorted(words, key=lambda value: len(value.value), reverse=True):
        wanted = value.value.strip()
        if len(wanted) < _MIN_PERSONAL_CHARS or wanted.casefold() not in folded:
            continue
        text = _pattern(wanted).sub(functools.partial(_shown_match, shown, value), text)
        folded = text.casefold()
    return text


def _recognised(text: str, linked: list[PersonalValue], shown: _Shown) -> Iterator[_Span]:
    """Every request code, customer code and phone number of `text`, with what to show."""
    for match in _REQUEST_CODE.finditer(text):
        yield _Span(match.start(), match.end(), match.group(0))
    codes = {value.value.upper(): value for value in linked if value.kind == "code"}
    for match in _CUSTOMER_CODE.finditer(text):
        code = _CODE_SEPARATORS.sub("", match.group(0)).upper()
        if sum(character.isdigit() for character in code) < _MIN_DIGITS_IN_CODE:
            continue
        own = codes.get(code)
        shown_code = shown(own, match.group(0)) if own else mask_customer_code(code)
        yield _Span(match.start(), match.end(), shown_code)
    stretches = list(_PHONE_STRETCH.finditer(text))
    phones = {_e164(value.value): value for value in linked if value.kind == "phone" and stretches}
    for stretch in stretches:
        offset = stretch.start()
        for number in _numbers_in(stretch.group(0)):
            start, end = offset + number.start, offset + number.end
            if number.public:
                yield _Span(start, end, number.raw)
                continue
            own = phones.get(number.e164)
            yield _Span(start, end, shown(own, number.raw) if own else mask_phone(number.raw))


@dataclass(frozen=True, slots=True)
class _Number:
    start: int
    end: int
    raw: str
    e164: str
    public: bool


@functools.lru_cache(maxsize=4096)  # the bot's own texts repeat their hotlines
def _numbers_in(stretch: str) -> tuple[_Number, ...]:
    """The valid phone numbers of a short stretch of text."""
    return tuple(
        _Number(
            found.start,
            found.end,
            found.raw_string,
            format_number(found.number, PhoneNumberFormat.E164),
            number_type(found.number) in PUBLIC_NUMBER_TYPES,
        )
        for found in PhoneNumberMatcher(stretch, REGION, leniency=Leniency.VALID)
    )


@functools.lru_cache(maxsize=4096)
def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(re.escape(value), re.IGNORECASE)


def _shown_match(shown: _Shown, value: PersonalValue, match: re.Match[str]) -> str:
    return shown(value, match.group(0))


def _chosen(spans: Iterable[_Span]) -> list[_Span]:
    """The spans in order, without overlaps: the earliest wins, then the longest."""
    chosen: list[_Span] = []
    for span in sorted(spans, key=lambda span: (span.start, -span.end)):
        if not chosen or span.start >= chosen[-1].end:
            chosen.append(span)
    return chosen


@functools.lru_cache(maxsize=4096)
def _e164(phone: str) -> str | None:
    try:
        return format_number(parse_phone(phone, REGION), PhoneNumberFormat.E164)
    except NumberParseException:
        return None
