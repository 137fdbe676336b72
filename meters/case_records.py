"""Frozen records of cases, agents, sessions and surveys (no ORM object leaves `meters/`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Who opened a case: the customer asked (a command, the intent, a button, an accepted offer),
# or the bot handed the chat over by itself (a hazard). docs/agents.md says what each shows.
BY_CUSTOMER, BY_BOT = "customer", "bot"


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A handoff case: its code (a service request id), where it waits and who has it.

    `status` is the request's status (received, forwarded, in_progress, waiting_customer,
    completed, cancelled); `open` tells whether the chat is still with a person.
    """

    id: int
    code: str
    chat_user_id: int
    channel: str
    external_id: str
    display_name: str | None
    customer_id: int | None
    unit: str
    assignee_id: int | None
    assignee_name: str | None
    reason: str
    intent_guess: str | None
    status: str
    open: bool
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    last_message_at: datetime | None = None
    last_customer_text: str | None = None
    opened_by: str = BY_CUSTOMER  # BY_BOT: a case the customer did not ask for (a hazard)


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A file a customer sent in a case: its kind (photo, document…) and where to find it
    (`telegram:<chat id>:<message id>` to copy the message, or the file's URL)."""

    kind: str
    source: str


def case_file(kind: str | None, source: str | None) -> CaseFile | None:
    """The file of a transcript row's two columns (None when the line has none)."""
    return None if kind is None or source is None else CaseFile(kind, source)


@dataclass(frozen=True, slots=True)
class CaseMessageRecord:
    """One line of a case transcript; `author` is customer, agent, bot or note."""

    id: int
    case_id: int
    author: str
    agent_id: int | None
    agent_name: str | None
    text: str
    created_at: datetime
    file: CaseFile | None = None


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """A console user."""

    id: int
    username: str
    display_name: str
    role: str
    unit: str | None
    active: bool

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see every unit's queue and every survey."""
        return self.role == "supervisor"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A live console session and the agent it belongs to."""

    agent: AgentRecord
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """A survey sent about one code."""

    id: int
    code: str
    chat_user_id: int | None
    agent_id: int | None
    unit: str | None
    score: int | None
    comment: str | None
    sent_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class SurveyTally:
    """Survey answers of one agent or unit: how many of each score 1-5."""

    name: str
    counts: tuple[int, int, int, int, int]
    comments: int

    @property
    def answered(self) -> int:
        """How many surveys were answered."""
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        """The mean score, None without answers."""
        total = self.answered
        if not total:
            return None
        return sum((score + 1) * count for score, count in enumerate(self.counts)) / total


@dataclass(frozen=True, slots=True)
class StatusNotice:
    """A status change of a request that a chat should hear about."""

    history_id: int
    request_id: str
    status: str
    note: str | None
    chat_user_id: int
    channel: str
