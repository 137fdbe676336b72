"""Pending questions: what the bot asked and still waits for, kept across digressions.

An answer that leaves the chat in a step other than idle or human asks a question: which
customer, the customer code, the one-time code, a missing slot (`slots.ask`), a confirmation.
The dispatcher keeps that question in the chat's state with a short reminder, the question's
own buttons and a validity (the one-time code's own expiry; `question_ttl` for the others).
While it is valid:

* a message or a button that answers it resumes it (one of its buttons; a typed value of what
  it waits for, unless the NLU is sure the message asks something else);
* anything else is a digression: answered as usual, then the reminder, and the question stays;
* a newer question replaces it, "hủy" cancels it, a handoff keeps it for when the chat's
  buttons are pressed while a person has the chat.

The flow is drawn in `handlers/pending.mmd`. In the stored state the question sits under
`QUESTION` in `data`, beside the turn-scoped keys (the misses count); the step column is the
question's step, or `human` while a person has the chat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from handlers import texts
from handlers.context import Answer, Deps, Question, Step, Turn
from handlers.types import Button, ButtonKind, Reply
from nlu import Intent

QUESTION = "question"  # the key of the pending question in the state's data
# A message carrying the value a question waits for answers it, unless the NLU is at least
# this sure that it asks something else ("điểm thu tiền ở Tân Bình" is no answer to "which
# area for the outage schedule?"; "quận Tân Bình" alone is).
SURE_OF_ANOTHER_INTENT = 0.6
_NO_QUESTION = (Step.IDLE, Step.HUMAN)

# The entities that answer a step when typed (AWAIT_SLOT names its own in its data).
_AWAITED: Mapping[Step, tuple[str, ...]] = MappingProxyType(
    {
        Step.AWAIT_CUSTOMER_CODE: ("customer_code",),
        Step.CHOOSE_CUSTOMER: ("customer_code",),
    }
)
# Steps whose typed answer is decisive whatever else the NLU read in the message.
_DECISIVE = frozenset({Step.AWAIT_CUSTOMER_CODE})
# The intent a typed answer resumes when the question's data names none.
_RESUMES: Mapping[Step, Intent] = MappingProxyType({Step.AWAIT_CUSTOMER_CODE: Intent.ACCOUNT_LINK})
# The reminder of each step, unless the answer that asked gave its own (`Answer.remind`).
_REMINDERS: Mapping[Step, str] = MappingProxyType(
    {
        Step.AWAIT_CUSTOMER_CODE: texts.REMIND_CUSTOMER_CODE,
        Step.AWAIT_ONE_TIME_CODE: texts.REMIND_ONE_TIME_CODE,
        Step.CHOOSE_CUSTOMER: texts.REMIND_CHOOSE_CUSTOMER,
        Step.CONFIRM_FORGET: texts.REMIND_FORGET,
    }
)


def read_state(
    step_value: str, data: Mapping[str, Any], now: datetime
) -> tuple[bool, Question | None, dict[str, Any]]:
    """(waiting for a person, the pending question if still valid, the turn-scoped data)."""
    step = Step(step_value) if step_value in Step._value2member_map_ else Step.IDLE
    rest = {key: value for key, value in data.items() if key != QUESTION}
    stored = data.get(QUESTION)
    if isinstance(stored, Mapping):
        question = _decoded(stored)
    elif step not in _NO_QUESTION:  # saved before questions were kept apart: all its own data
        question, rest = Question(step=step, data=rest), {}
    else:
        question = None
    if question is not None and question.until is not None and question.until <= now:
        question = None
    return step is Step.HUMAN, question, rest


def turn_view(question: Question | None, rest: Mapping[str, Any]) -> tuple[Step, dict[str, Any]]:
    """The step and data a handler sees: the question's, with the turn-scoped keys beside."""
    if question is None:
        return Step.IDLE, dict(rest)
    return question.step, {**question.data, **rest}


def stored_state(turn: Turn, answer: Answer, deps: Deps) -> tuple[str, dict[str, Any]]:
    """The state to save after an answer: the question it asks or keeps, and its data."""
    if QUESTION in answer.data:  # kept by `keep`, or carried while a person has the chat
        return answer.step.value, dict(answer.data)
    question = asked(turn, answer, deps)
    if question is None:
        return answer.step.value, dict(answer.data)
    return question.step.value, {QUESTION: _encoded(question)}


