"""bill_query: a linked customer's bill, its tier lines, why it changed, where this period heads.

The bill of a month is the one whose period ends in that month; without a month, the latest.
The tier lines are recomputed with the tariff engine from the bill's own period and kWh and the
customer's contract; a recomputed total that differs from the issued one is pointed out (the
issued bill is what is owed). "Why" (tại sao, tăng, cao hơn) compares with the previous bill
through `tariff.explain.explain_difference`; "dự kiến" / "cuối tháng" is the projection of the
current period (handlers/projection.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers import projection, texts
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen
from handlers.format import format_date, format_kwh, format_money
from handlers.personal import about, pressed, split_argument, view_of
from handlers.slots import ask
from handlers.types import Button, Reply
from meters.records import BillRecord, CustomerDetails
from meters.usage_store import local_midnight
from nlu import Intent
from nlu.normalize import fold
from tariff import Bill, BillLine, BillRequest, LineKind, TariffError, compute_bill
from tariff.explain import explain_difference

# Folded phrases that choose the view of a bill question.
WHY_WORDS = ("tai sao", "vi sao", "sao ", "tang", "cao hon", "nhieu hon", "gap doi", "chenh")
PROJECTION_WORDS = ("du kien", "du tinh", "du bao", "cuoi thang", "cuoi ky", "se het")

LATEST = "latest"
WHY = "why"
PROJECTION = "proj"
MONTH_PREFIX = "month-"  # "month-2026-10"
WH_PER_KWH = 1000
RECENT_SHOWN = 3  # months offered when the asked month has no bill
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def answer_bill(turn: Turn, deps: Deps) -> Answer:
    """Answer a bill question about the chat's own customer."""
    view = view_of(turn) or read_view(turn)
    chosen = about(turn, deps, texts.WHAT_BILL, Intent.BILL_QUERY, view)
    if not isinstance(chosen, Chosen):
        return chosen
    return bill_view(chosen.customer, deps, view)


def bill_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """A button under a bill answer: `bill:<view>:<customer id>`."""
    view, customer_id = split_argument(argument)
    chosen = pressed(
        turn, deps, texts.WHAT_BILL, Intent.BILL_QUERY, view=view, customer_id=customer_id
    )
    if not isinstance(chosen, Chosen):
        return chosen
    return bill_view(chosen.customer, deps, view)


def read_view(turn: Turn) -> str:
    """Which bill answer the message asks for, and of which month."""
    folded = f" {fold(turn.update.text)} "
    month = turn.entities.get("month")
    suffix = f":{month}" if isinstance(month, str) else ""
    if any(word in folded for word in PROJECTION_WORDS):
        return PROJECTION
    if any(word in folded for word in WHY_WORDS):
        return WHY + suffix
    return MONTH_PREFIX + month if isinstance(month, str) else LATEST


def bill_view(customer: CustomerDetails, deps: Deps, view: str) -> Answer:
    """The answer of one view for one customer."""
    if view == PROJECTION:
        return projection.projection_answer(customer, deps)
    bills = deps.accounts.bills(customer.id)
    if not bills:
        return say(Reply(texts.BILL_NONE.format(code=customer.customer_code)))
    kind, _, month = view.partition(":") if view.startswith(WHY) else ("", "", "")
    if view.startswith(MONTH_PREFIX):
        month = view[len(MONTH_PREFIX) :]
    if month and _MONTH.match(month) is None:  # a made-up button: the latest bill
        month = ""
    if month:
        found = [bill for bill in bills if f"{bill.period_end:%Y-%m}" == month]
        if not found:
            return _no_bill_for_month(customer, deps, bills, month)
        bill = found[0]
    else:
        bill = bills[0]
    if kind == WHY:
        return say(why_reply(customer, deps, bill, bills))
    return say(bill_reply(customer, deps, bill, bills))


def bill_request(customer: CustomerDetails, deps: Deps, bill: BillRecord) -> BillRequest:
    """The tariff request of an issued bill: its period and kWh, the customer's contract."""
    request = BillRequest(
        period_start=bill.period_start,
        period_end=bill.period_end,
        kwh=int(bill.kwh),
        households=customer.households,
        customer_type=customer.customer_type,
        voltage_kv=customer.voltage_kv,
        prepaid="prepaid" in deps.usage.meter_kinds(customer.customer_code),
    )
    zone = deps.config.zone
    bands = deps.accounts.band_kwh_between(
        customer.id,
        local_midnight(bill.period_start, zone),
        local_midnight(bill.period_end + timedelta(days=1), zone),
    )
    if bands is None or sum(bands) != int(bill.kwh):
        return request
    normal, peak, offpeak = bands
    return BillRequest(
        period_start=bill.period_start,
        period_end=bill.period_end,
        customer_type=customer.customer_type,
        voltage_kv=customer.voltage_kv,
        normal_kwh=normal,
        peak_kwh=peak,
        offpeak_kwh=offpeak,
    )


