"""Text normalisation: Unicode forms, diacritics, emoji, repeated letters, teencode, dialect.

The original message is kept by the caller for display; these functions give the folded form used
for matching and for finding entities.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nlu.lexicon import KWH_UNITS, PHRASES, TEENCODE

# Characters beyond this are ignored: nobody types a question longer than this into a chat.
MAX_CHARS = 1000
# Words beyond this are ignored too (by the entities as well), which bounds the work on junk.
MAX_WORDS = 64

_MARKS = re.compile("[\u0300-\u036f]+")
_NOT_KEPT = re.compile(r"[^a-z0-9/.,:+%\-]+")
_LOOSE_PUNCTUATION = re.compile(r"(?<!\d)[/.,:+%\-]+|[/.,:+%\-]+(?!\d)")
_REPEATS = re.compile(r"([a-z])\1+")
_NUMBER_AND_UNIT = re.compile(r"^(\d[\d.,]*)([a-z]+)$")
# A Vietnamese syllable once folded: an initial, one to three vowels, a final consonant.
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?$"
)
# Telex typed with the input method off: a tone key after the syllable ("nayf" for "này"),
# "w" for the horn or breve ("duowcj" for "được"; doubled letters are squeezed already).
_TELEX_TONE_KEYS = frozenset("sfrxj")
_TELEX_SHAPES = (("uow", "uo"), ("uw", "u"), ("ow", "o"), ("aw", "a"), ("w", "u"))
# English words that would pass for telex ("this" is no "thì").
_NOT_TELEX = frozenset(
    {"this", "is", "yes", "does", "has", "his", "us", "as", "its", "or", "our", "her", "per"}
    | {"sir", "air", "car", "max", "box", "tax", "bus", "cos", "wow", "tour", "four", "your"}
    | {"pos", "boss", "pass", "miss", "less", "bar", "nor", "cuts", "bills", "days", "tips"}
    | {"how", "now", "power", "tower", "show", "know", "new", "few", "view", "low", "slow"}
    | {"window", "follow", "below", "allow", "draw", "law", "saw", "row", "own", "town", "w"}
)
_NUMBER_WORDS = frozenset(
    {"mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi", "chuc", "tram"}
    | {"nghin", "ngan", "trieu", "ruoi"}
)


def fold(text: str) -> str:
    """The text lower-cased, with diacritics removed and đ written as d."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return _MARKS.sub("", decomposed).replace("đ", "d").replace("₫", "d")


def _folded_character(code: int) -> str:
    """What `normalize` makes of one character: a kept ASCII character, nothing, or a space."""
    return _NOT_KEPT.sub(" ", fold(chr(code)))


# Latin letters with their marks, combining marks, punctuation and currency signs, folded in
# advance. Folding character by character gives the words of folding the whole text:
# decomposition is per character, and what canonical reordering moves is removed or a space.
_FOLDED = {
    code: _folded_character(code)
    for block in (
        range(0x250),
        range(0x300, 0x370),
        range(0x1E00, 0x1F00),
        range(0x2000, 0x20D0),
    )
    for code in block
}


def has_diacritics(text: str) -> bool:
    """Whether the text carries Vietnamese diacritics (or đ)."""
    return fold(text) != text.lower()


def normalize(text: str) -> str:
    """The folded message with emoji and stray punctuation gone and chat words expanded."""
    tokens: list[str] = []
    previous = _OTHER
    for raw in _typed_words(text):
        expanded, kind = _expanded(raw, previous)
        if not expanded:
            continue
        tokens.extend(expanded)
        if len(tokens) >= MAX_WORDS:
            del tokens[MAX_WORDS:]
            break
        previous = kind if kind is not None else _kind_of_last(tokens)
    if tokens and tokens[-1] == "hong" and tokens[-2:-1] not in (["bi"], ["da"], ["hu"]):
        # Southern "hông" ends a question ("được hông"); elsewhere "hong" is "hỏng" (broken).
        tokens[-1] = "khong"
    joined = f" {' '.join(tokens)} "
    for old, new in PHRASES:
        if old in joined:
            joined = joined.replace(old, new)
    return joined.strip()


