"""The main menu and the small replies every capability shares."""

from __future__ import annotations

from handlers import texts
from handlers.context import ConversationConfig, Deps, Turn
from handlers.types import Button, ButtonKind, Channel, Reply
from meters.records import CustomerDetails
from nlu import Intent


def intent_button(label: str, intent: Intent) -> Button:
    """A button that asks the same as typing a question of `intent`."""
    return Button(label, f"i:{intent.value}")


MENU_BUTTONS = (
    intent_button(texts.MENU_USAGE, Intent.USAGE_QUERY),
    intent_button(texts.MENU_BILL, Intent.BILL_QUERY),
    intent_button(texts.MENU_PAYMENT, Intent.PAYMENT_METHODS),
    intent_button(texts.MENU_OUTAGE, Intent.OUTAGE_SCHEDULE),
    intent_button(texts.MENU_CALCULATOR, Intent.BILL_CALCULATE),
    intent_button(texts.MENU_REQUESTS, Intent.REQUEST_STATUS),
    intent_button(texts.MENU_LINK, Intent.ACCOUNT_LINK),
    intent_button(texts.MENU_AGENT, Intent.TALK_TO_AGENT),
)

AGENT_BUTTON = intent_button(texts.MENU_AGENT, Intent.TALK_TO_AGENT)
CANCEL_BUTTON = Button(texts.BUTTON_CANCEL, "cancel")
DECLINE_AGENT = "no"  # `agent:no`: the offer of a person declined


def agent_offer(reason: str, text: str = texts.HANDOFF_OFFER) -> Reply:
    """The offer of a person when the bot cannot help: yes opens a case for `reason`, no not."""
    return Reply(
        text,
        (
            Button(texts.BUTTON_OFFER_YES, f"agent:{reason}"),
            Button(texts.BUTTON_OFFER_NO, f"agent:{DECLINE_AGENT}"),
        ),
    )


def link_buttons(channel: Channel, config: ConversationConfig) -> tuple[Button, ...]:
    """How this channel can link a customer: the phone card where it is trusted, else a code."""
    if channel.value in config.contact_linking:
        return (
            Button(texts.BUTTON_SHARE_PHONE, kind=ButtonKind.SHARE_CONTACT),
            intent_button(texts.MENU_LINK, Intent.ACCOUNT_LINK),
        )
    return (intent_button(texts.MENU_LINK, Intent.ACCOUNT_LINK),)


def link_needed(what: str, channel: Channel, config: ConversationConfig) -> Reply:
    """The reply to a personal question from a chat without a linked customer."""
    return Reply(
        texts.LINK_NEEDED.format(what=what) + " " + link_how(channel, config),
        link_buttons(channel, config),
    )


def link_how(channel: Channel, config: ConversationConfig) -> str:
    """How to link on this channel, in one sentence or two."""
    how = texts.LINK_HOW if channel.value in config.contact_linking else texts.LINK_HOW_CODE_ONLY
    return how + " " + texts.LINK_CODE_EXAMPLE.format(code=config.example_customer_code)


def customer_label(customer: CustomerDetails) -> str:
    """How a customer is named on a button or in a list."""
    return texts.LINKED_CUSTOMER.format(code=customer.customer_code, name=customer.name)


def chat_hotline(turn: Turn, deps: Deps) -> str:
    """The hotline of the chat's linked customers when they share one, else every one by name."""
    numbers = {deps.config.hotline_for(customer.customer_code) for customer in turn.linked}
    if len(numbers) == 1:
        return numbers.pop()
    return deps.config.hotline_for(None)
