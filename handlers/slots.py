"""Small helpers shared by the handlers: word checks, local times, and asking for a slot."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.context import Answer, Step, Turn
from handlers.format import format_date
from handlers.types import Reply
from nlu import Intent
from nlu.normalize import normalize


def words(text: str) -> str:
    """The message folded as the NLU sees it, padded with spaces for whole-word `in` checks."""
    return f" {normalize(text)} "


def has_any(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether the folded message contains one of the folded, space-padded phrases."""
    folded = words(text)
    return any(f" {phrase} " in folded for phrase in phrases)


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in local time: dd/mm/yyyy HH:MM."""
    local = moment.astimezone(zone)
    return texts.OUTAGE_TIME.format(date=format_date(local.date()), time=f"{local:%H:%M}")


def remember(answer: Answer, extra: Mapping[str, object]) -> Answer:
    """Keep slots the handler found in the text when the answer asks which customer.

    The dispatcher resumes the question with the stored entities only (the text is gone), so
    whatever the handler read from the text itself is stored with them.
    """
    if answer.step is not Step.CHOOSE_CUSTOMER:
        return answer
    stored = answer.data.get("entities")
    entities = dict(stored) if isinstance(stored, Mapping) else {}
    entities.update(extra)
    return dataclasses.replace(answer, data={**answer.data, "entities": entities})


def asking(turn: Turn, intent: Intent, entities: Mapping[str, object]) -> Turn:
    """The turn as if the customer had asked `intent` with these entities (a button press)."""
    return dataclasses.replace(turn, intent=intent, entities=MappingProxyType(dict(entities)))


def ask(
    reply: Reply,
    *,
    intent: Intent,
    entities: Mapping[str, object],
    awaiting: tuple[str, ...],
    remind: str,
) -> Answer:
    """Ask for what `intent` still misses: a question kept pending (handlers.pending).

    It is answered by one of the reply's buttons or by a message carrying one of the
    `awaiting` entities ("location" for a shared place), which resumes `intent` with the
    `entities` known so far; after a digression `remind` offers it again with its buttons.
    """
    known = {name: value for name, value in entities.items() if name not in awaiting}
    return Answer(
        replies=(reply,),
        step=Step.AWAIT_SLOT,
        data={"intent": intent.value, "entities": known, "awaiting": list(awaiting)},
        remind=remind,
    )
