"""Planned interruptions (lịch tạm ngừng cung cấp điện): the customer's own station first.

A linked customer sees the outages that cut their own station, then the others of their area.
An area named in the message, or a chat without a linked customer, gets the area's schedule:
public information, which never says whose station it cuts unless the chat owns that customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import choose_customer
from handlers.format import format_date
from handlers.menu import link_buttons
from handlers.places import Place, label, named_place, names_unknown_place
from handlers.slots import ask, asking, format_moment, has_any, remember
from handlers.types import Button, Reply
from meters.records import CustomerDetails, OutageRecord
from nlu import Intent

DEFAULT_DAYS = 7
MAX_LINES = 10
MAX_AREA_BUTTONS = 8
THIS_WEEK = ("tuan nay",)
NEXT_WEEK = ("tuan sau", "tuan toi")


@dataclass(frozen=True, slots=True)
class Period:
    """The time a schedule question is about; `key` names it on a button."""

    key: str  # "n7" next 7 days, "tw" this week, "nw" next week, "dYYYYMMDD" one day
    start: datetime
    end: datetime
    label: str


def answer_outage_schedule(turn: Turn, deps: Deps) -> Answer:
    """The planned outages of the period asked for, for the chat's customer or an area."""
    period = _period_of(turn, deps)
    place = named_place(turn)
    if place is not None:
        return say(*_area_schedule(turn, deps, place, period))
    unknown = names_unknown_place(turn)
    if unknown or (not turn.linked and "customer_code" not in turn.entities):
        return ask(
            _ask_area(turn, deps, period, unknown=unknown),
            intent=Intent.OUTAGE_SCHEDULE,
            entities={**turn.entities, "period": period.key},
            awaiting=("area",),
            remind=texts.REMIND_OUTAGE_AREA,
        )
    chosen = choose_customer(turn, deps, texts.WHAT_OUTAGE)
    if isinstance(chosen, Answer):
        return remember(chosen, {"period": period.key})
    return say(_customer_schedule(deps, chosen.customer, period))


def outage_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`outage:a<place index>:<period>` or `outage:<customer code>:<period>`; the index is the
    name's position in the gazetteer (an area of the data, or a name covering several)."""
    target, _, key = argument.partition(":")
    entities: dict[str, object] = {"period": key}
    names = deps.areas.names
    if target.startswith("a") and target[1:].isdigit() and int(target[1:]) < len(names):
        name = names[int(target[1:])]
        entities["area"] = name
        entities["areas"] = list(deps.areas.covered(name))
    elif target:
        entities["customer_code"] = target
    return answer_outage_schedule(asking(turn, Intent.OUTAGE_SCHEDULE, entities), deps)


def resolve_period(key: str, deps: Deps) -> Period | None:
    """The period a key names, seen from `deps.now`; None for a key that names nothing."""
    today = deps.today
    if key == "n7":
        return _period(key, deps.now, deps.now + timedelta(days=DEFAULT_DAYS), deps)
    if key == "tw":
        return _period(key, deps.now, _midnight(_next_monday(today), deps), deps)
    if key == "nw":
        monday = _midnight(_next_monday(today), deps)
        return _period(key, monday, monday + timedelta(days=7), deps)
    if key.startswith("d") and len(key) == 9 and key[1:].isdigit():
        try:
            day = date(int(key[1:5]), int(key[5:7]), int(key[7:9]))
        except ValueError:
            return None
        start = _midnight(day, deps)
        return Period(key, start, start + timedelta(days=1), _day_label(day))
    return None


def _period_of(turn: Turn, deps: Deps) -> Period:
    stored = turn.entities.get("period")
    if isinstance(stored, str):
        found = resolve_period(stored, deps)
        if found is not None:
            return found
    day = turn.entities.get("date")
    key = "n7"
    if isinstance(day, str) and len(day) == 10:
        key = "d" + day.replace("-", "")
    elif has_any(turn.update.text, NEXT_WEEK):
        key = "nw"
    elif has_any(turn.update.text, THIS_WEEK):
        key = "tw"
    return resolve_period(key, deps) or resolve_period("n7", deps)  # type: ignore[return-value]


def _period(key: str, start: datetime, end: datetime, deps: Deps) -> Period:
    zone = deps.config.zone
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    if first == last:
        return Period(key, start, end, _day_label(first))
    label = texts.OUTAGE_PERIOD_RANGE.format(start=format_date(first), end=format_date(last))
    return Period(key, start, end, label)


def _day_label(day: date) -> str:
    return texts.OUTAGE_PERIOD_DAY.format(date=format_date(day))


def _midnight(day: date, deps: Deps) -> datetime:
    return datetime.combine(day, time(0), tzinfo=deps.config.zone)


