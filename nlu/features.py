"""What the intent classifier sees of a message: word and character n-grams and entity markers.

The input is the normalised text (`normalize.normalize`: folded, so a message and its copy without
diacritics give the same features; teencode expanded). Each token is first put in the shape the
training data knows: a number becomes "#", a telex leftover loses its tone letter ("dienj" ->
"dien"), a word one or two typos away from a known word becomes that word (rapidfuzz Levenshtein),
and two known words run together are split ("tiendien"). Then the features are:
- words and word pairs (with the message's start and end as "<" and ">"), the words after a
  negation marked ("không cần thông báo" gives "!thong", "!bao");
- character n-grams of 3 and 4 letters of each word within spaces (" ti", "tien ") and across
  the space between two words ("n di"), which catch the typos correction missed, run-together
  or split words and the words the training data never saw whole;
- a marker per entity found ("@kwh", "@money", "@month", ...).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import Levenshtein

CHARACTER_SIZES = (3, 4)
_MIN_CORRECTED = 4
_LONG_WORD = 8
# No word is longer: the rest of a longer token (junk, a pasted link) is not read.
_LONGEST_TOKEN = 20
# Nor corrected beyond this: a folded syllable has at most 7 letters, "electricity" 11.
_MAX_CORRECTED = 12
# Vietnamese syllables never end in these: in an unknown word they are a telex tone key.
_TELEX_TONE_KEYS = frozenset("sfrxj")
_START, _END = "<", ">"


class TokenShaper:
    """Puts tokens in the shape of the known vocabulary; each distinct token is shaped once.

    Typos are found by symmetric deletion: two words within k edits share a form with at most
    k letters deleted from each, so a token's candidates are looked up, not searched for.
    """

    def __init__(self, vocabulary: Collection[str]) -> None:
        """`vocabulary`: the words of the training data, as normalised."""
        self.vocabulary = frozenset(word for word in vocabulary if word.isalpha())
        self._longest = max(map(len, self.vocabulary), default=0)
        self._deletions: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary):
            # Tokens of _LONG_WORD letters may be two edits away, so from words two shorter.
            depth = 2 if len(word) >= _LONG_WORD - 2 else 1
            for form in _deleted(word, depth):
                self._deletions.setdefault(form, []).append(word)
        self.shape = lru_cache(maxsize=65536)(self._shape)

    def _shape(self, token: str) -> str:
        if any(character.isdigit() for character in token):
            return "#"
        token = token[:_LONGEST_TOKEN]
        if token in self.vocabulary or not _MIN_CORRECTED <= len(token) <= _MAX_CORRECTED:
            return token
        if not token.isalpha():
            return token
        if token[-1] in _TELEX_TONE_KEYS and token[:-1] in self.vocabulary:
            return token[:-1]
        split = self._split(token)
        if split is not None:
            return split
        return self._nearest(token)

    def _split(self, token: str) -> str | None:
        """Two known words run together ("tiendien"), each of at least two letters."""
        size, known = len(token), self.vocabulary
        for cut in range(max(2, size - self._longest), min(size - 1, self._longest + 1)):
            if token[:cut] in known and token[cut:] in known:
                return f"{token[:cut]} {token[cut:]}"
        return None

    def _nearest(self, token: str) -> str:
        """The nearest known word within the typos allowed for its length (the first in
        alphabetical order of equally near ones), else the token."""
        limit = 2 if len(token) >= _LONG_WORD else 1
        deletions = self._deletions
        candidates = {word for form in _deleted(token, limit) for word in deletions.get(form, ())}
        best = min(
            ((Levenshtein.distance(token, word, score_cutoff=limit), word) for word in candidates),
            default=(limit + 1, token),
        )
        return best[1] if best[0] <= limit else token


def _deleted(word: str, depth: int) -> set[str]:
    """The word and every form of it with up to `depth` letters deleted."""
    forms = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {form[:cut] + form[cut + 1 :] for form in frontier for cut in range(len(form))}
        forms |= frontier
    return forms


def words_of(normalized: str, shaper: TokenShaper, max_words: int = 64) -> list[str]:
    """The shaped words of a normalised text (a split token gives two)."""
    shape = shaper.shape
    shaped = " ".join([shape(token) for token in normalized.split()[:max_words]])
    return shaped.split()


# Words that negate what follows ("không cần thông báo", "hủy đăng ký"): the next few words
# are seen as negated ("!thong"), so "không cần thông báo, chỉ xem hôm qua" is no subscription.
# ("đừng", "thôi", "bỏ" and "tắt" fold onto other words: dùng, thời, bố, tất.)
NEGATORS = frozenset({"khong", "chang", "cha", "huy", "ngung", "khoi"})
NEGATION_SCOPE = 3


def negated(words: list[str]) -> list[str]:
    """The words with those in the scope of a negator marked "!"."""
    if NEGATION_SCOPE == 0 or NEGATORS.isdisjoint(words):
        return words
    marked: list[str] = []
    scope = 0
    for word in words:
        if word in NEGATORS:
            marked.append(word)
            scope = NEGATION_SCOPE
        elif scope:
            marked.append(f"!{word}")
            scope -= 1
        else:
            marked.append(word)
    return marked


def token_features(token: str) -> tuple[str, ...]:
    """A word (maybe negated, "!thong") and the character n-grams of the word within spaces."""
    word = token[1:] if token[0] == "!" else token
    padded = f" {word} "
    length = len(padded)
    grams = [
        f"~{padded[start : start + size]}"
        for size in CHARACTER_SIZES
        for start in range(length - size + 1)
    ]
    return (token, *grams)


def pair_features(first: str, second: str) -> tuple[str, ...]:
    """A word pair ("tien dien", "< tien" at the start) and the character n-grams across the
    space between the two words ("~n di", "~en d"), which see run-together and split words."""
    pair = f"{first} {second}"
    if first == _START or second == _END:
        return (pair,)
    left = first[1:] if first[0] == "!" else first
    right = second[1:] if second[0] == "!" else second
    joined = f"{left[-4:]} {right[:4]}"
    space = joined.index(" ")
    grams = [
        f"~{joined[start : start + size]}"
        for size in CHARACTER_SIZES
        for start in range(max(0, space - size + 2), min(space, len(joined) - size + 1))
    ]
    return (pair, *grams)


def message_pairs(scoped: list[str]) -> list[tuple[str, str]]:
    """The consecutive words of a message, its start and end included."""
    return list(pairwise([_START, *scoped, _END]))


def message_features(words: list[str], markers: Iterable[str]) -> set[str]:
    """The feature strings of a message's shaped words and its entity names."""
    scoped = negated(words)
    found: set[str] = set()
    for token in scoped:
        found.update(token_features(token))
    for first, second in message_pairs(scoped):
        found.update(pair_features(first, second))
    found.update(f"@{name}" for name in markers)
    return found
