"""Handing a chat to a person: the case is recorded and the bot steps back until `/bot`."""

from __future__ import annotations

from handlers import texts
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.menu import MENU_BUTTONS
from handlers.types import NotifyAgents, Reply


def talk_to_agent(turn: Turn, deps: Deps, reason: str = "asked") -> Answer:
    """Open (or reuse) a case for the call centre and tell the customer what happens next."""
    guess = turn.data.get("last_intent")
    case_id = deps.chats.open_case(
        turn.chat_user_id, reason, str(guess) if guess else turn.intent.value, deps.now
    )
    code = turn.linked[0].customer_code if turn.linked else None
    hotline = deps.config.hotline_for(code)
    return Answer(
        replies=(Reply(texts.AGENT_REQUESTED.format(case=case_id, hotline=hotline)),),
        effects=(NotifyAgents(turn.chat_user_id, case_id, reason),),
        step=Step.HUMAN,
    )


def agent_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The "talk to a person" button."""
    return talk_to_agent(turn, deps, reason=argument or "asked")


def while_with_agent(turn: Turn, deps: Deps) -> Answer:
    """A message while a person has the chat: kept in the log for the agent, no bot reply."""
    return Answer(replies=(), step=Step.HUMAN, data=turn.data)


def back_to_bot(turn: Turn, deps: Deps) -> Answer:
    """`/bot`: the bot answers again."""
    return say(Reply(texts.BACK_TO_BOT, MENU_BUTTONS))
