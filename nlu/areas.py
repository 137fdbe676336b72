"""Places (wards, former districts, provinces, power-company units) found fuzzily in a message.

The gazetteer is either the data's area names alone, each standing for itself, or a `Gazetteer`:
the data's areas and every name customers may use for them ("Quận Tân Bình" for the wards that
took part of it since 1 July 2025), built outside the NLU from a library of administrative units.

A name may have parts: "Phường Bến Thành, Quận 1" is a ward and its former district. Each part is
a search key of its own ("phuong ben thanh", "ben thanh", "quan 1", "q1"), so "Bến Thành" or "q1"
alone finds the name. A key shared by several names ("quan 1" of every ward of Quận 1) names none
of them unless the rest of the message tells them apart: a name whose parts match more of the
message wins, then the longer match ("Hòa Cường Bắc" over "Hòa Cường"), then a name matched
whole, then the closer match. When the best are equal, the one that covers the areas of all the
others wins ("Tân Bình": the former district, whose wards include today's Phường Tân Bình);
otherwise the message is ambiguous and names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import overload

from rapidfuzz import fuzz, process

from nlu.normalize import normalize

_PREFIXES = (
    "thanh pho",
    "thi xa",
    "thi tran",
    "dac khu",
    "tinh",
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


@dataclass(frozen=True, slots=True)
class Place:
    """A place a message names: the name as the gazetteer writes it, and the data's areas it
    covers (the name alone when it is an area of the data)."""

    name: str
    areas: tuple[str, ...]


class Gazetteer(Sequence[str]):
    """The data's area names, in the data's order, and every name customers may use for them.

    As a sequence it is the data's areas. `covered(name)` gives the areas a name covers ("Quận
    Tân Bình" -> the wards that took part of it); each area covers itself; a name that covers
    none of the data's areas is dropped. `wider(area)` names the place around an area, such as
    its former district, when known. Immutable; its search keys are built on first use.
    """

    __slots__ = ("_areas", "_covered", "_index", "_known", "_names", "_wider")

    def __init__(
        self,
        areas: Iterable[str] = (),
        places: Mapping[str, Iterable[str]] | None = None,
        wider: Mapping[str, str] | None = None,
    ) -> None:
        self._areas = tuple(dict.fromkeys(areas))
        self._known = frozenset(self._areas)
        order = {area: position for position, area in enumerate(self._areas)}
        covered: dict[str, tuple[str, ...]] = {area: (area,) for area in self._areas}
        for name, names_covered in (places or {}).items():
            kept = set(covered.get(name, ())) | {a for a in names_covered if a in self._known}
            if kept:
                covered[name] = tuple(sorted(kept, key=order.__getitem__))
        self._covered: Mapping[str, tuple[str, ...]] = covered
        self._names = tuple(covered)
        self._wider = {
            area: name for area, name in (wider or {}).items() if area in self._known and name
        }
        self._index: AreaIndex | None = None

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> tuple[str, ...]: ...
    def __getitem__(self, position: int | slice) -> str | tuple[str, ...]:
        return self._areas[position]

    def __len__(self) -> int:
        return len(self._areas)

    def __iter__(self) -> Iterator[str]:
        return iter(self._areas)

    def __contains__(self, value: object) -> bool:
        return value in self._known

    def __repr__(self) -> str:
        return f"Gazetteer({len(self._areas)} areas, {len(self._covered)} names)"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the gazetteer knows: the data's areas first."""
        return self._names

    def covered(self, name: str) -> tuple[str, ...]:
        """The data's areas a name covers, in the data's order; () for a name not known."""
        return self._covered.get(name, ())

    def wider(self, area: str) -> str | None:
        """The name of the place around an area of the data (its former district), if known."""
        return self._wider.get(area)

    def search_index(self) -> AreaIndex:
        """The search keys of every name, built once per gazetteer."""
        if self._index is None:
            self._index = _build_index(self.names)
        return self._index


def build_index(areas: tuple[str, ...]) -> AreaIndex:
    """The search keys of a gazetteer of names (a few recent ones remembered)."""
    return _remembered_index(areas)


