"""When the NLU cannot choose between its two best intents: ask, with one button for each.

"Anh/chị muốn xem lịch cắt điện hay báo mất điện?" — a button sends `i:<intent>`, which asks
that intent as if typed. A hazard is never delayed by a question, and an intent without a
choice label (a greeting, thanks) is answered rather than offered.
"""

from __future__ import annotations

from handlers import incident, texts
from handlers.context import Answer, Deps, Turn, say
from handlers.menu import intent_button
from handlers.types import Reply
from nlu import Intent


def should_ask(turn: Turn) -> bool:
    """Whether the turn's intent and its close runner-up are both worth offering."""
    runner_up = turn.alternative
    if runner_up is None or runner_up is turn.intent:
        return False
    if turn.intent is Intent.OUTAGE_REPORT and incident.is_hazard(turn.update.text):
        return False
    return {turn.intent.value, runner_up.value} <= texts.CLARIFY_CHOICES.keys()


def ask_which(turn: Turn, deps: Deps) -> Answer:
    """The question between the turn's intent and its runner-up, with a button for each."""
    del deps
    assert turn.alternative is not None  # should_ask said so
    first, second = turn.intent, turn.alternative
    question = texts.CLARIFY_QUESTION.format(
        first=texts.CLARIFY_CHOICES[first.value], second=texts.CLARIFY_CHOICES[second.value]
    )
    buttons = tuple(
        intent_button(_capitalised(texts.CLARIFY_CHOICES[intent.value]), intent)
        for intent in (first, second)
    )
    return say(Reply(question, buttons))


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]
