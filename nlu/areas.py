"""Area names (wards, former districts, power-company units) found fuzzily in a message."""

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
    """Folded search keys of a gazetteer, each with the area name it stands for."""

    keys: tuple[str, ...]
    names: tuple[str, ...]
    bare: tuple[bool, ...]
    longest: int
    # Window length -> the keys that a window of that length can match, and their positions.
    by_length: Mapping[int, tuple[tuple[str, ...], tuple[int, ...]]]
    # Window -> (score, key position) of its best key, or None: a cache, not part of the value.
    matches: dict[str, tuple[float, int] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def remember(self, window: str) -> tuple[float, int] | None:
        """The score and position of the key nearest to the window, if it reaches the cutoff.

        The window's length is one of `by_length`.
        """
        best: tuple[float, int] | None = None
        # A window with a digit counts only when it ends with one ("quận 1", "q1").
        if not (_DIGIT.search(window) and not window[-1].isdigit()):
            keys, positions = self.by_length[len(window)]
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
    """The search keys of a gazetteer: full names, names without prefix, short forms (q1)."""
    keys: list[str] = []
    names: list[str] = []
    bare: list[bool] = []
    for area in areas:
        for key, is_bare in _keys_of(area).items():
            keys.append(key)
            names.append(area)
            bare.append(is_bare)
    longest = max((key.count(" ") + 1 for key in keys), default=0)
    by_length: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {}
    for size in range(1, max(map(len, keys), default=0) * 2 + 2):
        positions = tuple(
            position for position, key in enumerate(keys) if _may_match(size, len(key))
        )
        if positions:
            by_length[size] = (tuple(keys[position] for position in positions), positions)
    return AreaIndex(tuple(keys), tuple(names), tuple(bare), min(longest, _MAX_WINDOW), by_length)


def _may_match(window: int, key: int) -> bool:
    """Whether strings of these lengths can reach the cutoff of `fuzz.ratio`.

    The ratio is 100 × (1 − indel distance / total length), and the distance is at least the
    difference in length.
    """
    return 100 * abs(window - key) <= (100 - _SCORE_CUTOFF) * (window + key)


def _keys_of(area: str) -> dict[str, bool]:
    """Search keys of one area, each marked True when it is the bare name without its prefix."""
    full = normalize(area)
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
    matches, by_length = index.matches, index.by_length
    # Windows of each size, longest first: windows[size - 1][start].
    windows = [tokens]
    for size in range(2, index.longest + 1):
        shorter = windows[-1][:-1]
        windows.append(
            [f"{head} {last}" for head, last in zip(shorter, tokens[size - 1 :], strict=True)]
        )
    best: tuple[float, int, str] | None = None
    for size in range(index.longest, 0, -1):
        for start, window in enumerate(windows[size - 1]):
            # Windows too short or too long for every key are skipped before any work.
            if len(window) not in by_length:
                continue
            match = matches.get(window, _UNSEEN)
            if match is _UNSEEN:
                match = index.remember(window)
            if match is None:
                continue
            score, position = match
            if index.bare[position] and start > 0 and tokens[start - 1] not in _PLACE_CUES:
                continue
            candidate = (score, size, index.names[position])
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None
