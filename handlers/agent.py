"""Handing a chat to a person: the case is recorded and the bot steps aside until `/bot`.

The case (handlers.cases, meters.case_store) gets a request code, the transcript so far, the
linked customer, the NLU's best guess and a due time; every message the customer sends while
waiting goes into the case's transcript, so the agent reads it all and nothing is lost. Until
an agent takes the case, each message is acknowledged (the place in the queue, or the agents'
hours, and the way back to the bot); what the bot still answers meanwhile is chosen by the
dispatcher. A case is opened at once when the customer asks; otherwise the bot offers it
(`menu.agent_offer`), except for a hazard, which `handlers.escalation` hands over at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers import texts
from handlers.attachments import described_file, file_of
from handlers.cases import expected_wait, handoff_due, in_agent_hours, next_opening
from handlers.cases import opening_day_text as _opening_day
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.incident import is_hazard
from handlers.menu import DECLINE_AGENT, MENU_BUTTONS
from handlers.privacy import restore_linked
from handlers.smalltalk import MISSES_BEFORE_AGENT
from handlers.types import Button, NotifyAgents, Reply, Update
from meters.case_records import BY_CUSTOMER, CaseRecord
from meters.case_store import TRANSCRIPT_AUTHORS
from nlu import Intent

TRANSCRIPT_LINES = 20
REASONS = ("asked", "misunderstood", "abnormal", "hazard")
BACK_TO_BOT_DATA = "bot"  # the button under the acknowledgement: what `/bot` does


def talk_to_agent(
    turn: Turn, deps: Deps, reason: str = "asked", *, opened_by: str = BY_CUSTOMER
) -> Answer:
    """Open (or reuse) a case for the call centre and tell the customer what happens next.

    `opened_by` is "bot" only for a case the customer did not ask for (a hazard).
    """
    cases = deps.cases
    customer = turn.linked[0] if turn.linked else None
    hotline = deps.config.hotline_for(customer.customer_code if customer else None)
    existing = cases.open_case_of_chat(turn.chat_user_id)
    if existing is not None and turn.waiting:  # the waiting acknowledgement says it all
        return Answer(replies=(), step=Step.HUMAN)
    if existing is not None:
        text = texts.HANDOFF_ALREADY.format(code=existing.code)
        cases.add_message(existing.id, "customer", incoming_text(turn.update), deps.now)
        cases.add_message(existing.id, "bot", text, deps.now)
        return Answer(replies=(Reply(text),), step=Step.HUMAN)
    reason = _reason(turn, deps, reason)
    unit = (customer.power_company if customer else None) or deps.config.default_unit
    case = cases.create_case(
        chat_user_id=turn.chat_user_id,
        customer_id=customer.id if customer else None,
        unit=unit,
        reason=reason,
        intent_guess=_intent_guess(turn, deps),
        due_at=handoff_due(deps.config, deps.now),
        note=texts.HANDOFF_NOTE,
        now=deps.now,
        opened_by=opened_by,
    )
    # Earlier lines keep when they were said, and the linked customers' values the log masked.
    for line in deps.chats.recent_log_lines(turn.chat_user_id, TRANSCRIPT_LINES):
        text = restore_linked(line.text, turn.linked)
        cases.add_message(case.id, TRANSCRIPT_AUTHORS[line.direction], text, line.said_at)
    cases.add_message(case.id, "customer", incoming_text(turn.update), deps.now)
    replies = (
        Reply(texts.HANDOFF_OPENED.format(code=case.code)),
        Reply(_wait_text(deps, case, hotline)),
    )
    for reply in replies:
        cases.add_message(case.id, "bot", reply.text, deps.now)
    return Answer(
        replies=replies,
        effects=(NotifyAgents(turn.chat_user_id, case.id, reason),),
        step=Step.HUMAN,
    )


def agent_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The buttons of an offer (`agent:<reason>`, `agent:no`) and the "talk to a person" one."""
    if argument == DECLINE_AGENT:
        return say(Reply(texts.HANDOFF_OFFER_DECLINED, MENU_BUTTONS))
    return talk_to_agent(turn, deps, reason=argument if argument in REASONS else "asked")


def asks_for_agent(callback_data: str) -> bool:
    """Whether a pressed button asks for (or declines) a person rather than the bot."""
    prefix = callback_data.partition(":")[0]
    return prefix == "agent" or callback_data == f"i:{Intent.TALK_TO_AGENT.value}"


def is_back_to_bot(update: Update) -> bool:
    """Whether the update is the "back to the bot" button."""
    return update.callback_data == BACK_TO_BOT_DATA


