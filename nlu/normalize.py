"""Text normalisation: Unicode forms, diacritics, emoji, repeated letters, teencode, dialect.

The original message is kept by the caller for display; these functions give the folded form used
for matching and for finding entities.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.lexicon import KWH_UNITS, PHRASES, TEENCODE

# Characters beyond this are ignored: nobody types a question longer than this into a chat.
MAX_CHARS = 1000

_MARKS = re.compile("[\u0300-\u036f]+")
_NOT_KEPT = re.compile(r"[^a-z0-9/.,:+%\-]+")
_LOOSE_PUNCTUATION = re.compile(r"(?<!\d)[/.,:+%\-]+|[/.,:+%\-]+(?!\d)")
_REPEATS = re.compile(r"([a-z])\1+")
_NUMBER_AND_UNIT = re.compile(r"^(\d[\d.,]*)([a-z]+)$")
_NUMBER_WORDS = frozenset(
    {"mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi", "tram"}
    | {"nghin", "ngan", "trieu", "ruoi"}
)


def fold(text: str) -> str:
    """The text lower-cased, with diacritics removed and đ written as d."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return _MARKS.sub("", decomposed).replace("đ", "d").replace("₫", "d")


def has_diacritics(text: str) -> bool:
    """Whether the text carries Vietnamese diacritics (or đ)."""
    return fold(text) != text.lower()


def normalize(text: str) -> str:
    """The folded message with emoji and stray punctuation gone and chat words expanded."""
    folded = _NOT_KEPT.sub(" ", fold(text[:MAX_CHARS]))
    folded = _LOOSE_PUNCTUATION.sub(" ", folded)
    tokens: list[str] = []
    for raw in folded.split():
        tokens.extend(_expand(raw, _last_number_word(tokens)))
    if tokens and tokens[-1] == "hong" and tokens[-2:-1] not in (["bi"], ["da"], ["hu"]):
        # Southern "hông" ends a question ("được hông"); elsewhere "hong" is "hỏng" (broken).
        tokens[-1] = "khong"
    joined = f" {' '.join(tokens)} "
    for old, new in PHRASES:
        if old in joined:
            joined = joined.replace(old, new)
    return joined.strip()


def _last_number_word(tokens: list[str]) -> str:
    """The last token, with "tư"/"lăm" counted as numbers only right after "mươi"/"mười"."""
    if not tokens:
        return ""
    if tokens[-1] in ("tu", "lam") and tokens[-2:-1] == ["muoi"]:
        return "muoi"
    return tokens[-1]


def _expand(raw: str, previous: str) -> list[str]:
    """One typed token as the folded words it stands for."""
    if raw[0].isdigit():
        split = _NUMBER_AND_UNIT.match(raw)
        if split is None:
            return [raw]
        return [split.group(1), *_expand(split.group(2), split.group(1))]
    after_number = previous[:1].isdigit() or previous in _NUMBER_WORDS
    if after_number and raw in KWH_UNITS and raw != "kw":
        return ["kwh"]
    if raw == "k" and previous[:1].isdigit():
        return ["k"]
    if raw == "kh":
        return ["khach", "hang"] if previous == "ma" else ["khong"]
    replacement = TEENCODE.get(raw)
    if replacement is None:
        squeezed = _REPEATS.sub(r"\1", raw)
        replacement = TEENCODE.get(squeezed, squeezed)
    return replacement.split()