def asked(turn: Turn, answer: Answer, deps: Deps) -> Question | None:
    """The question an answer asks (None when it leaves the chat idle or with a person)."""
    if answer.step in _NO_QUESTION:
        return None
    until = deps.now + deps.config.question_ttl
    remind = answer.remind or _REMINDERS.get(answer.step)
    if answer.step is Step.AWAIT_ONE_TIME_CODE:
        code = deps.chats.pending_code(turn.chat_user_id)  # the code's own expiry is the truth
        until = code.expires_at if code is not None else deps.now
        local = until.astimezone(deps.config.zone)
        remind = texts.REMIND_ONE_TIME_CODE.format(time=f"{local:%H:%M}")
    buttons = next((reply.buttons for reply in reversed(answer.replies) if reply.buttons), ())
    return Question(answer.step, dict(answer.data), remind, buttons, until)


def keep(turn: Turn, answer: Answer) -> Answer:
    """A digression's answer, with the pending question kept and, if idle, offered again.

    An answer that asks a question of its own replaces the pending one; one that hands the
    chat to a person keeps it silently, so that its buttons still work while waiting. A
    question with nothing to offer again (a free-text step such as the survey's comment)
    ends at a digression.
    """
    question = turn.question
    if question is None or question.remind is None:
        return answer
    if answer.forgotten or answer.step not in _NO_QUESTION:
        return answer
    data = {**answer.data, QUESTION: _encoded(question)}
    if answer.step is Step.HUMAN:
        return dataclasses.replace(answer, data=data)
    reminder = Reply(question.remind, question.buttons)
    return dataclasses.replace(
        answer, replies=(*answer.replies, reminder), step=question.step, data=data
    )


def carried(turn: Turn) -> dict[str, Any]:
    """The state data that keeps the turn's pending question as it is (no answer touched it)."""
    return {} if turn.question is None else {QUESTION: _encoded(turn.question)}


def answered_by_text(question: Question, turn: Turn) -> bool:
    """Whether a typed message answers the question rather than asking something else."""
    awaited = awaited_by(question)
    if not any(name in turn.entities for name in awaited):
        return False
    if question.step in _DECISIVE:
        return True
    return (
        turn.intent is Intent.UNKNOWN
        or turn.intent.value == question.data.get("intent")
        # A customer code typed when one is awaited answers the question, however sure the
        # NLU is that a bare code means "link this code".
        or (turn.intent is Intent.ACCOUNT_LINK and "customer_code" in awaited)
        or turn.confidence < SURE_OF_ANOTHER_INTENT
    )


def answered_by_button(question: Question, data: str) -> bool:
    """Whether a pressed button is one of the question's own (any is, for one without)."""
    return not question.buttons or any(button.data == data for button in question.buttons)


def awaits_location(question: Question | None) -> bool:
    """Whether a shared location answers the question."""
    return question is not None and "location" in awaited_by(question)


def awaited_by(question: Question) -> tuple[str, ...]:
    """The entities (or "location") a question waits for."""
    named = question.data.get("awaiting")
    if question.step is Step.AWAIT_SLOT and isinstance(named, list | tuple):
        return tuple(str(name) for name in named)
    return _AWAITED.get(question.step, ())


def resumed(turn: Turn, question: Question) -> Turn | None:
    """The turn as the question's intent, with its stored entities and the message's on top."""
    named = question.data.get("intent")
    intent = (
        Intent(named) if isinstance(named, str) and named in Intent._value2member_map_ else None
    )
    intent = intent or _RESUMES.get(question.step)
    if intent is None:
        return None
    stored = question.data.get("entities")
    entities = {**(stored if isinstance(stored, Mapping) else {}), **turn.entities}
    return dataclasses.replace(
        turn,
        intent=intent,
        entities=MappingProxyType(entities),
        step=Step.IDLE,
        data=MappingProxyType({}),
        question=None,
    )


def _encoded(question: Question) -> dict[str, Any]:
    """The question as JSON for the state row."""
    return {
        "step": question.step.value,
        "data": dict(question.data),
        "remind": question.remind,
        "buttons": [[b.label, b.data, b.kind.value] for b in question.buttons],
        "until": None if question.until is None else question.until.isoformat(),
    }


def _decoded(stored: Mapping[str, Any]) -> Question | None:
    """The question of a state row; None for anything this version cannot read."""
    step, data, remind = stored.get("step"), stored.get("data"), stored.get("remind")
    if not isinstance(step, str) or step not in Step._value2member_map_:
        return None
    if Step(step) in _NO_QUESTION:
        return None
    try:
        buttons = tuple(
            Button(str(label), str(value), ButtonKind(kind))
            for label, value, kind in stored.get("buttons") or ()
        )
        until = stored.get("until")
        moment = datetime.fromisoformat(until) if isinstance(until, str) else None
    except (TypeError, ValueError):
        return None
    return Question(
        step=Step(step),
        data=dict(data) if isinstance(data, Mapping) else {},
        remind=remind if isinstance(remind, str) else None,
        buttons=buttons,
        until=moment if moment is None or moment.tzinfo is not None else None,
    )
