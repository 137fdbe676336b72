"""Numbers as customers write them: digits, Vietnamese number words, money and kWh amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

_DIGITS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
# "tư" and "lăm" are 4 and 5 only in "hai mươi tư", "mười lăm"; alone they are other words.
_ONLY_AFTER_TENS = frozenset({"tu", "lam"})
_SKIPPED = frozenset({"linh", "le"})
_SCALES = {
    "nghin": 1000,
    "ngan": 1000,
    "ngin": 1000,
    "k": 1000,
    "trieu": 1_000_000,
    "tr": 1_000_000,
}
_SCALES_SLANG = {"cu": 1_000_000, "lit": 100_000, "xi": 10}
_MONEY_UNITS = frozenset({"d", "dong", "vnd", "vnđ"})
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")
_COMPACT_MILLIONS = re.compile(r"^(\d{1,6})tr(\d{1,3})$")
# Longer runs of digits are not amounts (and would overflow a float).
_MAX_DIGITS = 15
_MAX_TOKENS_IN_AMOUNT = 12
# "mươi"/"mười" and "chục" ("năm chục" is fifty) count tens.
_TENS = frozenset({"muoi", "chuc"})
_TENS_AND_HUNDREDS = _TENS | {"tram"}
_HALF = "ruoi"
# "2.500.000" with no unit is money from this amount up.
_MIN_BARE_MONEY = 10_000


class AmountKind(StrEnum):
    """What a number stands for."""

    MONEY = "money"
    KWH = "kwh"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class Amount:
    """A number found in the token list, with what it measures and where it ends."""

    kind: AmountKind
    value: Decimal
    start: int
    end: int


def parse_numeral(token: str) -> Decimal | None:
    """The value of a token of digits: "350", "1.5", "1,5", "2.500.000"; None otherwise."""
    if len(token) > _MAX_DIGITS:
        return None
    if _THOUSANDS.match(token):
        return Decimal(token.replace(".", "").replace(",", ""))
    if _DECIMAL.match(token):
        try:
            return Decimal(token.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            return None
    return None


def find_amounts(tokens: list[str]) -> list[Amount]:
    """Every number in the tokens, read as money, kWh or a plain number."""
    amounts: list[Amount] = []
    index = 0
    while index < len(tokens):
        word = tokens[index]
        if not word[0].isdigit() and word not in _NUMBER_START_WORDS:
            index += 1
            continue
        found = _read_amount(tokens, index)
        if found is None:
            index += 1
            continue
        amounts.append(found)
        index = found.end
    return amounts


# The words `_is_number_start` accepts, for skipping the others quickly.
_NUMBER_START_WORDS = frozenset(_TENS_AND_HUNDREDS | (_DIGITS.keys() - _ONLY_AFTER_TENS))


def _is_number_start(tokens: list[str], index: int) -> bool:
    word = tokens[index]
    if word[0].isdigit() or word in _TENS_AND_HUNDREDS:
        return True
    return word in _DIGITS and word not in _ONLY_AFTER_TENS


@dataclass(slots=True)
class _Reader:
    """The state of reading one number phrase, word by word."""

    total: Decimal = Decimal(0)
    group: Decimal = Decimal(0)
    last_digit: Decimal = Decimal(0)
    last_scale: Decimal = Decimal(0)
    saw_words: bool = False
    saw_digits: bool = False
    money: bool = False

    def take(self, word: str, previous: str) -> bool:
        """Absorb one word; False when the word is not part of the number."""
        compact = _COMPACT_MILLIONS.match(word)
        if compact is not None:
            return self._compact(compact.group(1), compact.group(2))
        numeral = parse_numeral(word)
        if numeral is not None:
            return self._numeral(numeral)
        return self._word(word, previous)

    def _numeral(self, numeral: Decimal) -> bool:
        if self.saw_words or (self.saw_digits and self.group):
            return False
        self.group, self.last_digit, self.saw_digits = numeral, Decimal(0), True
        return True

    def _word(self, word: str, previous: str) -> bool:
        if word in _DIGITS:
            return self._digit(word, previous)
        if word in _TENS_AND_HUNDREDS:
            self._tens_or_hundreds(word)
            return True
        if word in _SKIPPED:
            return self.saw_words
        if word in _SCALES or (word in _SCALES_SLANG and self.group):
            self._scale(Decimal(_SCALES.get(word) or _SCALES_SLANG[word]))
            return True
        if word == _HALF and self.last_scale:
            self.total += self.last_scale / 2
            self.last_scale = Decimal(0)
            return True
        return False

    def _compact(self, millions: str, fraction: str) -> bool:
        """ "1tr2": one million two hundred thousand."""
        if self.saw_words or self.saw_digits:
            return False
        self.total += Decimal(millions) * 1_000_000 + Decimal(fraction) * 10 ** (6 - len(fraction))
        self.money, self.saw_digits, self.last_scale = True, True, Decimal(1_000_000)
        return True

    def _digit(self, word: str, previous: str) -> bool:
        if self.saw_digits and self.group:
            return False
        if word in _ONLY_AFTER_TENS and previous not in _TENS_AND_HUNDREDS:
            return False
        self.group += _DIGITS[word]
        self.last_digit = Decimal(_DIGITS[word])
        self.saw_words = True
        return True

    def _tens_or_hundreds(self, word: str) -> None:
        if word in _TENS:
            self.group += self.last_digit * 9 if self.last_digit else 10
        else:
            self.group = self.group - self.last_digit + (self.last_digit or 1) * 100
            self.last_scale = Decimal(100)
        self.last_digit, self.saw_words = Decimal(0), True

    def _scale(self, scale: Decimal) -> None:
        self.total += (self.group or 1) * scale
        self.group, self.last_digit, self.last_scale = Decimal(0), Decimal(0), scale
        self.money = True

    def value(self) -> Decimal:
        """The number read; "1 triệu 2" counts the trailing 2 in hundreds of thousands."""
        group = self.group
        if self.money and group and self.last_scale >= 1_000_000 and group < 1000:
            group = group * 10 ** (6 - len(str(int(group))))
        return self.total + group


def _read_amount(tokens: list[str], start: int) -> Amount | None:
    """Read the longest number phrase starting at `start`, with the unit that follows it."""
    if not _is_number_start(tokens, start):
        return None
    reader = _Reader()
    end = start
    while end < len(tokens) and end - start < _MAX_TOKENS_IN_AMOUNT:
        if not reader.take(tokens[end], tokens[end - 1] if end else ""):
            break
        end += 1
    if end == start:
        return None
    return _with_unit(reader, tokens, start, end)


def _with_unit(reader: _Reader, tokens: list[str], start: int, end: int) -> Amount:
    """The amount read, its kind decided by what it holds and the word after it."""
    value = reader.value()
    unit = tokens[end] if end < len(tokens) else ""
    words_only = reader.saw_words and not reader.saw_digits
    if unit in _MONEY_UNITS and (reader.money or not words_only):
        return Amount(AmountKind.MONEY, value, start, end + 1)
    if reader.money:
        return Amount(AmountKind.MONEY, value, start, end)
    if unit == "kwh":
        return Amount(AmountKind.KWH, value, start, end + 1)
    if end - start == 1 and _THOUSANDS.match(tokens[start]) and value >= _MIN_BARE_MONEY:
        return Amount(AmountKind.MONEY, value, start, end)
    return Amount(AmountKind.PLAIN, value, start, end)