def _next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def _customer_schedule(deps: Deps, customer: CustomerDetails, period: Period) -> Reply:
    """Outages cutting the customer's station first, then the rest of the customer's area."""
    station = customer.station
    outages = deps.accounts.outages_between(
        period.start, period.end, stations=[station] if station else [], areas=[customer.area]
    )
    own = [o for o in outages if cuts(o, customer)]
    others = [o for o in outages if not cuts(o, customer)]
    code = customer.customer_code
    lines: list[str] = []
    if station is None:
        lines.append(texts.OUTAGE_NO_STATION.format(code=code))
    elif own:
        lines.append(
            texts.OUTAGE_OWN_HEADER.format(period=period.label, code=code, station=station)
        )
        lines.extend(_own_line(deps, outage, station) for outage in own[:MAX_LINES])
    else:
        lines.append(texts.OUTAGE_OWN_NONE.format(station=station, code=code, period=period.label))
    if others:
        lines.append(texts.OUTAGE_AREA_OTHERS.format(area=customer.area))
        lines.extend(_line(deps, outage, ()) for outage in others[:MAX_LINES])
        if len(others) > MAX_LINES:
            lines.append(texts.OUTAGE_MORE.format(count=len(others) - MAX_LINES))
    elif station is None:
        lines.append(texts.OUTAGE_AREA_NONE.format(area=customer.area, period=period.label))
    buttons = [Button(texts.BUTTON_OUTAGE_SUBSCRIBE, f"sub:outage:{code}")]
    if period.key != "nw":
        buttons.insert(0, Button(texts.BUTTON_OUTAGE_NEXT_WEEK, f"outage:{code}:nw"))
    return Reply("\n".join(lines), tuple(buttons))


def _area_schedule(turn: Turn, deps: Deps, place: Place, period: Period) -> tuple[Reply, ...]:
    """A place's outages (public), each line with its area when the place covers several; a
    station of the chat's own customers is pointed out."""
    outages = deps.accounts.outages_between(
        period.start, period.end, stations=[], areas=place.areas
    )
    buttons: list[Button] = []
    names = deps.areas.names
    if place.name in names and period.key != "nw":
        index = names.index(place.name)
        buttons.append(Button(texts.BUTTON_OUTAGE_NEXT_WEEK, f"outage:a{index}:nw"))
    shown = label(place)
    if not outages:
        text = texts.OUTAGE_AREA_NONE.format(area=shown, period=period.label)
    else:
        several = len(place.areas) > 1
        lines = [texts.OUTAGE_AREA_HEADER.format(area=shown, period=period.label)]
        lines.extend(
            _line(deps, outage, turn.linked, with_area=several) for outage in outages[:MAX_LINES]
        )
        if len(outages) > MAX_LINES:
            lines.append(texts.OUTAGE_MORE.format(count=len(outages) - MAX_LINES))
        text = "\n".join(lines)
    replies = [Reply(text, tuple(buttons))]
    if not turn.linked:
        channel = turn.update.channel
        replies.append(Reply(texts.OUTAGE_LINK_OFFER, link_buttons(channel, deps.config)))
    return tuple(replies)


def _ask_area(turn: Turn, deps: Deps, period: Period, *, unknown: bool = False) -> Reply:
    """Which area: buttons for the areas that have outages in the period, and how to link;
    `unknown`: the message named a place the gazetteer does not know, and the reply says so."""
    outages = deps.accounts.outages_between(
        period.start, period.end, stations=[], areas=tuple(deps.areas)
    )
    areas = list(dict.fromkeys(o.area for o in outages if o.area in deps.areas))
    link = link_buttons(turn.update.channel, deps.config)
    first = f"{texts.PLACE_UNKNOWN}\n" if unknown else ""
    if not areas:
        return Reply(first + texts.OUTAGE_ASK_AREA_NONE.format(period=period.label), link)
    buttons = tuple(
        Button(area, f"outage:a{deps.areas.index(area)}:{period.key}")
        for area in areas[:MAX_AREA_BUTTONS]
    )
    return Reply(first + texts.OUTAGE_ASK_AREA.format(period=period.label), buttons + link)


def cuts(outage: OutageRecord, customer: CustomerDetails) -> bool:
    """Whether an outage cuts the customer: their station, or their whole area."""
    if customer.station is not None and customer.station in outage.stations:
        return True
    return not outage.stations and outage.area == customer.area


def _own_line(deps: Deps, outage: OutageRecord, station: str) -> str:
    zone = deps.config.zone
    return texts.OUTAGE_LINE_OWN.format(
        start=format_moment(outage.starts_at, zone),
        end=format_moment(outage.ends_at, zone),
        station=station,
        reason=outage.reason,
    )


def _line(
    deps: Deps,
    outage: OutageRecord,
    linked: tuple[CustomerDetails, ...],
    *,
    with_area: bool = False,
) -> str:
    """One outage of an area (named when `with_area`), marked when it cuts a customer the chat
    owns."""
    zone = deps.config.zone
    line = (texts.OUTAGE_LINE_IN_AREA if with_area else texts.OUTAGE_LINE).format(
        start=format_moment(outage.starts_at, zone),
        end=format_moment(outage.ends_at, zone),
        area=outage.area,
        stations=", ".join(outage.stations) or texts.OUTAGE_WHOLE_AREA,
        reason=outage.reason,
    )
    for customer in linked:
        if cuts(outage, customer):
            line += texts.OUTAGE_LINE_CUTS.format(code=customer.customer_code)
    return line
