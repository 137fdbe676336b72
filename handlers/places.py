"""The place a message names, and the data's areas it covers.

The NLU's `area` entity is the name the customer used, as the gazetteer writes it ("Quận Tân
Bình", "Phường Bến Nghé, Quận 1", or an area of the data itself); `areas`, when present, lists
the data's areas that name covers (the wards that took part of a former district). Every
feature that searches by area searches `Place.areas` and shows `label(place)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers import texts
from handlers.context import Turn
from nlu.areas import names_a_place
from nlu.normalize import normalize

AREAS_NAMED = 4  # in a label, then "và N khu vực khác"


@dataclass(frozen=True, slots=True)
class Place:
    """A place asked about: its name and the data's areas it covers (at least one)."""

    name: str
    areas: tuple[str, ...]

    @classmethod
    def of_area(cls, area: str) -> Place:
        """An area of the data, standing for itself."""
        return cls(area, (area,))


def named_place(turn: Turn) -> Place | None:
    """The place of the turn's `area` entity (and its `areas`), if any."""
    area = turn.entities.get("area")
    if not isinstance(area, str) or not area:
        return None
    areas = turn.entities.get("areas")
    if isinstance(areas, Sequence) and not isinstance(areas, str):
        covered = tuple(a for a in areas if isinstance(a, str))
        if covered:
            return Place(area, covered)
    return Place.of_area(area)


def names_unknown_place(turn: Turn) -> bool:
    """Whether the message names a ward, district or province the gazetteer does not know."""
    text = turn.update.text
    return bool(text) and names_a_place(normalize(text).split())


def label(place: Place) -> str:
    """How a reply names the place: "Quận Tân Bình (Phường Tân Sơn Hòa, …)" when it covers
    other areas than itself."""
    if place.areas == (place.name,):
        return place.name
    shown = ", ".join(place.areas[:AREAS_NAMED])
    more = len(place.areas) - AREAS_NAMED
    if more > 0:
        return texts.PLACE_AREAS_MORE.format(place=place.name, areas=shown, count=more)
    return texts.PLACE_AREAS.format(place=place.name, areas=shown)
