"""When the bot hands a chat to a person by itself: a hazard, a complaint about abnormal use,
and the second message in a row it did not understand (issue 7: "the conversation moves to a
human state"). The bot still answers first (safety advice, the analysis), then the case opens.
"""

from __future__ import annotations

from handlers import abnormal, agent, incident, smalltalk, texts
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.smalltalk import MISSES_BEFORE_AGENT
from handlers.types import Reply


def unknown(turn: Turn, deps: Deps) -> Answer:
    """The apology; on the second miss in a row, a person takes the chat."""
    answer = smalltalk.unknown(turn, deps)
    if int(answer.data.get("misses", 0)) < MISSES_BEFORE_AGENT:
        return answer
    return _then_agent(say(Reply(texts.UNKNOWN_TO_AGENT)), turn, deps, "misunderstood")


def outage_report(turn: Turn, deps: Deps) -> Answer:
    """A reported outage is filed; a hazard also goes to a person at once."""
    answer = incident.answer_outage_report(turn, deps)
    hazard = turn.entities.get("hazard") is True or incident.is_hazard(turn.update.text)
    if not hazard or answer.step is not Step.IDLE:
        return answer
    return _then_agent(answer, turn, deps, "hazard")


def abnormal_usage(turn: Turn, deps: Deps) -> Answer:
    """The customer's own comparison, then a person follows the complaint up."""
    answer = abnormal.answer_abnormal(turn, deps)
    if not turn.linked or answer.step is not Step.IDLE:
        return answer  # asking which customer, or how to link: nothing to hand over yet
    return _then_agent(answer, turn, deps, "abnormal")


def _then_agent(answer: Answer, turn: Turn, deps: Deps, reason: str) -> Answer:
    handoff = agent.talk_to_agent(turn, deps, reason=reason)
    return Answer(
        replies=answer.replies + handoff.replies,
        effects=answer.effects + handoff.effects,
        step=Step.HUMAN,
    )