def _build_index(areas: tuple[str, ...]) -> AreaIndex:
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
            # Words that two parts share ("hai chau" of "Phường Hải Châu, Quận Hải Châu") stand
            # for one part: the first.
            old_mask, old_bare = of_key.get(position, (mask, True))
            of_key[position] = (old_mask, old_bare and bare)
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


_remembered_index = lru_cache(maxsize=32)(_build_index)


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


def find_place(tokens: list[str], areas: Sequence[str]) -> Place | None:
    """The place of the gazetteer the tokens (words, no spaces) name, matched fuzzily, or None."""
    index, covered = _index_of(areas)
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
    # Name position -> the (start, end) of the windows that matched it: longer windows come
    # first, and a window overlapping one of them is not another part of the name ("hải châu"
    # in "quận hải châu"), only maybe a closer match of the same part.
    spans: dict[int, list[tuple[int, int]]] = {}
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
                if not bare or cued:
                    _count(found, spans, position, (mask, score, size), start)
    return _best_place(index, found, covered)


def _count(
    found: dict[int, tuple[int, float, int]],
    spans: dict[int, list[tuple[int, int]]],
    position: int,
    match: tuple[int, float, int],
    start: int,
) -> None:
    """Count a window (mask, score, size) starting at `start` for the name at `position`."""
    mask, score, size = match
    end = start + size
    seen = found.get(position)
    if seen is None:
        found[position] = match
        spans[position] = [(start, end)]
        return
    overlaps = any(before < end and start < after for before, after in spans[position])
    if overlaps and mask & ~seen[0]:
        return
    found[position] = (seen[0] | mask, max(seen[1], score), max(seen[2], size))
    if not overlaps:
        spans[position].append((start, end))


def _index_of(areas: Sequence[str]) -> tuple[AreaIndex, Callable[[str], tuple[str, ...]]]:
    """The search keys of a gazetteer, and what each name covers (itself, for plain names)."""
    if isinstance(areas, Gazetteer):
        return areas.search_index(), areas.covered
    return build_index(tuple(areas)), _itself


def _itself(name: str) -> tuple[str, ...]:
    return (name,)


def _best_place(
    index: AreaIndex,
    found: dict[int, tuple[int, float, int]],
    covered: Callable[[str], tuple[str, ...]],
) -> Place | None:
    """The name whose parts match most, by the longest window, whole, closest; among equals,
    the one that covers the areas of all the others; None when none does."""
    if not found:
        return None
    complete = index.complete
    ranked = sorted(
        (
            (mask.bit_count(), size, mask == complete[position], score, position)
            for position, (mask, score, size) in found.items()
        ),
        reverse=True,
    )
    best = [index.names[rank[4]] for rank in ranked if rank[:4] == ranked[0][:4]]
    if len(best) == 1:
        return Place(best[0], covered(best[0]))
    everything = {area for name in best for area in covered(name)}
    for name in best:
        areas = covered(name)
        if everything.issubset(areas):
            return Place(name, areas)
    return None


# A word that names a kind of unit, after one of the words that introduce a place.
_UNIT_WORDS = frozenset({"phuong", "quan", "huyen", "xa", "tinh", "tp", "p", "q"})
_UNIT_PHRASES = frozenset({"thanh pho", "thi xa", "thi tran", "dac khu"})
_BEFORE_A_PLACE = frozenset({"o", "tai", "vuc", "thuoc"})
_NUMBERED_UNIT = re.compile(r"[pq]\d+")


def names_a_place(tokens: list[str]) -> bool:
    """Whether the words name a ward, district or province, known or not ("ở phường Xyz",
    "tại quận 13", "khu vực q13"): a unit word after "ở", "tại", "khu vực" or "thuộc"."""
    for position, token in enumerate(tokens):
        if token not in _BEFORE_A_PLACE:
            continue
        following = tokens[position + 1 : position + 4]
        if following and _NUMBERED_UNIT.fullmatch(following[0]):
            return True
        if len(following) >= 2 and following[0] in _UNIT_WORDS:
            return True
        if len(following) == 3 and " ".join(following[:2]) in _UNIT_PHRASES:
            return True
    return False
