"""payment_status: which bills of a linked customer are paid, the debt, due dates, overdue."""

from __future__ import annotations

from handlers import texts
from handlers.bills import month_name
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen
from handlers.format import format_date, format_money
from handlers.menu import intent_button
from handlers.personal import about, pressed
from handlers.types import Button, Reply
from meters.records import CustomerDetails
from nlu import Intent

STATUS_VIEW = "status"


def answer_payment_status(turn: Turn, deps: Deps) -> Answer:
    """Answer "đã đóng tiền chưa / còn nợ bao nhiêu / hạn ngày mấy" for the chat's customer."""
    chosen = about(turn, deps, texts.WHAT_PAYMENT, Intent.PAYMENT_STATUS, STATUS_VIEW)
    if not isinstance(chosen, Chosen):
        return chosen
    return say(status_reply(chosen.customer, deps))


def payment_status_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The "Tình trạng thanh toán" button: `paystatus:<customer id>`."""
    chosen = pressed(
        turn,
        deps,
        texts.WHAT_PAYMENT,
        Intent.PAYMENT_STATUS,
        view=STATUS_VIEW,
        customer_id=argument,
    )
    if not isinstance(chosen, Chosen):
        return chosen
    return say(status_reply(chosen.customer, deps))


def status_reply(customer: CustomerDetails, deps: Deps) -> Reply:
    """Unpaid bills with their due dates and the total owed, or that everything is paid."""
    code = customer.customer_code
    bills = deps.accounts.bills(customer.id)
    buttons = (
        intent_button(texts.BUTTON_PAYMENT_METHODS, Intent.PAYMENT_METHODS),
        intent_button(texts.BUTTON_PAYMENT_POINTS, Intent.PAYMENT_POINTS),
        Button(texts.MENU_BILL, f"bill:latest:{customer.id}"),
    )
    if not bills:
        return Reply(texts.BILL_NONE.format(code=code), buttons[:2])
    unpaid = [bill for bill in bills if bill.paid_at is None]
    if not unpaid:
        latest = bills[0]
        lines = [texts.PAYMENT_ALL_PAID.format(code=code)]
        assert latest.paid_at is not None
        lines.append(
            texts.PAYMENT_LATEST_PAID.format(
                month=month_name(latest.period_end),
                total=format_money(latest.total),
                date=format_date(latest.paid_at.astimezone(deps.config.zone).date()),
            )
        )
        return Reply("\n".join(lines), buttons[2:])
    lines = [texts.PAYMENT_UNPAID_HEADER.format(code=code, count=len(unpaid))]
    overdue_any = False
    for bill in sorted(unpaid, key=lambda bill: bill.due_date):
        line = texts.PAYMENT_UNPAID_LINE.format(
            month=month_name(bill.period_end),
            total=format_money(bill.total),
            due=format_date(bill.due_date),
        )
        overdue = (deps.today - bill.due_date).days
        if overdue > 0:
            overdue_any = True
            line += texts.PAYMENT_UNPAID_OVERDUE.format(days=overdue)
        lines.append(line)
    lines.append(texts.PAYMENT_TOTAL_DEBT.format(total=format_money(sum(b.total for b in unpaid))))
    if overdue_any:
        lines.append(texts.PAYMENT_OVERDUE_WARNING)
    else:
        due = min(bill.due_date for bill in unpaid)
        lines.append(
            texts.PAYMENT_DUE_SOON.format(date=format_date(due), days=(due - deps.today).days)
        )
    return Reply("\n".join(lines), buttons)
