"""The gazetteer: every name customers may use for the data's areas, old and new.

Since 1 July 2025 Vietnam has 34 provinces and no districts, and most wards were merged and
renamed; customers keep saying "quận Tân Bình" or "phường Bến Nghé" for years. The library
`vietnamadminunits` holds both sets of units (the 63 provinces before, with their districts and
10 040 wards; the 34 after, with 3 321 wards) and which new wards each old ward went into, all of
them when it was divided. A unit covers pieces (an old ward's part in a new ward): a new ward its
parts of old wards, an old ward its parts in new wards, an old district or a province the pieces
of its wards. An area name of the data is matched to one unit ("Phường Sài Gòn", or the old
"Phường Bến Nghé, Quận 1"), and every unit that shares a piece with it becomes a name of it.

The library's tables are read from its data files once per process, on first use (under a
second, about 20 MB); a gazetteer is built once per set of area names.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from nlu.areas import Gazetteer
from nlu.normalize import normalize

logger = logging.getLogger(__name__)

# A name's kind word as written (folded) -> its kind; "q1" and "p 2" are numbered ones.
_KINDS = {
    "phuong": "phuong",
    "p": "phuong",
    "quan": "quan",
    "q": "quan",
    "huyen": "huyen",
    "xa": "xa",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "tinh": "tinh",
    "dac khu": "dac khu",
}
_NUMBERED = re.compile(r"([pq])(\d+)")
_LIBRARY = "vietnamadminunits"
# What a piece of an old ward that went into no ward is (the island districts have none).
_NO_WARD = ""


@dataclass(frozen=True, slots=True)
class _Units:
    """Every ward, district and province, before and after 2025, as customers name them.

    Unit `u` is `labels[u]` ("Phường Sài Gòn", "Phường Bến Nghé, Quận 1", "Quận 1", "Thành phố
    Hồ Chí Minh"), its own name `names[u]` as (kind, core), the names of the units around it
    `within[u]` (its district and provinces), the pieces it covers `pieces[u]`, and whether it is
    a unit of today's map `current[u]`. Tuples of strings and ints, not objects per unit: the
    garbage collector then leaves these 14 000 units alone.
    """

    labels: tuple[str, ...]
    names: tuple[tuple[str, str], ...]
    within: tuple[tuple[tuple[str, str], ...], ...]
    pieces: tuple[tuple[int, ...], ...]
    current: tuple[bool, ...]
    by_name: dict[tuple[str, str], tuple[int, ...]]  # (kind, core) -> units
    by_core: dict[str, tuple[int, ...]]  # core -> units, for names written without a kind
    of_piece: tuple[tuple[int, ...], ...]  # piece -> the units covering it
    province_of_piece: tuple[int, ...]  # piece -> its new province's unit
    district_of_piece: tuple[int, ...]  # piece -> its old district's unit


@lru_cache(maxsize=32768)
def name_of(text: str) -> tuple[str, str]:
    """(kind, core) of one name: "Phường Bến Nghé" -> ("phuong", "ben nghe"), "Q.1" -> ("quan",
    "1"), "Bến Nghé" -> ("", "ben nghe")."""
    folded = normalize(text)
    numbered = _NUMBERED.fullmatch(folded.replace(" ", ""))
    if numbered:
        return _KINDS[numbered.group(1)], numbered.group(2)
    for words in (2, 1):
        kind = " ".join(folded.split()[:words])
        if kind in _KINDS and len(folded) > len(kind):
            return _KINDS[kind], folded[len(kind) + 1 :]
    return "", folded


def gazetteer_of(areas: Sequence[str]) -> Gazetteer:
    """The gazetteer of the data's area names (remembered for the last few sets of names)."""
    return _gazetteer(tuple(areas))


def load_administrative_units() -> bool:
    """Read the library's units now (they are read once per process); False when they cannot
    be read, and the gazetteer then holds the data's names alone."""
    try:
        _units()
    except Exception:  # a broken install must not stop the chat: names are still found as stored
        logger.exception("cannot read the administrative units of vietnamadminunits")
        return False
    return True


@lru_cache(maxsize=8)
def _gazetteer(areas: tuple[str, ...]) -> Gazetteer:
    if not load_administrative_units():
        return Gazetteer(areas)
    units = _units()
    pieces_of = _resolve(areas, units)
    covered: dict[str, list[str]] = {}
    wider: dict[str, str] = {}
    for area in areas:
        pieces = pieces_of.get(area)
        if not pieces:
            continue
        for unit in {u for piece in pieces for u in units.of_piece[piece]}:
            covered.setdefault(units.labels[unit], []).append(area)
        district = _main_district(pieces, units)
        if district is not None:
            wider[area] = units.labels[district]
    return Gazetteer(areas, covered, wider)


def _resolve(areas: Iterable[str], units: _Units) -> dict[str, frozenset[int]]:
    """The pieces each area name stands for; a name no unit or several units fit is left out.

    A name several units fit ("Phường An Hải" is in Đà Nẵng and in Hải Phòng) is the one in a
    province that the data's other, unambiguous names are in.
    """
    candidates = {area: _candidates(area, units) for area in areas}
    resolved = {
        area: frozenset(units.pieces[found[0]])
        for area, found in candidates.items()
        if len(found) == 1
    }
    provinces = {units.province_of_piece[p] for pieces in resolved.values() for p in pieces}
    for area, found in candidates.items():
        if len(found) <= 1:
            continue
        in_data = [u for u in found if _provinces(u, units) & provinces]
        if len(in_data) == 1:
            resolved[area] = frozenset(units.pieces[in_data[0]])
        else:
            logger.warning(
                "area %r fits %d administrative units: only its own name finds it",
                area,
                len(in_data or found),
            )
    return resolved


def _candidates(area: str, units: _Units) -> list[int]:
    """The units an area name fits best: its first part their name, its other parts the units
    around them ("Phường 2, Quận Tân Bình"); today's units before old ones."""
    first, *rest = [part for part in area.split(",") if part.strip()] or [""]
    kind, core = name_of(first)
    found = units.by_name.get((kind, core), ()) if kind else units.by_core.get(core, ())
    if not found:
        return []
    around = [name_of(part) for part in rest]
    ranked = sorted(
        (
            (
                -sum(_agrees(name, units.within[u]) for name in around),
                not units.current[u],
                u,
            )
            for u in found
        ),
    )
    return [u for disagreeing, old, u in ranked if (disagreeing, old) == ranked[0][:2]]


def _agrees(name: tuple[str, str], within: tuple[tuple[str, str], ...]) -> bool:
    kind, core = name
    return name in within or (not kind and any(c == core for _, c in within))


def _provinces(unit: int, units: _Units) -> set[int]:
    return {units.province_of_piece[piece] for piece in units.pieces[unit]}


def _main_district(pieces: frozenset[int], units: _Units) -> int | None:
    """The old district most of these pieces lie in, unless they are that district or more."""
    counts: dict[int, int] = {}
    for piece in pieces:
        district = units.district_of_piece[piece]
        counts[district] = counts.get(district, 0) + 1
    district = max(counts, key=lambda d: (counts[d], -d))
    if pieces.issuperset(units.pieces[district]):
        return None
    return district


@cache
def _units() -> _Units:
    """Every unit of the library, before and after 2025, with the pieces it covers.

    Read from the package's own data files (`data/dataset.db`, the tables `get_data` reads, and
    `data/converter_2025.json`, its old-to-new ward table): importing the package would load its
    address parser too (60 MB and a second), which the gazetteer does not use.
    """
    spec = importlib.util.find_spec(_LIBRARY)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{_LIBRARY} is not installed")
    data = Path(spec.submodule_search_locations[0]) / "data"
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    with closing(sqlite3.connect(f"{(data / 'dataset.db').as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        new_rows = db.execute(
            "SELECT province, ward, provinceKey, wardKey FROM admin_units"
        ).fetchall()
        old_rows = db.execute(
            "SELECT province, district, ward, provinceKey, districtKey, wardKey"
            " FROM admin_units_legacy"
        ).fetchall()
    new_ward = {(r["provinceKey"], r["wardKey"]): r for r in new_rows}
    old_ward = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or _NO_WARD}": r for r in old_rows
    }
    pairs: dict[tuple[str, tuple[str, str]], None] = {}
    for province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, old_keys in wards.items():
            for old in old_keys:
                pairs[old, (province, ward)] = None
    for province, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, new_wards in divided.items():
            for new in new_wards:
                pairs[old, (province, new["newWardKey"])] = None
    return _build_units(
        [
            (old_ward[old], new_ward[new])
            for old, new in pairs
            if old in old_ward and new in new_ward
        ]
    )


