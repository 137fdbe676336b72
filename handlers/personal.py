"""The customer a personal question is about, kept across the "which customer?" question.

Personal answers (usage, bills, payments, abnormal use) carry a *view* — what exactly was asked,
e.g. "last7" — as a private entity, so that when a chat with several customers is asked which
one, the pressed customer button answers the same question. Buttons under an answer carry the
customer's id; a pressed id is honoured only if this chat has linked that customer.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from handlers.context import Answer, Deps, Turn
from handlers.customers import Chosen, choose_customer
from nlu import Intent

VIEW = "view"  # the private entity key of the view (never an NLU entity name)


def about(turn: Turn, deps: Deps, what: str, intent: Intent, view: str) -> Chosen | Answer:
    """The chat's customer the question is about, or the answer that asks which or refuses."""
    entities = dict(turn.entities)
    entities[VIEW] = view
    asked = replace(turn, intent=intent, entities=MappingProxyType(entities))
    return choose_customer(asked, deps, what)


def pressed(
    turn: Turn, deps: Deps, what: str, intent: Intent, *, view: str, customer_id: str
) -> Chosen | Answer:
    """The customer of a pressed button (only one this chat has linked), else ask as usual."""
    for customer in turn.linked:
        if str(customer.id) == customer_id:
            return Chosen(customer)
    return about(replace(turn, entities=MappingProxyType({})), deps, what, intent, view)


def view_of(turn: Turn) -> str | None:
    """The view saved with the question, when the turn resumes after choosing a customer."""
    view = turn.entities.get(VIEW)
    return view if isinstance(view, str) else None


def split_argument(argument: str) -> tuple[str, str]:
    """`"last7:12"` -> `("last7", "12")`: a button's view and customer id."""
    view, _, customer_id = argument.rpartition(":")
    return view, customer_id
