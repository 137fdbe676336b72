"""The bill calculator (kWh -> bill, money -> kWh) and the residential tier table.

Bills are computed by the tariff engine for the current calendar month; the tariff is the
residential one for one household unless the chat has exactly one linked customer, whose
contract (type, households, voltage) is then used.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.format import format_date, format_kwh, format_money, group_thousands
from handlers.menu import chat_hotline, intent_button
from handlers.slots import ask
from handlers.types import Button, Reply
from meters.records import CustomerDetails
from nlu import Intent
from nlu.normalize import normalize
from tariff import (
    Bill,
    BillLine,
    BillRequest,
    CustomerType,
    LineKind,
    TariffError,
    compute_bill,
    default_schedule_book,
    default_vat_table,
)

WH_PER_KWH = 1000
MAX_KWH = 1_000_000  # a month of a large factory; more is not a chat question
MAX_MONEY = 5_000_000_000
EXAMPLE_KWH = (100, 200, 300, 500)
CALC_PREFIX = "bc"  # button data "bc:<kwh>": the bill of that many kWh
_TIER_ASKED = re.compile(r"\bbac (\d{1,2}|mot|hai|ba|bon|nam|sau|bay)\b")
_TIER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7}


@dataclass(frozen=True, slots=True)
class Tariff:
    """Whose prices a calculation uses: the contract of one linked customer, or a household."""

    customer_type: CustomerType
    households: Decimal
    voltage_kv: Decimal
    customer_code: str | None

    def request(self, kwh: int, today: date) -> BillRequest:
        """The bill request of `kwh` over the calendar month of `today`."""
        first, last = month_of(today)
        return BillRequest(
            kwh=kwh,
            period_start=first,
            period_end=last,
            customer_type=self.customer_type,
            households=self.households,
            voltage_kv=self.voltage_kv,
        )

    def describe(self) -> str:
        """How the header names the tariff: "giá sinh hoạt, 1 hộ theo hợp đồng mã …"."""
        if self.customer_type is CustomerType.RESIDENTIAL:
            text = texts.CALC_TARIFF_RESIDENTIAL.format(households=format_decimal(self.households))
        else:
            group = texts.CUSTOMER_GROUPS[self.customer_type.value]
            text = texts.CALC_TARIFF_OTHER.format(group=group)
        if self.customer_code is not None:
            text += texts.CALC_FOR_CUSTOMER.format(code=self.customer_code)
        return text


HOUSEHOLD = Tariff(CustomerType.RESIDENTIAL, Decimal(1), Decimal("0.4"), None)


def month_of(today: date) -> tuple[date, date]:
    """The first and last day of `today`'s calendar month."""
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def format_decimal(value: Decimal) -> str:
    """A small decimal the Vietnamese way: 1 -> "1", 1.5 -> "1,5"."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def tariff_of(turn: Turn) -> Tariff:
    """The contract of the chat's only linked customer, else one residential household."""
    if len(turn.linked) != 1:
        return HOUSEHOLD
    customer: CustomerDetails = turn.linked[0]
    try:
        customer_type = CustomerType(customer.customer_type)
    except ValueError:
        return HOUSEHOLD
    return Tariff(customer_type, customer.households, customer.voltage_kv, customer.customer_code)


def answer_bill_calculate(turn: Turn, deps: Deps) -> Answer:
    """The bill of the kWh in the message, or the kWh a sum of money buys; else ask."""
    kwh = turn.entities.get("kwh")
    money = turn.entities.get("money")
    if isinstance(kwh, int | float):
        return bill_of(round(kwh), tariff_of(turn), deps)
    if isinstance(money, int):
        return kwh_for(money, tariff_of(turn), deps)
    buttons = tuple(
        Button(format_kwh(value * WH_PER_KWH), f"{CALC_PREFIX}:{value}") for value in EXAMPLE_KWH
    )
    return ask(
        Reply(texts.CALC_ASK, buttons),
        intent=Intent.BILL_CALCULATE,
        entities=turn.entities,
        awaiting=("kwh", "money"),
        remind=texts.REMIND_CALCULATOR,
    )


