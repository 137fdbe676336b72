"""payment_pay: "cho tôi link thanh toán": what the chat's customer owes now and how to pay it.

A linked customer gets the amount owed (every unpaid bill), then the ways to pay online with the
provider and the code to enter, never a question for a code the chat has already linked. The
chat cannot take a payment itself yet: the reply says so plainly. Online payment from the chat
(VNPAY and VietQR, issue 22) belongs in this answer: its buttons go first in `pay_buttons`.
Without a linked customer: how to link first.
"""

from __future__ import annotations

from handlers import texts
from handlers.bills import month_name
from handlers.context import Answer, Deps, Turn, say
from handlers.customers import Chosen
from handlers.format import format_date, format_money
from handlers.menu import intent_button
from handlers.payment import pay_with_code, payment_methods
from handlers.personal import about
from handlers.types import Button, Reply
from meters.records import BillRecord, CustomerDetails
from nlu import Intent

PAY_VIEW = "pay"


def answer_payment_pay(turn: Turn, deps: Deps) -> Answer:
    """The amount the chat's customer owes and the ways to pay it; without one, how to link."""
    chosen = about(turn, deps, texts.WHAT_PAY, Intent.PAYMENT_PAY, PAY_VIEW)
    if not isinstance(chosen, Chosen):
        return chosen
    return say(pay_reply(chosen.customer, deps))


def pay_reply(customer: CustomerDetails, deps: Deps) -> Reply:
    """Every unpaid bill and the total; or that nothing is owed, with the last payment."""
    code = customer.customer_code
    bills = deps.accounts.bills(customer.id)
    unpaid = sorted((bill for bill in bills if bill.paid_at is None), key=lambda b: b.due_date)
    buttons = pay_buttons(customer)
    if not bills:
        return Reply(texts.BILL_NONE.format(code=code), buttons)
    if not unpaid:
        lines = [texts.PAY_NOTHING_OWED.format(code=code)]
        last = _last_payment(bills)
        if last is not None and last.paid_at is not None:
            lines.append(
                texts.PAYMENT_LATEST_PAID.format(
                    month=month_name(last.period_end),
                    total=format_money(last.total),
                    date=format_date(last.paid_at.astimezone(deps.config.zone).date()),
                )
            )
        return Reply("\n".join(lines), buttons)
    owed = sum(bill.total for bill in unpaid)
    lines = [texts.PAY_OWED.format(code=code, total=format_money(owed), count=len(unpaid))]
    for bill in unpaid:
        line = texts.PAYMENT_UNPAID_LINE.format(
            month=month_name(bill.period_end),
            total=format_money(bill.total),
            due=format_date(bill.due_date),
        )
        overdue = (deps.today - bill.due_date).days
        if overdue > 0:
            line += texts.PAYMENT_UNPAID_OVERDUE.format(days=overdue)
        lines.append(line)
    lines.append(texts.PAY_NOT_IN_CHAT)
    lines.extend(
        texts.PAY_METHODS_LINE.format(name=method.name, summary=method.summary)
        for method in payment_methods()
        if not method.in_person
    )
    lines.append(pay_with_code(customer, deps))
    return Reply("\n".join(lines), buttons)


def pay_buttons(customer: CustomerDetails) -> tuple[Button, ...]:
    """The buttons under the answer: the other ways to pay and the bill. The buttons that pay
    from the chat (VNPAY, VietQR: issue 22) are to go first.
    """
    return (
        intent_button(texts.BUTTON_PAYMENT_METHODS, Intent.PAYMENT_METHODS),
        intent_button(texts.BUTTON_PAYMENT_POINTS, Intent.PAYMENT_POINTS),
        Button(texts.MENU_BILL, f"bill:latest:{customer.id}"),
    )


def _last_payment(bills: tuple[BillRecord, ...]) -> BillRecord | None:
    paid = [bill for bill in bills if bill.paid_at is not None]
    return max(paid, key=lambda bill: bill.paid_at or bill.due_date) if paid else None
