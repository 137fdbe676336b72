"""What an appliance uses a day and a month, and what it adds to the bill.

The cost is the marginal price at the customer's own tiers: a linked customer's billing period,
its use so far projected to the reading date (the added kWh sit on top of the whole period's
use); without one, a typical household's month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from handlers import texts
from handlers.calculator import HOUSEHOLD, WH_PER_KWH, format_decimal
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen, choose_customer
from handlers.format import format_date, format_kwh, format_money, group_thousands
from handlers.menu import chat_hotline, intent_button
from handlers.reading import current_period
from handlers.slots import ask, has_any
from handlers.types import Button, Reply
from meters.records import CustomerDetails
from nlu import Intent
from nlu.normalize import fold
from tariff import BillRequest, CustomerType, InvalidBillRequest, TariffError, compute_bill
from tariff.appliances import (
    BTU_PER_HP,
    Appliance,
    ApplianceEstimate,
    air_conditioner,
    estimate_appliance,
    find_appliance,
)
from tariff.explain import project_period_end

TYPICAL_HOUSEHOLD_KWH = 200  # a typical urban household's month (demo homes: 150–450 kWh)
MAX_WATTS = 100_000  # what a pressed button may carry (no household appliance draws more)
MAX_UNITS = 100
HOURS_A_DAY = Decimal(24)
DEFAULT_AC_HP = Decimal(1)  # the most common size in Vietnamese homes (9.000 BTU)
HP_WATTS = Decimal(746)  # what the NLU multiplies a size in HP (or BTU / 9000) by
AIR_CONDITIONER_NAMES = frozenset({"may lanh", "dieu hoa", "may dieu hoa"})
APPLIANCE_PREFIX = "ae"  # button data "ae:<catalogue key>": that appliance at typical use
SUGGESTED = ("may_lanh_1hp", "tu_lanh", "binh_nong_lanh", "may_giat", "quat_dung", "tivi")
# Folded words that say the appliance runs at full power all its hours (no duty cycle).
CONTINUOUS_WORDS = (
    "chay lien tuc",
    "lien tuc",
    "chay suot",
    "khong ngat",
    "khong nghi",
    "khong tat",
    "het cong suat",
    "full cong suat",
)
FIGURES_END = 3  # the header, kWh a day, kWh a month: how they were worked out comes next
CONTINUOUS = "c"  # the last part of a button's data: "ae:<key>:<watts>:<hours>:<quantity>:c"


@dataclass(frozen=True, slots=True)
class Asked:
    """The appliance a message describes, with what the customer said of its use."""

    appliance: Appliance
    quantity: int
    hours_per_day: Decimal
    size_assumed: bool  # an air conditioner of unknown size: the common one was taken
    continuous: bool = False  # at full power all its hours: the catalogue's duty cycle dropped


@dataclass(frozen=True, slots=True)
class Basis:
    """The bill the appliance is added to, and the sentence that says whose it is."""

    request: BillRequest
    sentence: str


def answer_appliance_estimate(turn: Turn, deps: Deps) -> Answer:
    """kWh a day and a month of the appliance in the message, and the cost; else ask."""
    entity = turn.entities.get("appliance")
    if not isinstance(entity, Mapping):
        return _ask()
    asked = appliance_asked(entity)
    if asked is None:
        name = str(entity.get("name") or "")
        return say(Reply(texts.APPLIANCE_ASK_POWER.format(name=name)))
    if has_any(turn.update.text, CONTINUOUS_WORDS):
        asked = replace(asked, continuous=True)
    return _estimate(turn, deps, asked)


def appliance_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`ae:<key>`: a catalogue appliance at its typical use, from the suggestion buttons;
    `ae:<key>:<watts>:<hours>:<quantity>:c`: an estimate again, running continuously.
    """
    key, *use = argument.split(":")
    try:
        appliance = find_appliance(key)
    except InvalidBillRequest:
        return _ask()
    if len(use) != 4 or use[3] != CONTINUOUS:
        return _estimate(turn, deps, Asked(appliance, 1, appliance.hours_per_day, False))
    try:
        watts, hours, quantity = int(use[0]), Decimal(use[1]), int(use[2])
    except (ArithmeticError, ValueError):
        return _ask()
    if not (0 < watts <= MAX_WATTS and 0 < hours <= HOURS_A_DAY and 0 < quantity <= MAX_UNITS):
        return _ask()
    asked = Asked(replace(appliance, watts=watts), quantity, hours, False, continuous=True)
    return _estimate(turn, deps, asked)