def calc_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The bill of the kWh on the pressed button."""
    if not argument.isdigit():
        return answer_bill_calculate(turn, deps)
    return bill_of(int(argument), tariff_of(turn), deps)


def bill_of(kwh: int, tariff: Tariff, deps: Deps) -> Answer:
    """The lines, subtotal, VAT and total of `kwh` this month."""
    hotline = deps.config.hotline_for(tariff.customer_code)
    if not 0 <= kwh <= MAX_KWH:
        return say(Reply(texts.CALC_TOO_MUCH.format(hotline=hotline)))
    try:
        bill = compute_bill(tariff.request(kwh, deps.today))
    except TariffError:
        return say(Reply(texts.CALC_FAILED.format(hotline=hotline)))
    header = texts.CALC_HEADER.format(
        kwh=format_kwh(kwh * WH_PER_KWH),
        month=f"{deps.today.month:02d}/{deps.today.year}",
        tariff=tariff.describe(),
    )
    lines = [header, *bill_lines(bill)]
    lines.append(texts.CALC_SUBTOTAL.format(amount=format_money(bill.amount_before_vat)))
    lines.append(
        texts.CALC_VAT.format(rate=format_rate(bill.vat_rate), amount=format_money(bill.vat))
    )
    lines.append(texts.CALC_TOTAL.format(amount=format_money(bill.total)))
    return say(Reply("\n".join(lines), _next_buttons()))


def bill_lines(bill: Bill) -> list[str]:
    """One line per priced quantity; the date a price applies from when the month has two."""
    several_prices = len({line.tariff_from for line in bill.lines}) > 1
    return [_line(line, several_prices) for line in bill.lines]


def _line(line: BillLine, several_prices: bool) -> str:
    values = {
        "kwh": format_kwh(line.kwh * WH_PER_KWH),
        "price": format_money(line.price),
        "amount": format_money(line.amount),
    }
    if line.kind is LineKind.TIER:
        text = texts.CALC_LINE_TIER.format(tier=line.tier, **values)
    elif line.kind is LineKind.BAND and line.band is not None:
        text = texts.CALC_LINE_BAND.format(band=texts.CALC_BAND_NAMES[line.band.value], **values)
    else:
        text = texts.CALC_LINE_FLAT.format(**values)
    if several_prices:
        text += texts.CALC_LINE_FROM.format(date=format_date(line.tariff_from))
    return text


def format_rate(rate: Decimal) -> str:
    """A VAT rate as a percentage: 0.08 -> "8%"."""
    return f"{format_decimal(rate * 100)}%"


def kwh_for(money: int, tariff: Tariff, deps: Deps) -> Answer:
    """The most kWh whose bill this month, VAT included, is at most `money`."""
    hotline = deps.config.hotline_for(tariff.customer_code)
    if not 0 < money <= MAX_MONEY:
        return say(Reply(texts.CALC_TOO_MUCH.format(hotline=hotline)))
    try:
        kwh = affordable_kwh(money, tariff, deps.today)
        bill = compute_bill(tariff.request(kwh, deps.today))
        following = compute_bill(tariff.request(kwh + 1, deps.today))
    except TariffError:
        return say(Reply(texts.CALC_FAILED.format(hotline=hotline)))
    if kwh == 0:
        text = texts.CALC_INVERSE_TOO_LITTLE.format(
            money=format_money(money), total=format_money(following.total)
        )
        return say(Reply(text, _next_buttons()))
    text = texts.CALC_INVERSE.format(
        money=format_money(money),
        rate=format_rate(bill.vat_rate),
        month=f"{deps.today.month:02d}/{deps.today.year}",
        kwh=format_kwh(kwh * WH_PER_KWH),
        tariff=tariff.describe(),
        total=format_money(bill.total),
        next_total=format_money(following.total),
    )
    detail = Button(
        texts.BUTTON_CALC_DETAIL.format(kwh=format_kwh(kwh * WH_PER_KWH)), f"{CALC_PREFIX}:{kwh}"
    )
    return say(Reply(text, (detail, *_next_buttons())))


def affordable_kwh(money: int, tariff: Tariff, today: date) -> int:
    """The largest whole kWh whose total is at most `money` (the total grows with kWh)."""

    def total(kwh: int) -> int:
        return compute_bill(tariff.request(kwh, today)).total

    low, high = 0, 1
    while high <= MAX_KWH and total(high) <= money:
        low, high = high, high * 2
    high = min(high, MAX_KWH + 1)
    while high - low > 1:  # total(low) <= money, and money < total(high) or high > MAX_KWH
        middle = (low + high) // 2
        if total(middle) <= money:
            low = middle
        else:
            high = middle
    return low


def answer_tariff_info(turn: Turn, deps: Deps) -> Answer:
    """The residential tier table in force today, or the one tier asked about; VAT note."""
    try:
        decision = default_schedule_book().in_force(CustomerType.RESIDENTIAL, deps.today)
        vat = default_vat_table().rate_on(deps.today)
    except TariffError:
        return say(Reply(texts.TARIFF_UNKNOWN.format(hotline=chat_hotline(turn, deps))))
    schedule = decision.residential
    assert schedule is not None  # the residential timeline only holds decisions with tiers
    ranges = _tier_ranges(tuple(tier.width for tier in schedule.tiers))
    since = format_date(decision.effective_from)
    rate = format_rate(vat.rate)
    asked = tier_asked(turn.update.text)
    buttons = _next_buttons()
    if asked is not None and 1 <= asked <= len(schedule.tiers):
        price = schedule.tier_price(asked)
        text = texts.TARIFF_ONE.format(
            tier=asked,
            range=ranges[asked - 1],
            price=format_money(price),
            with_vat=format_money(price + vat.tax_on(price)),
            rate=rate,
            decision=decision.name,
            since=since,
        )
        return say(Reply(text, buttons))
    lines = []
    if asked is not None:
        lines.append(texts.TARIFF_NO_SUCH_TIER.format(count=len(schedule.tiers)))
    lines.append(texts.TARIFF_HEADER.format(decision=decision.name, since=since))
    lines.extend(
        texts.TARIFF_TIER.format(tier=tier.number, range=span, price=format_money(tier.price))
        for tier, span in zip(schedule.tiers, ranges, strict=True)
    )
    if schedule.prepaid_price is not None:
        lines.append(texts.TARIFF_PREPAID.format(price=format_money(schedule.prepaid_price)))
    lines.append(texts.TARIFF_VAT_NOTE.format(rate=rate))
    return say(Reply("\n".join(lines), buttons))


def tier_asked(text: str) -> int | None:
    """The tier number a message asks about ("giá bậc 3", "bac ba"), if any."""
    found = _TIER_ASKED.search(normalize(text))
    if found is None:
        return None
    word = found.group(1)
    return int(word) if word.isdigit() else _TIER_WORDS[word]


def _tier_ranges(widths: tuple[int | None, ...]) -> list[str]:
    """ "0–50 kWh", "51–100 kWh", …, "từ 401 kWh trở lên" for the tiers' widths."""
    ranges = []
    reached = 0
    for width in widths:
        low = reached + 1 if reached else 0
        if width is None:
            ranges.append(texts.TARIFF_RANGE_TOP.format(low=group_thousands(reached + 1)))
            break
        reached += width
        ranges.append(
            texts.TARIFF_RANGE.format(low=group_thousands(low), high=group_thousands(reached))
        )
    return ranges


def _next_buttons() -> tuple[Button, ...]:
    return (
        intent_button(texts.BUTTON_TARIFF, Intent.TARIFF_INFO),
        intent_button(texts.BUTTON_APPLIANCE, Intent.APPLIANCE_ESTIMATE),
    )
