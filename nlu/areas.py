"""Area names (wards, former districts, power-company units) found fuzzily in a message.

A stored name may have parts: "Phường Bến Thành, Quận 1" is a ward and its former district. Each
part is a search key of its own ("phuong ben thanh", "ben thanh", "quan 1", "q1"), so "Bến Thành"
or "q1" alone finds the name. A key shared by several names ("quan 1" of every ward of Quận 1)
names none of them unless the rest of the message tells them apart: a name whose parts match
more of the message wins, then a name matched whole, then the closer and longer match; when the
best two are equal the message is ambiguous and no area is returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from nlu.normalize import normalize

_PREFIXES = (
    "thanh pho",
    "thi xa",
    "thi tran",
    "dien luc",
    "cong ty dien luc",
    "phuong",
    "quan",
    "huyen",
    "xa",
    "tp",
    "pc",
    "p",
    "q",
)
_SHORT_PREFIXES = {"quan": "q", "phuong": "p"}
_MIN_CORE_CHARACTERS = 4
_SCORE_CUTOFF = 90
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
# Windows remembered per gazetteer ("tien dien" recurs in most messages); cleared when full.
_REMEMBERED_WINDOWS = 65536
_MAX_WINDOW = 5
# A bare name ("Bến Thành" without "phường") counts only after one of these words, or first.
_PLACE_CUES = frozenset(
    {"o", "tai", "khu", "vuc", "gan", "cho", "phuong", "quan", "huyen", "xa", "p", "q", "tp"}
    | {"pho", "luc", "thi", "vung", "quanh", "canh", "thuoc"}
)


@dataclass(frozen=True, slots=True)
class AreaIndex:
    """Folded search keys of a gazetteer, each with the area names it stands for.

    `entries[k]` holds, for key `k`, one (name position, parts mask, bare) per name it belongs
    to: the mask says which parts of the name the key covers, `bare` that it is a name without
    its prefix ("ben thanh").
    """

    keys: tuple[str, ...]
    names: tuple[str, ...]
    entries: tuple[tuple[tuple[int, int, bool], ...], ...]
    # Name position -> the mask of all its parts.
    complete: tuple[int, ...]
    longest: int
    # (window length, digits of the window) -> the keys a window of that length and with those
    # digits can match, and their positions.
    by_length: Mapping[tuple[int, str], tuple[tuple[str, ...], tuple[int, ...]]]
    # Window lengths that some key may match.
    lengths: frozenset[int]
    # Window -> (score, key position) of its best key, or None: a cache, not part of the value.
    matches: dict[str, tuple[float, int] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def remember(self, window: str) -> tuple[float, int] | None:
        """The score and position of the key nearest to the window, if it reaches the cutoff.

        The window's length is one of `lengths`. Numbers must be the same ("quận 10" is not
        "quận 1").
        """
        best: tuple[float, int] | None = None
        digits = ""
        if _DIGIT.search(window):
            # A window with a digit counts only when it ends with one ("quận 1", "q1").
            digits = " ".join(_DIGITS.findall(window)) if window[-1].isdigit() else "-"
        candidates = self.by_length.get((len(window), digits))
        if candidates is not None:
            keys, positions = candidates
            match = process.extractOne(window, keys, scorer=fuzz.ratio, score_cutoff=_SCORE_CUTOFF)
            if match is not None:
                best = (match[1], positions[match[2]])
        if len(self.matches) >= _REMEMBERED_WINDOWS:
            self.matches.clear()
        self.matches[window] = best
        return best


# Marks a window not looked at yet.
_UNSEEN = (-1.0, -1)


@lru_cache(maxsize=32)
def build_index(areas: tuple[str, ...]) -> AreaIndex:
    """The search keys of a gazetteer: names and their parts, without prefix, short forms (q1)."""
    names = tuple(dict.fromkeys(areas))
    entries_of: dict[str, dict[int, tuple[int, bool]]] = {}
    complete: list[int] = []
    for position, area in enumerate(names):
        parts = [part for part in (normalize(part) for part in area.split(",")) if part]
        whole = (1 << len(parts)) - 1
        complete.append(whole)
        keyed: list[tuple[str, int, bool]] = [(" ".join(parts), whole, False)]
        for number, part in enumerate(parts):
            mask = whole if len(parts) == 1 else 1 << number
            keyed.extend((key, mask, bare) for key, bare in _keys_of(part).items())
        for key, mask, bare in keyed:
            of_key = entries_of.setdefault(key, {})
            old_mask, old_bare = of_key.get(position, (0, True))
            of_key[position] = (old_mask | mask, old_bare and bare)
    keys = tuple(entries_of)
    entries = tuple(
        tuple((position, mask, bare) for position, (mask, bare) in entries_of[key].items())
        for key in keys
    )
    longest = max((key.count(" ") + 1 for key in keys), default=0)
    by_length: dict[tuple[int, str], tuple[tuple[str, ...], tuple[int, ...]]] = {}
    digit_groups: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        digits = " ".join(_DIGITS.findall(key))
        digit_groups.setdefault(digits, []).append(position)
    for size in range(1, max(map(len, keys), default=0) * 2 + 2):
        for digits, group in digit_groups.items():
            positions = tuple(
                position for position in group if _may_match(size, len(keys[position]))
            )
            if positions:
                by_length[size, digits] = (tuple(keys[p] for p in positions), positions)
    return AreaIndex(
        keys,
        names,
        entries,
        tuple(complete),
        min(longest, _MAX_WINDOW),
        by_length,
        frozenset(size for size, _ in by_length),
    )


def _may_match(window: int, key: int) -> bool:
    """Whether strings of these lengths can reach the cutoff of `fuzz.ratio`.

    The ratio is 100 × (1 − indel distance / total length), and the distance is at least the
    difference in length.
    """
    return 100 * abs(window - key) <= (100 - _SCORE_CUTOFF) * (window + key)


def _keys_of(full: str) -> dict[str, bool]:
    """Search keys of one normalised name, each True when it is the name without its prefix."""
    keys = {full: False}
    for prefix in _PREFIXES:
        if full.startswith(prefix + " "):
            core = full[len(prefix) + 1 :]
            if core.isdigit():
                short = _SHORT_PREFIXES.get(prefix)
                if short:
                    keys.update({f"{short}{core}": False, f"{short} {core}": False})
            elif len(core) >= _MIN_CORE_CHARACTERS:
                keys.setdefault(core, True)
            break
    return keys


def find_area(tokens: list[str], areas: tuple[str, ...]) -> str | None:
    """The area of the gazetteer the tokens (words, no spaces) name, matched fuzzily, or None."""
    index = build_index(areas)
    if not index.keys:
        return None
    matches, lengths, entries = index.matches, index.lengths, index.entries
    # Windows of each size, longest first: windows[size - 1][start].
    windows = [tokens]
    for size in range(2, index.longest + 1):
        shorter = windows[-1][:-1]
        windows.append(
            [f"{head} {last}" for head, last in zip(shorter, tokens[size - 1 :], strict=True)]
        )
    # Name position -> (mask of the parts matched, best score, longest window).
    found: dict[int, tuple[int, float, int]] = {}
    for size in range(index.longest, 0, -1):
        for start, window in enumerate(windows[size - 1]):
            # Windows too short or too long for every key are skipped before any work.
            if len(window) not in lengths:
                continue
            match = matches.get(window, _UNSEEN)
            if match is _UNSEEN:
                match = index.remember(window)
            if match is None:
                continue
            score, key = match
            cued = start == 0 or tokens[start - 1] in _PLACE_CUES
            for position, mask, bare in entries[key]:
                if bare and not cued:
                    continue
                seen = found.get(position)
                if seen is None:
                    found[position] = (mask, score, size)
                else:
                    found[position] = (seen[0] | mask, max(seen[1], score), max(seen[2], size))
    return _best_name(index, found)


def _best_name(index: AreaIndex, found: dict[int, tuple[int, float, int]]) -> str | None:
    """The name whose parts match most, whole, closest and longest; None when two are equal."""
    if not found:
        return None
    complete = index.complete
    ranked = sorted(
        (
            (mask.bit_count(), mask == complete[position], score, size, position)
            for position, (mask, score, size) in found.items()
        ),
        reverse=True,
    )
    if len(ranked) > 1 and ranked[0][:4] == ranked[1][:4]:
        return None
    return index.names[ranked[0][4]]
