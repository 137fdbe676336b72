"""When the bot hands a chat to a person without being asked: a hazard, and only a hazard.

A hazard is urgent: after the safety advice and the filed incident, a case opens at once. Where
the bot cannot help otherwise (an anomaly it cannot explain, the second misunderstood message
in a row) it offers a person with buttons instead (`menu.agent_offer`, `smalltalk.unknown`,
`abnormal`), and the customer decides.
"""

from __future__ import annotations

from handlers import agent, incident
from handlers.context import Answer, Deps, Step, Turn
from meters.case_records import BY_BOT


def outage_report(turn: Turn, deps: Deps) -> Answer:
    """A reported outage is filed; a hazard also goes to a person at once."""
    answer = incident.answer_outage_report(turn, deps)
    hazard = turn.entities.get("hazard") is True or incident.is_hazard(turn.update.text)
    if not hazard or answer.step is not Step.IDLE:
        return answer
    handoff = agent.talk_to_agent(turn, deps, reason="hazard", opened_by=BY_BOT)
    return Answer(
        replies=answer.replies + handoff.replies,
        effects=answer.effects + handoff.effects,
        step=Step.HUMAN,
    )
