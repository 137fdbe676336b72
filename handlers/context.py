"""What a handler receives: the stores of one transaction, the clock, and this turn's facts."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from handlers.types import Effect, Reply, Update
from meters.account_store import SqlAccountStore
from meters.case_store import SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.records import CustomerDetails
from meters.usage import UsageService
from nlu import Intent

# Hotlines of the five power corporations, by the second letter of the customer code.
DEFAULT_HOTLINES: Mapping[str, str] = MappingProxyType(
    {
        "A": "1900 6769",  # EVNNPC
        "B": "1900 1006",  # EVNSPC
        "C": "1900 1909",  # EVNCPC
        "D": "1900 1288",  # EVNHANOI
        "E": "1900 545454",  # EVNHCMC
    }
)


class Step(StrEnum):
    """Where a chat stands between two messages."""

    IDLE = "idle"
    AWAIT_CUSTOMER_CODE = "await_customer_code"
    AWAIT_ONE_TIME_CODE = "await_one_time_code"
    CHOOSE_CUSTOMER = "choose_customer"
    CONFIRM_FORGET = "confirm_forget"
    HUMAN = "human"
    AWAIT_SURVEY_COMMENT = "await_survey_comment"


def _new_one_time_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationConfig:
    """Settings of the conversation that do not change per message."""

    zone: ZoneInfo
    default_hotline: str = "1900 545454"
    hotlines: Mapping[str, str] = field(default_factory=lambda: DEFAULT_HOTLINES)
    code_ttl: timedelta = timedelta(minutes=5)
    code_tries: int = 5
    link_failures_allowed: int = 5  # per `link_failure_window`, then linking pauses
    link_failure_window: timedelta = timedelta(minutes=30)
    new_one_time_code: Callable[[], str] = _new_one_time_code
    code_pepper: bytes = b"dienbot"
    contact_linking: frozenset[str] = frozenset({"telegram"})
    agent_hours: tuple[time, time] = (time(7), time(21))  # when agents answer chats (local)
    handoff_sla: timedelta = timedelta(hours=2)  # a handoff case is due this long after opening
    default_unit: str = "Trung tâm Chăm sóc khách hàng"  # the queue of cases without a unit

    def hotline_for(self, customer_code: str | None) -> str:
        """The hotline of the power corporation of a customer code (the default otherwise)."""
        if customer_code and len(customer_code) > 1:
            return self.hotlines.get(customer_code[1], self.default_hotline)
        return self.default_hotline


@dataclass(frozen=True, slots=True)
class Deps:
    """The stores of this update's transaction, the settings and the moment it is handled."""

    chats: SqlChatStore
    accounts: SqlAccountStore
    usage: UsageService
    config: ConversationConfig
    now: datetime
    areas: tuple[str, ...] = ()  # the NLU's gazetteer: area names present in the data

    @property
    def today(self) -> date:
        """The local date of `now`."""
        return self.now.astimezone(self.config.zone).date()

    @property
    def cases(self) -> SqlCaseStore:
        """The call centre's cases, in this update's transaction."""
        return SqlCaseStore(self.chats.connection)


@dataclass(frozen=True, slots=True)
class Turn:
    """One update as a handler sees it: who, what they asked, and which customers they own."""

    update: Update
    chat_user_id: int
    intent: Intent
    entities: Mapping[str, object]
    linked: tuple[CustomerDetails, ...]
    step: Step = Step.IDLE
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    alternative: Intent | None = None  # the NLU's close runner-up, when it could not choose


@dataclass(frozen=True, slots=True)
class Answer:
    """What a handler decided: replies, effects, and the step the chat moves to."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    step: Step = Step.IDLE
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    forgotten: bool = False  # the chat was deleted: nothing more may be stored about it


def say(*replies: Reply) -> Answer:
    """An answer of plain replies that leaves the chat idle."""
    return Answer(replies=replies)