def keep_for_agent(turn: Turn, deps: Deps) -> CaseRecord | None:
    """The chat's open case, with this message added to its transcript (None: none is open)."""
    case = deps.cases.open_case_of_chat(turn.chat_user_id)
    if case is not None:
        update = turn.update
        file = file_of(update.attachment)
        deps.cases.add_message(case.id, "customer", incoming_text(update), deps.now, file=file)
    return case


def waiting_answer(
    turn: Turn, deps: Deps, case: CaseRecord, served: Answer | None, data: Mapping[str, Any]
) -> Answer:
    """What a waiting chat gets: the bot's own answer, if it served one, then the ack.

    The bot's answer goes into the transcript too, so the agent reads what the customer was
    told; the acknowledgement, the same each time, does not.
    """
    replies = () if served is None else served.replies
    for reply in replies:
        deps.cases.add_message(case.id, "bot", reply.text, deps.now)
    ack = waiting_ack(turn, deps, case)
    if ack is not None:
        replies = (*replies, ack)
    effects = () if served is None else served.effects
    return Answer(replies=replies, effects=effects, step=Step.HUMAN, data=data)


def waiting_ack(turn: Turn, deps: Deps, case: CaseRecord) -> Reply | None:
    """The place in the queue or the agents' hours, and the way back; none once an agent has
    the case (the agent answers)."""
    if case.assignee_id is not None:
        return None
    back = (Button(texts.BUTTON_BACK_TO_BOT, BACK_TO_BOT_DATA),)
    if in_agent_hours(deps.config, deps.now):
        position = deps.cases.position(case.id)
        return Reply(texts.WAITING_POSITION.format(code=case.code, position=position), back)
    start, end = deps.config.agent_hours
    customer = turn.linked[0] if turn.linked else None
    text = texts.WAITING_AFTER_HOURS.format(
        code=case.code,
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        day=_opening_day(deps.config, deps.now, next_opening(deps.config, deps.now)),
        hotline=deps.config.hotline_for(customer.customer_code if customer else None),
    )
    return Reply(text, back)


def back_to_bot(turn: Turn, deps: Deps) -> Answer:
    """`/bot`: the bot answers again; an open case is closed as left by the customer."""
    case = deps.cases.open_case_of_chat(turn.chat_user_id)
    if case is not None:
        deps.cases.add_message(case.id, "customer", incoming_text(turn.update), deps.now)
        deps.cases.add_message(case.id, "bot", texts.HANDOFF_LEFT, deps.now)
        deps.cases.close(case.id, "customer_left", deps.now)
        deps.cases.set_status(case.code, "cancelled", texts.HANDOFF_LEFT, deps.now)
    return say(Reply(texts.BACK_TO_BOT, MENU_BUTTONS))


def incoming_text(update: Update) -> str:
    """What the customer sent, as the agent reads it (unmasked: agents may see it)."""
    if update.attachment is not None:
        return described_file(update.attachment.kind, update.text)
    if update.text:
        return update.text
    if update.callback_data:
        return f"[nút {update.callback_data}]"
    if update.contact is not None:
        return f"[danh thiếp {update.contact.phone}]"
    if update.location is not None:
        location = update.location
        return f"[vị trí {location.latitude:.5f}, {location.longitude:.5f}]"
    return "[tin nhắn]"


def _intent_guess(turn: Turn, deps: Deps) -> str | None:
    """What the chat was about: this message's intent when the bot escalated it itself."""
    if turn.intent not in (Intent.TALK_TO_AGENT, Intent.UNKNOWN):
        return turn.intent.value
    return deps.cases.last_intent(turn.chat_user_id)


def _reason(turn: Turn, deps: Deps, asked: str) -> str:
    """Why the chat wants a person: the button's reason, else what the chat went through."""
    if asked != "asked":
        return asked
    saved = deps.chats.state(turn.chat_user_id)
    misses = saved.data.get("misses", 0) if saved is not None else 0
    if isinstance(misses, int) and misses >= MISSES_BEFORE_AGENT:
        return "misunderstood"
    guess = deps.cases.last_intent(turn.chat_user_id)
    if guess == "abnormal_usage":
        return "abnormal"
    if guess == "outage_report":
        recent = deps.chats.recent_log(turn.chat_user_id, 6)
        if any(direction == "in" and is_hazard(line) for direction, line in recent):
            return "hazard"
    return "asked"


def _wait_text(deps: Deps, case: CaseRecord, hotline: str) -> str:
    start, end = deps.config.agent_hours
    if in_agent_hours(deps.config, deps.now):
        wait = expected_wait(deps.cases.waiting(case.unit))
        return texts.HANDOFF_WAIT.format(wait=wait, hotline=hotline)
    opening = next_opening(deps.config, deps.now)
    return texts.HANDOFF_AFTER_HOURS.format(
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        day=_opening_day(deps.config, deps.now, opening),
        hotline=hotline,
    )