def appliance_asked(entity: Mapping[str, object]) -> Asked | None:
    """The catalogue entry (or the customer's own rating) an `appliance` entity describes.

    None when the appliance is not in the catalogue and its power or daily hours are missing.
    """
    name = str(entity.get("name") or "")
    watts = entity.get("watts")
    hours = entity.get("hours_per_day")
    quantity = entity.get("quantity")
    given_watts = watts if isinstance(watts, int) and watts > 0 else None
    given_hours = Decimal(str(hours)) if isinstance(hours, int | float) and hours > 0 else None
    count = quantity if isinstance(quantity, int) and quantity > 0 else 1
    size_assumed = False
    if fold(name) in AIR_CONDITIONER_NAMES:
        appliance, size_assumed = _air_conditioner(given_watts)
    else:
        try:
            appliance = find_appliance(fold(name))
        except InvalidBillRequest:
            if given_watts is None or given_hours is None:
                return None
            appliance = Appliance(
                "custom", name.capitalize(), given_watts, given_hours, Decimal(1), ()
            )
        if given_watts is not None:
            appliance = replace(appliance, watts=given_watts)
    hours_per_day = min(given_hours, Decimal(24)) if given_hours is not None else None
    return Asked(appliance, count, hours_per_day or appliance.hours_per_day, size_assumed)


def _air_conditioner(watts: int | None) -> tuple[Appliance, bool]:
    """The catalogue unit of the size the NLU turned into watts (HP × 746, BTU × 746 / 9000).

    Watts that are not such a size are the unit's own rating, kept on the nearest unit.
    """
    if watts is None:
        return air_conditioner(hp=DEFAULT_AC_HP), True
    half_hp = (Decimal(watts) * 2 / HP_WATTS).to_integral_value(ROUND_HALF_UP)
    if half_hp > 0 and abs(half_hp * HP_WATTS / 2 - watts) <= 1:
        return air_conditioner(hp=half_hp / 2), False
    thousand_btu = (Decimal(watts) * BTU_PER_HP / HP_WATTS / 1000).to_integral_value(ROUND_HALF_UP)
    if thousand_btu > 0 and abs(thousand_btu * 1000 * HP_WATTS / BTU_PER_HP - watts) <= 1:
        return air_conditioner(btu=int(thousand_btu) * 1000), False
    nearest = air_conditioner(btu=round(Decimal(watts) * BTU_PER_HP / HP_WATTS))
    return replace(nearest, watts=watts, name=texts.APPLIANCE_AIR_CONDITIONER), False


def _estimate(turn: Turn, deps: Deps, asked: Asked) -> Answer:
    unit = asked.appliance
    if asked.continuous:
        unit = replace(unit, duty_cycle=Decimal(1))
    if turn.linked:
        chosen = choose_customer(turn, deps, texts.WHAT_USAGE)
        if not isinstance(chosen, Chosen):
            return chosen
        basis = customer_basis(chosen.customer, turn, deps)
    else:
        basis = typical_basis(deps.today, texts.APPLIANCE_BASIS_TYPICAL.format(kwh=_typical_kwh()))
    try:
        estimate = estimate_appliance(
            unit,
            basis.request,
            quantity=asked.quantity,
            hours_per_day=asked.hours_per_day,
        )
        tiers = tiers_reached(basis.request, estimate)
    except TariffError:
        return say(Reply(texts.CALC_FAILED.format(hotline=chat_hotline(turn, deps))))
    appliance = estimate.appliance
    quantity = (
        texts.APPLIANCE_QUANTITY.format(quantity=asked.quantity) if asked.quantity > 1 else ""
    )
    lines = [
        texts.APPLIANCE_HEADER.format(
            name=appliance.name,
            watts=group_thousands(appliance.watts),
            quantity=quantity,
            hours=format_decimal(estimate.hours_per_day),
        ),
        texts.APPLIANCE_PER_DAY.format(kwh=format_kwh(_wh(estimate.kwh_per_day))),
        texts.APPLIANCE_PER_MONTH.format(
            days=estimate.days, kwh=format_kwh(estimate.kwh_per_period * WH_PER_KWH)
        ),
        texts.APPLIANCE_COST.format(total=format_money(estimate.added_total))
        + (texts.APPLIANCE_COST_TIERS.format(tiers=tiers) if tiers else "")
        + ".",
        basis.sentence,
    ]
    if asked.size_assumed:
        lines.append(texts.APPLIANCE_SIZE_ASSUMED)
    buttons = [
        intent_button(texts.BUTTON_TARIFF, Intent.TARIFF_INFO),
        intent_button(texts.MENU_CALCULATOR, Intent.BILL_CALCULATE),
    ]
    if asked.continuous:
        lines.insert(FIGURES_END, texts.APPLIANCE_CONTINUOUS)
    elif appliance.duty_cycle < 1:
        percent = (appliance.duty_cycle * 100).to_integral_value(ROUND_HALF_UP)
        lines.insert(FIGURES_END, texts.APPLIANCE_DUTY_ASSUMED.format(percent=percent))
        buttons.insert(0, _continuous_button(asked, estimate.hours_per_day))
    return say(Reply("\n".join(lines), tuple(buttons)))