def recompute(customer: CustomerDetails, deps: Deps, bill: BillRecord) -> Bill | None:
    """The bill as the tariff engine prices it (None when the tariff does not cover it)."""
    try:
        return compute_bill(bill_request(customer, deps, bill))
    except TariffError:
        return None


def bill_reply(
    customer: CustomerDetails, deps: Deps, bill: BillRecord, bills: tuple[BillRecord, ...]
) -> Reply:
    """The bill: period, kWh, amounts, due date, paid or not, and the recomputed tier lines."""
    days = (bill.period_end - bill.period_start).days + 1
    lines = [
        texts.BILL_HEADER.format(month=month_name(bill.period_end), code=customer.customer_code),
        texts.BILL_PERIOD.format(
            first=format_date(bill.period_start), last=format_date(bill.period_end), days=days
        ),
        texts.BILL_KWH.format(kwh=format_kwh(int(bill.kwh * WH_PER_KWH))),
        texts.BILL_AMOUNT.format(
            before=format_money(bill.amount_before_vat),
            vat=format_money(bill.vat),
            total=format_money(bill.total),
        ),
        texts.BILL_DUE.format(date=format_date(bill.due_date)),
        paid_line(bill, deps),
    ]
    computed = recompute(customer, deps, bill)
    if computed is not None:
        lines.append(texts.BILL_LINES)
        lines.extend(line_text(line, computed.lines) for line in computed.lines)
        if computed.total != bill.total:
            lines.append(
                texts.BILL_RECOMPUTED_DIFFERS.format(
                    recomputed=format_money(computed.total),
                    difference=format_money(abs(computed.total - bill.total)),
                    hotline=deps.config.hotline_for(customer.customer_code),
                )
            )
    return Reply("\n".join(lines), bill_buttons(customer, bill, bills))


def paid_line(bill: BillRecord, deps: Deps) -> str:
    """Paid on which day, unpaid, or unpaid and overdue by how many days."""
    if bill.paid_at is not None:
        return texts.BILL_PAID.format(
            date=format_date(bill.paid_at.astimezone(deps.config.zone).date())
        )
    overdue = (deps.today - bill.due_date).days
    if overdue > 0:
        return texts.BILL_OVERDUE.format(days=overdue)
    return texts.BILL_UNPAID


def line_text(line: BillLine, lines: tuple[BillLine, ...]) -> str:
    """One priced line: "Bậc 2: 50 kWh × 2.050 đ = 102.500 đ" (with its price date if mixed)."""
    values = {
        "kwh": format_kwh(line.kwh * WH_PER_KWH),
        "price": format_money(line.price),
        "amount": format_money(line.amount),
    }
    if line.kind is LineKind.TIER and line.tier is not None:
        text = texts.BILL_LINE_TIER.format(tier=line.tier, **values)
    elif line.kind is LineKind.BAND and line.band is not None:
        text = texts.BILL_LINE_BAND.format(band=texts.BAND_NAMES[line.band.value], **values)
    else:
        text = texts.BILL_LINE_FLAT.format(**values)
    if len({other.tariff_from for other in lines}) > 1:
        text += texts.BILL_LINE_FROM.format(date=format_date(line.tariff_from))
    return text


