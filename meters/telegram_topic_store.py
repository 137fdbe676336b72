"""The Telegram agent groups: which forum topic shows which case, and agents' Telegram accounts.

Several processes may run the agent group at once: a topic is reserved by inserting its row
(the case id is the key), and each customer message is claimed for relaying by moving the
row's `relayed_through` forward with a compare-and-set. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from meters.case_records import CaseFile, case_file
from meters.outbox_store import dialect_insert
from meters.schema import CaseMessage, HandoffCase, TelegramAgent, TelegramTopic

CREATING = "creating"
OPEN = "open"
CLOSED = "closed"
FAILED = "failed"
# Shown in a case's topic as they come: the customer's lines and agents' actions made elsewhere.
# Agents' replies and notes are not: they are typed in the topic or belong to the console.
RELAYED_AUTHORS = ("customer", "event")


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """The topic of one case in one agent group; `thread_id` is None while it is created."""

    case_id: int
    code: str
    chat_id: int
    thread_id: int | None
    state: str
    relayed_through: int
    case_open: bool


_TOPIC_COLUMNS = (
    TelegramTopic.case_id,
    HandoffCase.request_id,
    TelegramTopic.chat_id,
    TelegramTopic.thread_id,
    TelegramTopic.state,
    TelegramTopic.relayed_through,
    HandoffCase.status == "open",
)


def _topic(row: Any) -> TopicRecord:
    return TopicRecord(
        case_id=int(row[0]),
        code=str(row[1]),
        chat_id=int(row[2]),
        thread_id=None if row[3] is None else int(row[3]),
        state=str(row[4]),
        relayed_through=int(row[5]),
        case_open=bool(row[6]),
    )


class SqlTelegramTopicStore:
    """Topics and Telegram agent accounts through one connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # --- topics --------------------------------------------------------------------------------

    def cases_without_topic(self, limit: int = 50) -> tuple[int, ...]:
        """Open cases (with a code) that no agent group shows yet, oldest first."""
        rows = self._connection.execute(
            select(HandoffCase.id)
            .outerjoin(TelegramTopic, TelegramTopic.case_id == HandoffCase.id)
            .where(
                HandoffCase.status == "open",
                HandoffCase.request_id.is_not(None),
                TelegramTopic.case_id.is_(None),
            )
            .order_by(HandoffCase.id)
            .limit(limit)
        )
        return tuple(int(row[0]) for row in rows)

    def live_topics_per_group(self, chat_ids: Sequence[int]) -> dict[int, int]:
        """How many topics of open cases each group has (0 for a group without any)."""
        counts = dict.fromkeys(chat_ids, 0)
        rows = self._connection.execute(
            select(TelegramTopic.chat_id, func.count())
            .where(TelegramTopic.chat_id.in_(chat_ids), TelegramTopic.state.in_((CREATING, OPEN)))
            .group_by(TelegramTopic.chat_id)
        )
        for chat_id, count in rows:
            counts[int(chat_id)] = int(count)
        return counts

    def reserve(self, case_id: int, chat_id: int, now: datetime) -> bool:
        """Claim the case's topic in a group; False when another process already has."""
        result = self._connection.execute(
            dialect_insert(self._connection, TelegramTopic)
            .values(
                case_id=case_id,
                chat_id=chat_id,
                thread_id=None,
                state=CREATING,
                relayed_through=0,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["case_id"])
            .returning(TelegramTopic.case_id)
        )
        return result.first() is not None

    def opened(self, case_id: int, thread_id: int, relayed_through: int) -> None:
        """The topic exists, and shows the case's transcript up to `relayed_through`."""
        self._connection.execute(
            update(TelegramTopic)
            .where(TelegramTopic.case_id == case_id)
            .values(thread_id=thread_id, state=OPEN, relayed_through=relayed_through)
        )

    def set_state(self, case_id: int, state: str) -> None:
        """Mark a topic closed (its case ended) or failed (the group refused the topic)."""
        self._connection.execute(
            update(TelegramTopic).where(TelegramTopic.case_id == case_id).values(state=state)
        )

    def topic(self, case_id: int) -> TopicRecord | None:
        """The topic of a case."""
        row = self._connection.execute(
            self._topics().where(TelegramTopic.case_id == case_id)
        ).first()
        return None if row is None else _topic(row)

    def topics_of_codes(self, codes: Sequence[str]) -> dict[str, TopicRecord]:
        """The topics of these case codes, by code."""
        if not codes:
            return {}
        rows = self._connection.execute(self._topics().where(HandoffCase.request_id.in_(codes)))
        return {row[1]: _topic(row) for row in rows}

    def by_thread(self, chat_id: int, thread_id: int) -> TopicRecord | None:
        """The topic a group message was written in."""
        row = self._connection.execute(
            self._topics().where(
                TelegramTopic.chat_id == chat_id, TelegramTopic.thread_id == thread_id
            )
        ).first()
        return None if row is None else _topic(row)

    def claim_relay(self, case_id: int, message_id: int) -> bool:
        """Claim one case message for relaying: False if this or a later one already was."""
        result = self._connection.execute(
            update(TelegramTopic)
            .where(
                TelegramTopic.case_id == case_id,
                TelegramTopic.state == OPEN,
                TelegramTopic.relayed_through < message_id,
            )
            .values(relayed_through=message_id)
        )
        return bool(result.rowcount)

    def unrelayed(
        self, limit: int = 200
    ) -> tuple[tuple[TopicRecord, int, str, str, CaseFile | None], ...]:
        """Customer messages and agents' actions ("event") of open cases not yet shown in their
        open topic: (topic, id, author, text, the file the customer sent)."""
        rows = self._connection.execute(
            select(
                *_TOPIC_COLUMNS,
                CaseMessage.id,
                CaseMessage.text,
                CaseMessage.file_kind,
                CaseMessage.file_source,
                CaseMessage.author,
            )
            .join(HandoffCase, HandoffCase.id == TelegramTopic.case_id)
            .join(CaseMessage, CaseMessage.case_id == TelegramTopic.case_id)
            .where(
                TelegramTopic.state == OPEN,
                HandoffCase.status == "open",
                CaseMessage.author.in_(RELAYED_AUTHORS),
                CaseMessage.id > TelegramTopic.relayed_through,
            )
            .order_by(CaseMessage.id)
            .limit(limit)
        )
        return tuple(
            (
                _topic(row),
                int(row[7]),
                str(row[11]),
                str(row[8]),
                case_file(row[9], row[10]),
            )
            for row in rows
        )

    def stale(self, before: datetime) -> bool:
        """Whether a topic has been "being created" since before `before`."""
        found = self._connection.execute(
            select(TelegramTopic.case_id)
            .where(TelegramTopic.state == CREATING, TelegramTopic.created_at < before)
            .limit(1)
        ).first()
        return found is not None

    def forget_stale(self, before: datetime) -> int:
        """Drop topics still being created since before `before` (their process died)."""
        result = self._connection.execute(
            delete(TelegramTopic).where(
                TelegramTopic.state == CREATING, TelegramTopic.created_at < before
            )
        )
        return int(result.rowcount)

    def ending_topics(self, limit: int = 50) -> tuple[TopicRecord, ...]:
        """Open topics whose case has been closed (on any surface): they are to be closed."""
        rows = self._connection.execute(
            self._topics()
            .where(TelegramTopic.state == OPEN, HandoffCase.status != "open")
            .order_by(TelegramTopic.case_id)
            .limit(limit)
        )
        return tuple(_topic(row) for row in rows)

    def end_topic(self, case_id: int) -> bool:
        """Claim closing a topic (open -> closed); False when another process did."""
        result = self._connection.execute(
            update(TelegramTopic)
            .where(TelegramTopic.case_id == case_id, TelegramTopic.state == OPEN)
            .values(state=CLOSED)
        )
        return bool(result.rowcount)

    @staticmethod
    def _topics() -> Any:
        return select(*_TOPIC_COLUMNS).join(HandoffCase, HandoffCase.id == TelegramTopic.case_id)

    # --- agents' Telegram accounts ---------------------------------------------------------------

    def agent_of(self, telegram_user_id: int) -> int | None:
        """The agent id behind a Telegram account, if it is registered."""
        found = self._connection.execute(
            select(TelegramAgent.agent_id).where(
                TelegramAgent.telegram_user_id == telegram_user_id
            )
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def link_agent(self, agent_id: int, telegram_user_id: int, now: datetime) -> None:
        """Let a Telegram account act as an agent (replacing the agent's earlier account)."""
        self._connection.execute(
            delete(TelegramAgent).where(
                (TelegramAgent.agent_id == agent_id)
                | (TelegramAgent.telegram_user_id == telegram_user_id)
            )
        )
        self._connection.execute(
            dialect_insert(self._connection, TelegramAgent).values(
                telegram_user_id=telegram_user_id, agent_id=agent_id, created_at=now
            )
        )

    def unlink_agent(self, agent_id: int) -> bool:
        """Forget an agent's Telegram account; False if there was none."""
        result = self._connection.execute(
            delete(TelegramAgent).where(TelegramAgent.agent_id == agent_id)
        )
        return bool(result.rowcount)
