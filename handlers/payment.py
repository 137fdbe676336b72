"""How to pay (the channels, or the one the customer asks about) and where to pay in person.

The channels are data (`handlers/data/payment_methods.json`); the points are the store's, by
area or nearest first to a shared location. Neither is personal: a linked customer only adds
its area as a shortcut button.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import zip_longest

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.menu import intent_button
from handlers.places import Place, label, named_place, names_unknown_place
from handlers.slots import ask
from handlers.types import Button, ButtonKind, Reply
from meters.records import CustomerDetails, PaymentPointRecord
from nlu import Intent
from nlu.normalize import normalize

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
POINTS_SHOWN = 5
METERS_PER_KM = 1000
AREA_PREFIX = "pp"  # button data "pp:c<customer id>": the points of that linked customer's area


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """One way to pay: its name, a one-line summary, the steps, and the words that name it."""

    key: str
    name: str
    summary: str
    how: str
    in_person: bool
    aliases: tuple[str, ...]  # normalised like a message (nlu.normalize)


@cache
def payment_methods() -> tuple[PaymentMethod, ...]:
    """The channels of `handlers/data/payment_methods.json`, in the file's order (read once)."""
    text = resources.files("handlers.data").joinpath("payment_methods.json").read_text("utf-8")
    document = json.loads(text)
    return tuple(
        PaymentMethod(
            key=str(entry["key"]),
            name=str(entry["name"]),
            summary=str(entry["summary"]),
            how=str(entry["how"]),
            in_person=bool(entry["in_person"]),
            aliases=tuple(normalize(str(alias)) for alias in entry["aliases"]),
        )
        for entry in document["methods"]
    )


def methods_named(text: str) -> tuple[PaymentMethod, ...]:
    """The channels a message names ("qua momo được không" -> MoMo), in the order written."""
    padded = f" {normalize(text)} "
    found: list[tuple[int, int, PaymentMethod]] = []
    for order, method in enumerate(payment_methods()):
        positions = [padded.find(f" {alias} ") for alias in method.aliases]
        hits = [position for position in positions if position >= 0]
        if hits:
            found.append((min(hits), order, method))
    return tuple(method for _, _, method in sorted(found, key=lambda hit: hit[:2]))


def answer_payment_methods(turn: Turn, deps: Deps) -> Answer:
    """The channel asked about, or every channel with a line each.

    A chat with linked customers is told their codes and providers, never asked for a code.
    """
    codes = [pay_with_code(customer, deps) for customer in turn.linked]
    pay_now = (intent_button(texts.BUTTON_PAY_NOW, Intent.PAYMENT_PAY),) if codes else ()
    asked = methods_named(turn.update.text)
    if asked:
        replies = [Reply(texts.PAY_METHOD_YES.format(name=m.name, how=m.how)) for m in asked]
        buttons = [*pay_now, intent_button(texts.BUTTON_OTHER_METHODS, Intent.PAYMENT_METHODS)]
        if any(method.in_person for method in asked):
            buttons.insert(0, intent_button(texts.BUTTON_NEAREST_POINTS, Intent.PAYMENT_POINTS))
        buttons.append(intent_button(texts.BUTTON_PAID_YET, Intent.PAYMENT_STATUS))
        last = replies[-1]
        replies[-1] = Reply("\n".join([last.text, *codes]), tuple(buttons))
        return say(*replies)
    lines = [texts.PAY_METHODS_HEADER]
    lines.extend(
        texts.PAY_METHODS_LINE.format(name=m.name, summary=m.summary) for m in payment_methods()
    )
    lines.extend(
        [*codes, texts.PAY_METHODS_FOOTER_LINKED] if codes else [texts.PAY_METHODS_FOOTER]
    )
    return say(
        Reply(
            "\n".join(lines),
            (
                *pay_now,
                intent_button(texts.BUTTON_NEAREST_POINTS, Intent.PAYMENT_POINTS),
                intent_button(texts.BUTTON_PAID_YET, Intent.PAYMENT_STATUS),
            ),
        )
    )


def pay_with_code(customer: CustomerDetails, deps: Deps) -> str:
    """Which provider to choose and which code to enter, for one of the chat's customers."""
    company = deps.config.corporation_for(customer.customer_code) or texts.PAY_COMPANY_UNKNOWN
    return texts.PAY_WITH_CODE.format(company=company, code=customer.customer_code)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two WGS 84 points, in km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def format_distance(km: float) -> str:
    """A distance for people: "350 m" under a kilometre, else "1,2 km"."""
    if km < 1:
        return texts.DISTANCE_METERS.format(meters=round(km * METERS_PER_KM / 10) * 10)
    return texts.DISTANCE_KM.format(km=f"{km:.1f}".replace(".", ","))