# What `_expand` needs to know of the token before: these kinds, not the token itself.
_OTHER = ""
_DIGITS = "0"
_NUMBER_WORD = "mot"
_MA = "ma"


def _typed_words(text: str) -> list[str]:
    """The folded words of the text as typed, without emoji, control characters or loose dots.

    The same words as `_NOT_KEPT.sub(" ", fold(text[:MAX_CHARS]))` split after removing loose
    punctuation, found faster.
    """
    text = text[:MAX_CHARS]
    if text.isascii():
        folded = _NOT_KEPT.sub(" ", text.lower())
    else:
        folded = text.translate(_FOLDED)
        if not folded.isascii():
            # Characters of other scripts (and emoji): the slower path, for them only.
            folded = _NOT_KEPT.sub(" ", fold(folded))
    return _LOOSE_PUNCTUATION.sub(" ", folded).split()


_DIGIT_CHARACTERS = frozenset("0123456789")
_ONLY_AFTER_TENS = frozenset({"tu", "lam"})


def _kind_of_last(tokens: list[str]) -> str:
    """The kind of the last token, "tư"/"lăm" counted as numbers only after "mươi"/"mười"."""
    if not tokens:
        return _OTHER
    last = tokens[-1]
    if last[:1].isdigit():
        return _DIGITS
    if last in _NUMBER_WORDS or (last in ("tu", "lam") and tokens[-2:-1] in (["muoi"], ["chuc"])):
        return _NUMBER_WORD
    if last == _MA:
        return _MA
    return _OTHER


@lru_cache(maxsize=16384)
def _expanded(raw: str, previous: str) -> tuple[tuple[str, ...], str | None]:
    """`_expand`, and the kind of its last word for the next token (None: ask `_kind_of_last`)."""
    words = _expand(raw, previous)
    if not words:
        return words, previous
    last = words[-1]
    if last[0] in _DIGIT_CHARACTERS:
        return words, _DIGITS
    if last in _NUMBER_WORDS:
        return words, _NUMBER_WORD
    if last == _MA:
        return words, _MA
    # "tư" and "lăm" are numbers only after "mươi", which may be the token before.
    return words, None if last in _ONLY_AFTER_TENS else _OTHER


def _expand(raw: str, previous: str) -> tuple[str, ...]:
    """One typed token as the folded words it stands for, after a token of kind `previous`."""
    if raw[0].isdigit():
        split = _NUMBER_AND_UNIT.match(raw)
        if split is None:
            return (raw,)
        return (split.group(1), *_expand(split.group(2), _DIGITS))
    after_number = previous in (_DIGITS, _NUMBER_WORD)
    if after_number and raw in KWH_UNITS and raw != "kw":
        return ("kwh",)
    if raw == "k" and previous == _DIGITS:
        return ("k",)
    if raw == "kh":
        return ("khach", "hang") if previous == _MA else ("khong",)
    replacement = TEENCODE.get(raw)
    if replacement is None:
        squeezed = _REPEATS.sub(r"\1", raw)
        replacement = TEENCODE.get(squeezed) or _without_telex_keys(squeezed)
    return tuple(replacement.split())


def _without_telex_keys(token: str) -> str:
    """A telex leftover as the folded syllable it was meant to be; other tokens unchanged."""
    if len(token) < 3 or token in _NOT_TELEX or token in KWH_UNITS or _SYLLABLE.match(token):
        return token
    shaped = token
    if "w" in shaped:
        for keys, letters in _TELEX_SHAPES:
            shaped = shaped.replace(keys, letters)
    if shaped[-1] in _TELEX_TONE_KEYS and len(shaped) > 1:
        shaped = shaped[:-1]
    return shaped if _SYLLABLE.match(shaped) else token