def why_reply(
    customer: CustomerDetails, deps: Deps, bill: BillRecord, bills: tuple[BillRecord, ...]
) -> Reply:
    """Why this bill differs from the previous one, by cause (days, kWh, tiers, price, VAT)."""
    older = [other for other in bills if other.period_end < bill.period_end]
    buttons = bill_buttons(customer, bill, bills, why=False)
    if not older:
        return Reply(texts.WHY_NO_PREVIOUS.format(month=month_name(bill.period_end)), buttons)
    previous = older[0]
    header = texts.WHY_HEADER.format(
        month=month_name(bill.period_end),
        total=format_money(bill.total),
        previous_month=month_name(previous.period_end),
        previous_total=format_money(previous.total),
        change=change_text(bill.total - previous.total),
    )
    current_request = bill_request(customer, deps, bill)
    previous_request = bill_request(customer, deps, previous)
    kwh_pair = {
        "kwh": format_kwh(int(bill.kwh * WH_PER_KWH)),
        "previous_kwh": format_kwh(int(previous.kwh * WH_PER_KWH)),
    }
    if current_request.kwh is None or previous_request.kwh is None:  # 3-price registers
        detail = texts.WHY_TOU.format(change=change_text(bill.total - previous.total), **kwh_pair)
        return Reply(f"{header}\n{detail}", buttons)
    try:
        difference = explain_difference(previous_request, current_request)
    except TariffError:
        detail = texts.WHY_TOU.format(change=change_text(bill.total - previous.total), **kwh_pair)
        return Reply(f"{header}\n{detail}", buttons)
    lines = [header]
    lines.append(
        texts.WHY_DAYS.format(
            days=difference.current.days,
            previous_days=difference.previous.days,
            amount=signed(difference.days),
        )
    )
    lines.append(texts.WHY_KWH.format(amount=signed(difference.kwh), **kwh_pair))
    if difference.tier_mix:
        lines.append(texts.WHY_TIER_MIX.format(amount=signed(difference.tier_mix)))
    if difference.price_change:
        lines.append(texts.WHY_PRICE.format(amount=signed(difference.price_change)))
    lines.append(texts.WHY_VAT.format(amount=signed(difference.vat)))
    if difference.vat_rate_change:
        lines.append(texts.WHY_VAT_RATE.format(amount=signed(difference.vat_rate_change)))
    return Reply("\n".join(lines), buttons)


def bill_buttons(
    customer: CustomerDetails,
    bill: BillRecord,
    bills: tuple[BillRecord, ...],
    *,
    why: bool = True,
) -> tuple[Button, ...]:
    """Why it changed, the projection, the payment state, and the other recent months."""
    month = f"{bill.period_end:%Y-%m}"
    buttons: list[Button] = []
    if why and any(other.period_end < bill.period_end for other in bills):
        buttons.append(Button(texts.BUTTON_BILL_WHY, f"bill:{WHY}:{month}:{customer.id}"))
    buttons.append(Button(texts.BUTTON_BILL_PROJECTION, f"bill:{PROJECTION}:{customer.id}"))
    buttons.append(Button(texts.BUTTON_PAYMENT_STATUS, f"paystatus:{customer.id}"))
    buttons.extend(
        Button(
            texts.BUTTON_BILL_MONTH.format(month=month_name(other.period_end)),
            f"bill:{MONTH_PREFIX}{other.period_end:%Y-%m}:{customer.id}",
        )
        for other in bills[:RECENT_SHOWN]
        if other.bill_no != bill.bill_no
    )
    return tuple(buttons)


def _no_bill_for_month(
    customer: CustomerDetails, deps: Deps, bills: tuple[BillRecord, ...], month: str
) -> Answer:
    shown = f"{int(month[5:7])}/{month[:4]}"
    code = customer.customer_code
    if month >= f"{deps.today:%Y-%m}":  # not issued yet: where this period is heading
        reading = projection.next_reading_date(customer, deps.today)
        not_yet = Reply(
            texts.BILL_NOT_YET.format(month=shown, code=code, date=format_date(reading))
        )
        return say(not_yet, *projection.projection_answer(customer, deps).replies)
    buttons = tuple(
        Button(
            texts.BUTTON_BILL_MONTH.format(month=month_name(bill.period_end)),
            f"bill:{MONTH_PREFIX}{bill.period_end:%Y-%m}:{customer.id}",
        )
        for bill in bills[:RECENT_SHOWN]
    )
    return ask(
        Reply(texts.BILL_NONE_FOR_MONTH.format(month=shown, code=code), buttons),
        intent=Intent.BILL_QUERY,
        entities={"customer_code": code},
        awaiting=("month",),
        remind=texts.REMIND_BILL_MONTH,
    )


def month_name(day: date) -> str:
    """The month of a day as customers write it: "10/2026"."""
    return f"{day.month}/{day.year}"


def change_text(amount: int) -> str:
    """ "tăng 12.345 đ", "giảm 12.345 đ" or "không đổi"."""
    if amount > 0:
        return texts.WHY_MORE.format(amount=format_money(amount))
    if amount < 0:
        return texts.WHY_LESS.format(amount=format_money(-amount))
    return texts.WHY_SAME


def signed(amount: int) -> str:
    """An amount with its sign: "+12.345 đ", "-1.000 đ"."""
    return (
        texts.SIGNED_PLUS.format(amount=format_money(amount))
        if amount > 0
        else format_money(amount)
    )