def answer_payment_points(turn: Turn, deps: Deps) -> Answer:
    """The points of the place named in the message; without one, ask where (saying so when
    the message names a place the gazetteer does not know)."""
    place = named_place(turn)
    if place is not None:
        return points_in_area(place, deps)
    return _ask_where(turn, unknown=names_unknown_place(turn))


def nearest_points(turn: Turn, deps: Deps) -> Answer:
    """The points nearest to a shared location, nearest first, with the distance to each."""
    location = turn.update.location
    if location is None:
        return _ask_where(turn)
    points = deps.accounts.payment_points()
    if not points:
        return say(Reply(texts.PAY_POINTS_NONE, _online_buttons()))
    by_distance = sorted(
        (
            (haversine_km(location.latitude, location.longitude, p.lat, p.lon), p.point_id, p)
            for p in points
        ),
        key=lambda item: item[:2],
    )
    lines = [texts.PAY_POINTS_NEAREST]
    for number, (km, _, point) in enumerate(by_distance[:POINTS_SHOWN], start=1):
        lines.append(_point_line(number, point, km))
    return say(Reply("\n".join(lines), _online_buttons()))


def area_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The points of a linked customer's area ("c<id>"); any other customer is ignored."""
    for customer in turn.linked:
        if argument == f"c{customer.id}":
            return points_in_area(Place.of_area(customer.area), deps)
    return _ask_where(turn)


def points_in_area(place: Place, deps: Deps) -> Answer:
    """The points of a place's areas, else of the former district around its one area, else
    the offer to share a location."""
    points = _each_area_in_turn(deps.accounts.payment_points(place.areas), place.areas)
    header = texts.PAY_POINTS_IN_AREA.format(area=label(place))
    district = deps.areas.wider(place.areas[0]) if len(place.areas) == 1 else None
    if not points and district is not None:
        around = deps.areas.covered(district)
        points = _each_area_in_turn(deps.accounts.payment_points(around), around)
        header = texts.PAY_POINTS_IN_DISTRICT.format(area=label(place), district=district)
    if not points:
        text = texts.PAY_POINTS_NONE_IN_AREA.format(area=label(place))
        return say(Reply(text, (_location_button(),)))
    lines = [header]
    for number, point in enumerate(points[:POINTS_SHOWN], start=1):
        lines.append(_point_line(number, point, None))
    return say(Reply("\n".join(lines), (_location_button(), *_online_buttons())))


def _each_area_in_turn(
    points: tuple[PaymentPointRecord, ...], areas: tuple[str, ...]
) -> tuple[PaymentPointRecord, ...]:
    """The points, one of each area in turn (in the areas' order), so that the first few shown
    cover every area of a former district; in store order within an area."""
    by_area: dict[str, list[PaymentPointRecord]] = {area: [] for area in areas}
    for point in points:
        by_area.setdefault(point.area, []).append(point)
    queues = [iter(of_area) for of_area in by_area.values()]
    return tuple(point for row in zip_longest(*queues) for point in row if point is not None)


def _point_line(number: int, point: PaymentPointRecord, km: float | None) -> str:
    line = texts.PAY_POINT_LINE.format(
        number=number,
        name=point.name,
        kind=point.kind,
        address=point.address,
        hours=point.opening_hours,
    )
    if km is None:
        return line
    first, newline, rest = line.partition("\n")
    distance = texts.PAY_POINT_DISTANCE.format(distance=format_distance(km))
    return first + distance + newline + rest


def _ask_where(turn: Turn, *, unknown: bool = False) -> Answer:
    """Ask for a location or an area; the chat's own customers' areas are offered as buttons.

    `unknown`: the message named a place the gazetteer does not know, and the reply says so.
    """
    buttons = [_location_button()]
    seen: set[str] = set()
    for customer in turn.linked:
        if customer.area not in seen:
            seen.add(customer.area)
            buttons.append(Button(customer.area, f"{AREA_PREFIX}:c{customer.id}"))
    text = f"{texts.PLACE_UNKNOWN}\n{texts.PAY_POINTS_ASK}" if unknown else texts.PAY_POINTS_ASK
    return ask(
        Reply(text, tuple(buttons)),
        intent=Intent.PAYMENT_POINTS,
        entities={},
        awaiting=("area", "location"),
        remind=texts.REMIND_PAYMENT_AREA,
    )


def _location_button() -> Button:
    return Button(texts.BUTTON_SHARE_LOCATION, kind=ButtonKind.SHARE_LOCATION)


def _online_buttons() -> tuple[Button, ...]:
    return (intent_button(texts.BUTTON_OTHER_METHODS, Intent.PAYMENT_METHODS),)
