"""Which of the chat's own customers a question is about; never anyone else's."""

from __future__ import annotations

from dataclasses import dataclass

from handlers import texts
from handlers.context import Answer, Deps, Step, Turn
from handlers.menu import customer_label, link_needed
from handlers.types import Button, Reply
from meters.records import CustomerDetails


@dataclass(frozen=True, slots=True)
class Chosen:
    """The customer a question is about."""

    customer: CustomerDetails


def choose_customer(turn: Turn, deps: Deps, what: str) -> Chosen | Answer:
    """The linked customer the question names or implies, or the answer that asks or refuses.

    A code in the message that the chat has not linked gets an explanation, never data, and
    counts as a failed attempt so that guessing codes slows down.
    """
    named = turn.entities.get("customer_code")
    if isinstance(named, str):
        for customer in turn.linked:
            if customer.customer_code == named:
                return Chosen(customer)
        deps.chats.record_failed_link(turn.chat_user_id, deps.now)
        return Answer(
            replies=(
                Reply(
                    texts.CODE_NOT_LINKED.format(code=named),
                    link_needed(what, turn.update.channel, deps.config).buttons,
                ),
            )
        )
    if not turn.linked:
        return Answer(replies=(link_needed(what, turn.update.channel, deps.config),))
    if len(turn.linked) == 1:
        return Chosen(turn.linked[0])
    chosen_id = turn.data.get("customer_id")
    for customer in turn.linked:
        if customer.id == chosen_id:
            return Chosen(customer)
    buttons = tuple(Button(customer_label(c), f"c:{c.id}") for c in turn.linked)
    return Answer(
        replies=(Reply(texts.CHOOSE_CUSTOMER, buttons),),
        step=Step.CHOOSE_CUSTOMER,
        data={"intent": turn.intent.value, "entities": dict(turn.entities)},
    )
