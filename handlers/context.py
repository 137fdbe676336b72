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

from handlers import texts
from handlers.hotlines import HotlineTable
from handlers.types import Button, Effect, Reply, Update
from meters.account_store import SqlAccountStore
from meters.case_store import SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.demo.customers import first_customer_code
from meters.link_guard import LinkLimits, SqlLinkGuard
from meters.records import CustomerDetails
from meters.usage import UsageService
from nlu import Intent
from nlu.areas import Gazetteer


class Step(StrEnum):
    """Where a chat stands between two messages."""

    IDLE = "idle"
    AWAIT_CUSTOMER_CODE = "await_customer_code"
    AWAIT_ONE_TIME_CODE = "await_one_time_code"
    CHOOSE_CUSTOMER = "choose_customer"
    CONFIRM_FORGET = "confirm_forget"
    HUMAN = "human"
    AWAIT_SURVEY_COMMENT = "await_survey_comment"
    AWAIT_SLOT = "await_slot"  # one missing entity of a question (area, month, service type…)


def _new_one_time_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationConfig:
    """Settings of the conversation that do not change per message."""

    zone: ZoneInfo
    hotlines: HotlineTable = field(default_factory=HotlineTable)  # DIENBOT_HOTLINES
    example_customer_code: str = field(default_factory=first_customer_code)  # in the demo data
    code_ttl: timedelta = timedelta(minutes=5)
    question_ttl: timedelta = timedelta(minutes=30)  # how long any other question stays pending
    code_tries: int = 5
    link_failures_allowed: int = 5  # per `link_failure_window`, then linking pauses
    link_failure_window: timedelta = timedelta(minutes=30)
    # Lookups per client and in all, codes per customer and phone, wrong codes per customer.
    link_limits: LinkLimits = field(default_factory=LinkLimits)
    new_one_time_code: Callable[[], str] = _new_one_time_code
    # The service passes the pepper it keeps in the store (bot/web/visitor.py); without one,
    # a random pepper of this configuration only.
    code_pepper: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    contact_linking: frozenset[str] = frozenset({"telegram"})
    agent_hours: tuple[time, time] = (time(7), time(21))  # when agents answer chats (local)
    handoff_sla: timedelta = timedelta(hours=2)  # a handoff case is due this long after opening
    default_unit: str = "Trung tâm Chăm sóc khách hàng"  # the queue of cases without a unit

    def hotline_for(self, customer_code: str | None) -> str:
        """The number to call for a customer code: its unit's or its corporation's.

        Without a code, or for a code of no known corporation, every corporation's hotline with
        its name: never one company's number as if it were the customer's.
        """
        found = self.hotlines.of(customer_code)
        if found is not None:
            return found.number
        listed = ", ".join(
            texts.HOTLINE_ITEM.format(name=hotline.name, number=hotline.number)
            for hotline, _prefixes in self.hotlines.corporations()
        )
        return texts.HOTLINES_ANY.format(hotlines=listed)

    def corporation_for(self, customer_code: str | None) -> str | None:
        """The name of the power corporation of a customer code ("EVNCPC"), if known."""
        return self.hotlines.corporation(customer_code)


@dataclass(frozen=True, slots=True)
class Deps:
    """The stores of this update's transaction, the settings and the moment it is handled."""

    chats: SqlChatStore
    accounts: SqlAccountStore
    usage: UsageService
    config: ConversationConfig
    now: datetime
    # The NLU's gazetteer: the data's area names, and every name customers use for them.
    areas: Gazetteer = field(default_factory=Gazetteer)

    @property
    def today(self) -> date:
        """The local date of `now`."""
        return self.now.astimezone(self.config.zone).date()

    @property
    def cases(self) -> SqlCaseStore:
        """The call centre's cases, in this update's transaction."""
        return SqlCaseStore(self.chats.connection)

    @property
    def link_guard(self) -> SqlLinkGuard:
        """The linking limits shared by every process, in this update's transaction."""
        return SqlLinkGuard(self.chats.connection, self.config.link_limits)


@dataclass(frozen=True, slots=True)
class Question:
    """A question the bot asked and still waits for (handlers.pending keeps it in the state).

    `data` is what resumes it (the question's intent and entities, the survey code…);
    `remind` and `buttons` re-offer it after a digression; `until` ends it (None: no limit).
    """

    step: Step
    data: Mapping[str, Any]
    remind: str | None = None
    buttons: tuple[Button, ...] = ()
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """One update as a handler sees it: who, what they asked, and which customers they own.

    `step` and `data` are those of the chat's pending question (IDLE when there is none);
    `waiting` tells that the chat waits for a person (or talks with one).
    """

    update: Update
    chat_user_id: int
    intent: Intent
    entities: Mapping[str, object]
    linked: tuple[CustomerDetails, ...]
    step: Step = Step.IDLE
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    confidence: float = 1.0  # the NLU's, of `intent`
    question: Question | None = None
    waiting: bool = False
    alternative: Intent | None = None  # the NLU's close runner-up, when it could not choose


@dataclass(frozen=True, slots=True)
class Answer:
    """What a handler decided: replies, effects, and the step the chat moves to."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    step: Step = Step.IDLE
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    forgotten: bool = False  # the chat was deleted: nothing more may be stored about it
    remind: str | None = None  # the short line that re-offers this answer's question
    linked: tuple[CustomerDetails, ...] = ()  # customers this turn linked (masked in its log)


def say(*replies: Reply) -> Answer:
    """An answer of plain replies that leaves the chat idle."""
    return Answer(replies=replies)
