"""Handing a chat to a person: the case is recorded and the bot steps back until `/bot`.

The case (handlers.cases, meters.case_store) gets a request code, the transcript so far, the
linked customer, the NLU's best guess and a due time; every message the customer sends while
waiting goes into the case's transcript, so the agent reads it all and nothing is lost.
"""

from __future__ import annotations

from handlers import texts
from handlers.attachments import described_file, file_of
from handlers.cases import expected_wait, handoff_due, in_agent_hours, next_opening
from handlers.cases import opening_day_text as _opening_day
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.incident import is_hazard
from handlers.menu import MENU_BUTTONS
from handlers.privacy import restore_linked
from handlers.smalltalk import MISSES_BEFORE_AGENT
from handlers.types import NotifyAgents, Reply, Update
from meters.case_records import CaseRecord
from meters.case_store import TRANSCRIPT_AUTHORS
from nlu import Intent

TRANSCRIPT_LINES = 20
REASONS = ("asked", "misunderstood", "abnormal", "hazard")


def talk_to_agent(turn: Turn, deps: Deps, reason: str = "asked") -> Answer:
    """Open (or reuse) a case for the call centre and tell the customer what happens next."""
    cases = deps.cases
    customer = turn.linked[0] if turn.linked else None
    hotline = deps.config.hotline_for(customer.customer_code if customer else None)
    existing = cases.open_case_of_chat(turn.chat_user_id)
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
    """The "talk to a person" button (`agent:<reason>`)."""
    return talk_to_agent(turn, deps, reason=argument if argument in REASONS else "asked")


def while_with_agent(turn: Turn, deps: Deps) -> Answer:
    """A message while a person has the chat: kept for the agent, no bot reply."""
    case = deps.cases.open_case_of_chat(turn.chat_user_id)
    if case is None:  # closed meanwhile: a new case, so that the message reaches a person
        return talk_to_agent(turn, deps)
    update = turn.update
    file = file_of(update.attachment)
    deps.cases.add_message(case.id, "customer", incoming_text(update), deps.now, file=file)
    return Answer(replies=(), step=Step.HUMAN, data=turn.data)


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
