"""Handoff cases: the queue, the transcript, claims, transfers, status and closing; never commits.

A case is a row of `handoff_cases` beside a service request of type "handoff": the request
gives the case its code (YC2026-000123, the same numbering as every request), its status and
its status history, so `request_status` in the chat and `dienbot import requests` see cases
like any other request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, union, update

from meters.account_store import SqlAccountStore
from meters.case_records import (
    BY_CUSTOMER,
    CaseFile,
    CaseMessageRecord,
    CaseRecord,
    StatusNotice,
    case_file,
)
from meters.schema import (
    Agent,
    CaseMessage,
    ChatLink,
    ChatUser,
    ConversationLogEntry,
    Customer,
    HandoffCase,
    RequestStatusChange,
    ServiceRequest,
)

HANDOFF = "handoff"  # the service type of a case's request
# "event": what an agent did to the case (a transfer), seen by agents only and announced in
# the case's Telegram topic; "note": an agent's internal note.
AUTHORS = frozenset({"customer", "agent", "bot", "note", "event"})
TRANSCRIPT_AUTHORS = {"in": "customer", "out": "bot"}  # conversation log direction -> author
AGENT_AUTHORS = ("agent", "note", "event")  # transcript lines that show an agent worked on it
# Intents that say nothing about what the customer wanted before asking for a person.
_NO_GUESS = ("unknown", "talk_to_agent", "greet", "thanks", "help")


def _case_query() -> Any:
    last_at = (
        select(func.max(CaseMessage.created_at))
        .where(CaseMessage.case_id == HandoffCase.id, CaseMessage.author == "customer")
        .correlate(HandoffCase)
        .scalar_subquery()
    )
    last_text = (
        select(CaseMessage.text)
        .where(CaseMessage.case_id == HandoffCase.id, CaseMessage.author == "customer")
        .order_by(CaseMessage.id.desc())
        .limit(1)
        .correlate(HandoffCase)
        .scalar_subquery()
    )
    return (
        select(
            HandoffCase.id,
            HandoffCase.request_id,
            HandoffCase.chat_user_id,
            ChatUser.channel,
            ChatUser.external_id,
            ChatUser.display_name,
            HandoffCase.customer_id,
            HandoffCase.unit,
            HandoffCase.assignee_id,
            Agent.display_name.label("assignee_name"),
            HandoffCase.reason,
            HandoffCase.opened_by,
            HandoffCase.intent_guess,
            ServiceRequest.status,
            HandoffCase.status.label("chat_status"),
            HandoffCase.created_at,
            ServiceRequest.updated_at,
            HandoffCase.due_at,
            HandoffCase.closed_at,
            HandoffCase.resolution,
            last_at.label("last_message_at"),
            last_text.label("last_customer_text"),
        )
        .join(ServiceRequest, ServiceRequest.request_id == HandoffCase.request_id)
        .join(ChatUser, ChatUser.id == HandoffCase.chat_user_id)
        .outerjoin(Agent, Agent.id == HandoffCase.assignee_id)
    )


def _record(row: Any) -> CaseRecord:
    return CaseRecord(
        id=int(row.id),
        code=row.request_id,
        chat_user_id=int(row.chat_user_id),
        channel=row.channel,
        external_id=row.external_id,
        display_name=row.display_name,
        customer_id=row.customer_id,
        unit=row.unit or "",
        assignee_id=row.assignee_id,
        assignee_name=row.assignee_name,
        reason=row.reason,
        intent_guess=row.intent_guess,
        status=row.status,
        open=row.chat_status == "open",
        created_at=row.created_at,
        updated_at=row.updated_at,
        due_at=row.due_at,
        closed_at=row.closed_at,
        resolution=row.resolution,
        last_message_at=row.last_message_at,
        last_customer_text=row.last_customer_text,
        opened_by=row.opened_by,
    )


class SqlCaseStore:
    """Cases and their transcripts through one connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def lock_chat(self, chat_user_id: int) -> None:
        """Take the chat's row lock (as the conversation does), serialising with its updates.

        On SQLite the first write of the transaction already takes the database's lock.
        """
        if self._postgres:
            self._connection.execute(
                select(ChatUser.id).where(ChatUser.id == chat_user_id).with_for_update()
            )

    def create_case(
        self,
        *,
        chat_user_id: int,
        customer_id: int | None,
        unit: str,
        reason: str,
        intent_guess: str | None,
        due_at: datetime | None,
        note: str,
        now: datetime,
        opened_by: str = BY_CUSTOMER,
    ) -> CaseRecord:
        """Open a case with a new request code (status "received")."""
        code = SqlAccountStore(self._connection).file_request(customer_id, HANDOFF, note, now)
        self._connection.execute(
            insert(HandoffCase).values(
                chat_user_id=chat_user_id,
                reason=reason,
                opened_by=opened_by,
                intent_guess=intent_guess,
                status="open",
                created_at=now,
                request_id=code,
                customer_id=customer_id,
                unit=unit,
                due_at=due_at,
            )
        )
        found = self.case(code)
        assert found is not None
        return found

    def case(self, code: str) -> CaseRecord | None:
        """The case with this code."""
        row = self._connection.execute(_case_query().where(HandoffCase.request_id == code)).first()
        return None if row is None else _record(row)

    def open_case_of_chat(self, chat_user_id: int) -> CaseRecord | None:
        """The case the chat is with a person in, if any."""
        row = self._connection.execute(
            _case_query()
            .where(HandoffCase.chat_user_id == chat_user_id, HandoffCase.status == "open")
            .order_by(HandoffCase.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _record(row)

    def queue(
        self, units: Sequence[str] | None, *, closed: bool = False, limit: int = 200
    ) -> tuple[CaseRecord, ...]:
        """Open cases (or the latest closed ones) of these units (every unit when None).

        The closed list leaves out what was nobody's request and nobody's work: a case the bot
        opened by itself that no agent took, wrote in or closed.
        """
        query = _case_query().where(HandoffCase.status == ("closed" if closed else "open"))
        if closed:
            worked_on = (
                select(CaseMessage.id)
                .where(
                    CaseMessage.case_id == HandoffCase.id, CaseMessage.author.in_(AGENT_AUTHORS)
                )
                .exists()
            )
            query = query.where(
                or_(
                    HandoffCase.opened_by == BY_CUSTOMER,
                    HandoffCase.assignee_id.is_not(None),
                    worked_on,
                )
            )
        if units is not None:
            query = query.where(HandoffCase.unit.in_(units))
        order = HandoffCase.closed_at.desc() if closed else HandoffCase.created_at
        rows = self._connection.execute(query.order_by(order, HandoffCase.id).limit(limit))
        return tuple(_record(row) for row in rows)

    def waiting(self, unit: str) -> int:
        """Open cases of a unit nobody has claimed yet."""
        return int(
            self._connection.execute(
                select(func.count())
                .select_from(HandoffCase)
                .where(
                    HandoffCase.unit == unit,
                    HandoffCase.status == "open",
                    HandoffCase.assignee_id.is_(None),
                )
            ).scalar_one()
        )

    def position(self, case_id: int) -> int:
        """The place of an unclaimed case in its unit's queue (1: the next to be taken)."""
        unit = select(HandoffCase.unit).where(HandoffCase.id == case_id).scalar_subquery()
        return int(
            self._connection.execute(
                select(func.count())
                .select_from(HandoffCase)
                .where(
                    HandoffCase.unit == unit,
                    HandoffCase.status == "open",
                    HandoffCase.assignee_id.is_(None),
                    HandoffCase.id <= case_id,
                )
            ).scalar_one()
        )

    def add_message(
        self,
        case_id: int,
        author: str,
        text: str,
        now: datetime,
        agent_id: int | None = None,
        *,
        file: CaseFile | None = None,
    ) -> int:
        """Append a line to the case transcript (with the file the customer sent); its id."""
        if author not in AUTHORS:
            raise ValueError(f"unknown author {author!r}")
        result = self._connection.execute(
            insert(CaseMessage)
            .values(
                case_id=case_id,
                author=author,
                agent_id=agent_id,
                text=text,
                created_at=now,
                file_kind=None if file is None else file.kind,
                file_source=None if file is None else file.source,
            )
            .returning(CaseMessage.id)
        )
        return int(result.scalar_one())

    def messages(self, case_id: int, after_id: int = 0) -> tuple[CaseMessageRecord, ...]:
        """The transcript after message `after_id`, oldest first."""
        rows = self._connection.execute(
            select(
                CaseMessage.id,
                CaseMessage.case_id,
                CaseMessage.author,
                CaseMessage.agent_id,
                Agent.display_name,
                CaseMessage.text,
                CaseMessage.created_at,
                CaseMessage.file_kind,
                CaseMessage.file_source,
            )
            .outerjoin(Agent, Agent.id == CaseMessage.agent_id)
            .where(CaseMessage.case_id == case_id, CaseMessage.id > after_id)
            .order_by(CaseMessage.id)
        )
        return tuple(CaseMessageRecord(*row[:7], file=case_file(row[7], row[8])) for row in rows)

    def customer_messages_after(
        self, after_id: int, limit: int = 100
    ) -> tuple[tuple[str, CaseMessageRecord], ...]:
        """(case code, message) of customer messages of open cases after `after_id`, in order.

        The event stream of a second agent surface: keep the last id seen and ask again.
        """
        rows = self._connection.execute(
            select(
                HandoffCase.request_id,
                CaseMessage.id,
                CaseMessage.case_id,
                CaseMessage.author,
                CaseMessage.agent_id,
                CaseMessage.text,
                CaseMessage.created_at,
                CaseMessage.file_kind,
                CaseMessage.file_source,
            )
            .join(HandoffCase, HandoffCase.id == CaseMessage.case_id)
            .where(
                CaseMessage.id > after_id,
                CaseMessage.author == "customer",
                HandoffCase.status == "open",
            )
            .order_by(CaseMessage.id)
            .limit(limit)
        )
        return tuple(
            (
                str(row[0]),
                CaseMessageRecord(
                    row[1], row[2], row[3], row[4], None, row[5], row[6], case_file(row[7], row[8])
                ),
            )
            for row in rows
        )

    def claim(self, case_id: int, agent_id: int, now: datetime) -> bool:
        """Take an unclaimed case (or keep one's own); False when another agent has it."""
        changed = self._connection.execute(
            update(HandoffCase)
            .where(
                HandoffCase.id == case_id,
                HandoffCase.status == "open",
                (HandoffCase.assignee_id.is_(None)) | (HandoffCase.assignee_id == agent_id),
            )
            .values(assignee_id=agent_id)
        ).rowcount
        return bool(changed)

    def assign(self, case_id: int, agent_id: int | None, unit: str) -> None:
        """Move a case to an agent (or to a unit's queue, unclaimed)."""
        self._connection.execute(
            update(HandoffCase)
            .where(HandoffCase.id == case_id)
            .values(assignee_id=agent_id, unit=unit)
        )

    def close(self, case_id: int, resolution: str, now: datetime) -> None:
        """The chat leaves the person: the case is closed with a resolution code."""
        self._connection.execute(
            update(HandoffCase)
            .where(HandoffCase.id == case_id)
            .values(status="closed", closed_at=now, resolution=resolution)
        )

    def set_status(self, request_id: str, status: str, note: str | None, now: datetime) -> bool:
        """Move a request (or a case's request) to `status`, kept in its history."""
        changed = self._connection.execute(
            update(ServiceRequest)
            .where(ServiceRequest.request_id == request_id, ServiceRequest.status != status)
            .values(status=status, updated_at=now)
        ).rowcount
        if not changed:
            return False
        self._connection.execute(
            insert(RequestStatusChange).values(
                request_id=request_id, status=status, changed_at=now, note=note
            )
        )
        return True

    def last_intent(self, chat_user_id: int) -> str | None:
        """The intent of the chat's latest understood message (the NLU's best guess)."""
        found = self._connection.execute(
            select(ConversationLogEntry.intent)
            .where(
                ConversationLogEntry.chat_user_id == chat_user_id,
                ConversationLogEntry.direction == "in",
                ConversationLogEntry.intent.is_not(None),
                ConversationLogEntry.intent.not_in(_NO_GUESS),
            )
            .order_by(ConversationLogEntry.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def units(self) -> tuple[str, ...]:
        """Every unit a case can be sent to: the power companies, the agents' and cases' units."""
        names = self._connection.execute(
            union(
                select(Customer.power_company.label("name")).where(
                    Customer.power_company.is_not(None)
                ),
                select(Agent.unit).where(Agent.unit.is_not(None)),
                select(HandoffCase.unit).where(HandoffCase.unit.is_not(None)),
            )
        ).scalars()
        return tuple(sorted(str(name) for name in names))

    def last_history_id(self) -> int:
        """The newest status history row (a cursor for `status_notices_after`)."""
        return int(
            self._connection.execute(select(func.max(RequestStatusChange.id))).scalar() or 0
        )

    def status_notices_after(self, history_id: int) -> tuple[StatusNotice, ...]:
        """Who should hear of each status change after `history_id`.

        A case's change goes to the case's chat; any other request's to every chat linked to
        the request's customer. The first step ("received") is the filing itself: no notice.
        """
        changes = self._connection.execute(
            select(
                RequestStatusChange.id,
                RequestStatusChange.request_id,
                RequestStatusChange.status,
                RequestStatusChange.note,
                ServiceRequest.customer_id,
                HandoffCase.chat_user_id,
            )
            .join(ServiceRequest, ServiceRequest.request_id == RequestStatusChange.request_id)
            .outerjoin(HandoffCase, HandoffCase.request_id == RequestStatusChange.request_id)
            .where(RequestStatusChange.id > history_id, RequestStatusChange.status != "received")
            .order_by(RequestStatusChange.id)
        ).all()
        customers = {row.customer_id for row in changes if row.chat_user_id is None}
        chats_of: dict[int, list[tuple[int, str]]] = {}
        if customers:
            for customer_id, chat_id, channel in self._connection.execute(
                select(ChatLink.customer_id, ChatUser.id, ChatUser.channel)
                .join(ChatUser, ChatUser.id == ChatLink.chat_user_id)
                .where(ChatLink.customer_id.in_([c for c in customers if c is not None]))
                .order_by(ChatUser.id)
            ):
                chats_of.setdefault(customer_id, []).append((chat_id, channel))
        case_channels = dict(
            self._connection.execute(
                select(ChatUser.id, ChatUser.channel).where(
                    ChatUser.id.in_([row.chat_user_id for row in changes if row.chat_user_id])
                )
            ).all()
        )
        notices: list[StatusNotice] = []
        for row in changes:
            if row.chat_user_id is not None:
                targets = [(row.chat_user_id, case_channels.get(row.chat_user_id, ""))]
            else:
                targets = chats_of.get(row.customer_id, [])
            notices.extend(
                StatusNotice(row.id, row.request_id, row.status, row.note, chat_id, channel)
                for chat_id, channel in targets
            )
        return tuple(notices)
