"""Greeting, help and menu, thanks, cancel, and what to say when the bot did not understand."""

from __future__ import annotations

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.menu import AGENT_BUTTON, MENU_BUTTONS, link_buttons, link_how
from handlers.types import Reply
from nlu.normalize import fold

MISSES_BEFORE_AGENT = 2
CANCEL_WORDS = frozenset({"huy", "thoi", "cancel", "khong", "stop", "/huy"})


def greet(turn: Turn, deps: Deps) -> Answer:
    """Hello, the menu, and the offer to link when no customer is linked yet."""
    name = turn.update.user.display_name or texts.GREETING_ANONYMOUS_NAME
    replies = [Reply(texts.GREETING.format(name=name), MENU_BUTTONS)]
    if not turn.linked:
        channel = turn.update.channel
        replies.append(
            Reply(
                texts.GREETING_LINK_OFFER + " " + link_how(channel, deps.config),
                link_buttons(channel, deps.config),
            )
        )
    return say(*replies)


def help_menu(turn: Turn, deps: Deps) -> Answer:
    """What the bot can do, with the menu."""
    return say(Reply(texts.HELP.format(examples=texts.HELP_EXAMPLES), MENU_BUTTONS))


def thanks(turn: Turn, deps: Deps) -> Answer:
    """You're welcome."""
    return say(Reply(texts.THANKS))


def unknown(turn: Turn, deps: Deps) -> Answer:
    """A short apology and the menu; after two misses in a row, the offer of an agent."""
    misses = int(turn.data.get("misses", 0)) + 1
    if misses >= MISSES_BEFORE_AGENT:
        return Answer(
            replies=(Reply(texts.UNKNOWN_OFFER_AGENT, (AGENT_BUTTON, *MENU_BUTTONS[:3])),),
            data={"misses": misses},
        )
    return Answer(replies=(Reply(texts.UNKNOWN, MENU_BUTTONS),), data={"misses": misses})


def is_cancel(text: str) -> bool:
    """Whether the message only says to stop what is going on."""
    return fold(text).strip(" .!").lower() in CANCEL_WORDS


def cancel(turn: Turn, deps: Deps) -> Answer:
    """Leave whatever step the chat was in; a one-time code on its way can no longer link."""
    code = deps.chats.pending_code(turn.chat_user_id)
    if code is not None:
        deps.chats.close_code(code.id, deps.now)
    return say(Reply(texts.CANCELLED, MENU_BUTTONS))