@dataclass(slots=True)
class _Building:
    label: str
    current: bool
    within: set[tuple[str, str]] = field(default_factory=set)
    pieces: set[int] = field(default_factory=set)


def _build_units(pieces: list[tuple[sqlite3.Row, sqlite3.Row]]) -> _Units:
    """The units of (old ward row, new ward row) pieces, in the library's order."""
    positions: dict[tuple[str, ...], int] = {}
    building: list[_Building] = []

    def unit(key: tuple[str, ...], label: str, current: bool, *within: str) -> int:
        position = positions.get(key)
        if position is None:
            position = positions[key] = len(building)
            building.append(_Building(label, current))
        building[position].within.update(name_of(name) for name in within)
        return position

    of_piece: list[tuple[int, ...]] = []
    province_of_piece: list[int] = []
    district_of_piece: list[int] = []
    for piece, (old, new) in enumerate(pieces):
        old_province, district, ward = old["province"], old["district"], old["ward"]
        province, new_ward = new["province"], new["ward"]
        new_province = unit(("province", province), province, True)
        district_unit = unit(
            ("district", old_province, district), district, False, old_province, province
        )
        covering = [
            unit(("ward", province, new_ward), new_ward, True, province),
            new_province,
            unit(("old province", old_province), old_province, False, province),
            district_unit,
        ]
        if ward:
            label = f"{ward}, {district}"
            key = ("old ward", old_province, district, ward)
            covering.append(unit(key, label, False, district, old_province, province))
        for position in covering:
            building[position].pieces.add(piece)
        of_piece.append(tuple(covering))
        province_of_piece.append(new_province)
        district_of_piece.append(district_unit)
    names = tuple(name_of(u.label.split(",")[0]) for u in building)
    by_name: dict[tuple[str, str], list[int]] = {}
    by_core: dict[str, list[int]] = {}
    for position, name in enumerate(names):
        by_name.setdefault(name, []).append(position)
        by_core.setdefault(name[1], []).append(position)
    return _Units(
        labels=tuple(u.label for u in building),
        names=names,
        within=tuple(tuple(sorted(u.within)) for u in building),
        pieces=tuple(tuple(sorted(u.pieces)) for u in building),
        current=tuple(u.current for u in building),
        by_name={name: tuple(found) for name, found in by_name.items()},
        by_core={core: tuple(found) for core, found in by_core.items()},
        of_piece=tuple(of_piece),
        province_of_piece=tuple(province_of_piece),
        district_of_piece=tuple(district_of_piece),
    )