def _continuous_button(asked: Asked, hours: Decimal) -> Button:
    """The same estimate at full power all its hours."""
    unit = asked.appliance
    data = f"{APPLIANCE_PREFIX}:{unit.key}:{unit.watts}:{hours.normalize():f}:{asked.quantity}"
    return Button(texts.BUTTON_APPLIANCE_CONTINUOUS, f"{data}:{CONTINUOUS}")


def customer_basis(customer: CustomerDetails, turn: Turn, deps: Deps) -> Basis:
    """The customer's billing period with its use so far projected to the reading date."""
    typical_kwh = _typical_kwh()
    if "lookups" not in deps.chats.active_consents(turn.chat_user_id):
        return typical_basis(deps.today, texts.APPLIANCE_BASIS_NO_CONSENT.format(kwh=typical_kwh))
    first, last = current_period(customer.reading_day, deps.today)
    summary = deps.usage.billing_period_to_date(customer.customer_code, deps.today)
    try:
        customer_type = CustomerType(customer.customer_type)
    except ValueError:
        customer_type = CustomerType.RESIDENTIAL
    if not summary.days:
        sentence = texts.APPLIANCE_BASIS_TYPICAL_LINKED.format(
            kwh=typical_kwh, code=customer.customer_code
        )
        return typical_basis(deps.today, sentence)
    used = round(Decimal(summary.used_wh) / WH_PER_KWH)
    request = BillRequest(
        kwh=used,
        period_start=first,
        period_end=last,
        customer_type=customer_type,
        households=customer.households,
        voltage_kv=customer.voltage_kv,
    )
    projected = project_period_end(request, summary.days[-1].day).projected_kwh
    sentence = texts.APPLIANCE_BASIS_CUSTOMER.format(
        code=customer.customer_code,
        first=format_date(first),
        last=format_date(last),
        used=format_kwh(summary.used_wh),
        projected=format_kwh(projected * WH_PER_KWH),
    )
    return Basis(replace(request, kwh=projected), sentence)


def typical_basis(today: date, sentence: str) -> Basis:
    """A typical household's calendar month."""
    return Basis(HOUSEHOLD.request(TYPICAL_HOUSEHOLD_KWH, today), sentence)


def _typical_kwh() -> str:
    return format_kwh(TYPICAL_HOUSEHOLD_KWH * WH_PER_KWH)


def tiers_reached(base: BillRequest, estimate: ApplianceEstimate) -> str | None:
    """ "bậc 3" or "bậc 3–4": the tiers the appliance's kWh fall in (None: no tiers)."""
    assert base.kwh is not None
    first = _top_tier(replace(base, kwh=base.kwh + 1))
    last = _top_tier(replace(base, kwh=base.kwh + max(estimate.kwh_per_period, 1)))
    if first is None or last is None:
        return None
    if first == last:
        return texts.APPLIANCE_TIER_ONE.format(tier=last)
    return texts.APPLIANCE_TIER_SPAN.format(first=first, last=last)


def _top_tier(request: BillRequest) -> int | None:
    """The highest tier a bill reaches (None when it is not billed by tiers)."""
    tiers = [line.tier for line in compute_bill(request).lines if line.tier is not None]
    return max(tiers) if tiers else None


def _wh(kwh: Decimal) -> int:
    return int((kwh * WH_PER_KWH).to_integral_value(ROUND_HALF_UP))


def _ask() -> Answer:
    buttons = []
    for key in SUGGESTED:
        try:
            appliance = find_appliance(key)
        except InvalidBillRequest:
            continue
        buttons.append(Button(appliance.name, f"{APPLIANCE_PREFIX}:{key}"))
    return ask(
        Reply(texts.APPLIANCE_ASK, tuple(buttons)),
        intent=Intent.APPLIANCE_ESTIMATE,
        entities={},
        awaiting=("appliance",),
        remind=texts.REMIND_APPLIANCE,
    )
