"""Chat users, verified links, consents, state, log, one-time codes and cases; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from meters.account_store import CUSTOMER_COLUMNS
from meters.driver_sql import DriverStatement
from meters.records import ChatState, CustomerDetails, LogLine, PendingCode, SubscriptionRecord
from meters.schema import (
    ChatLink,
    ChatUser,
    Consent,
    ConversationLogEntry,
    ConversationState,
    Customer,
    LinkAttempt,
    OneTimeCode,
    OutboxMessage,
    Subscription,
)
from meters.turn_writes import TurnWrites

# The statements of every update, built once: building a statement costs more than running it.
_TOUCH_CHAT_USER_UPDATE = (
    update(ChatUser)
    .where(
        ChatUser.channel == bindparam("b_channel"),
        ChatUser.external_id == bindparam("b_external_id"),
    )
    .values(last_seen_at=bindparam("b_now", type_=ChatUser.last_seen_at.type))
    .returning(ChatUser.id)
)


def _new_chat_user(insert_of: Any) -> Any:
    """INSERT the chat user, or on a concurrent first contact touch the existing row."""
    now = bindparam("now", type_=ChatUser.last_seen_at.type)
    return (
        insert_of(ChatUser)
        .values(
            channel=bindparam("channel"),
            external_id=bindparam("external_id"),
            display_name=bindparam("display_name"),
            created_at=now,
            last_seen_at=now,
        )
        .on_conflict_do_update(
            index_elements=["channel", "external_id"], set_={"last_seen_at": now}
        )
        .returning(ChatUser.id)
    )


_TOUCH_CHAT_USER = DriverStatement(_TOUCH_CHAT_USER_UPDATE)
_NEW_CHAT_USER = DriverStatement(
    _new_chat_user(sqlite.insert), postgresql=_new_chat_user(postgresql.insert)
)
_STATE = DriverStatement(
    select(ConversationState.step, ConversationState.data).where(
        ConversationState.chat_user_id == bindparam("chat_user_id")
    )
)


def _with_state_and_links(source: Any, chat_user_id: Any, *first: Any) -> Any:
    """`first` columns, the chat's state and its linked customers: one row per link (a row of
    NULL customer columns when there is none), the state repeated on each."""
    return (
        select(*first, ConversationState.step, ConversationState.data, *CUSTOMER_COLUMNS)
        .select_from(source)
        .outerjoin(ConversationState, ConversationState.chat_user_id == chat_user_id)
        .outerjoin(ChatLink, ChatLink.chat_user_id == chat_user_id)
        .outerjoin(Customer, Customer.id == ChatLink.customer_id)
        .order_by(ChatLink.linked_at, ChatLink.customer_id)
    )


_STATE_AND_LINKED = DriverStatement(
    _with_state_and_links(ChatUser, ChatUser.id).where(ChatUser.id == bindparam("chat_user_id"))
)
# PostgreSQL: the touch of the chat user (its row lock) and the read of its state and links in
# one statement, one round trip. SQLite has no UPDATE in a WITH clause: two statements there.
_TOUCHED = _TOUCH_CHAT_USER_UPDATE.cte("touched")
_ENTER_AND_READ_POSTGRES = DriverStatement(
    _with_state_and_links(_TOUCHED, _TOUCHED.c.id, _TOUCHED.c.id)
)


def _upsert_state(insert_of: Any) -> Any:
    """INSERT the state, or on the chat's existing row UPDATE it (one statement, one trip)."""
    statement = insert_of(ConversationState.__table__)
    return statement.on_conflict_do_update(
        index_elements=["chat_user_id"],
        set_={
            "step": statement.excluded.step,
            "data": statement.excluded.data,
            "version": ConversationState.__table__.c.version + 1,
            "updated_at": statement.excluded.updated_at,
        },
    )


_SAVE_STATE = DriverStatement(
    _upsert_state(sqlite.insert), postgresql=_upsert_state(postgresql.insert)
)


def _link_once(insert_of: Any) -> Any:
    """INSERT the link unless the chat already has it; RETURNING says whether it was new."""
    return (
        insert_of(ChatLink)
        .on_conflict_do_nothing(index_elements=["chat_user_id", "customer_id"])
        .returning(ChatLink.customer_id)
    )


_LINK = DriverStatement(_link_once(sqlite.insert), postgresql=_link_once(postgresql.insert))
_LINKED_IDS = DriverStatement(
    select(ChatLink.customer_id)
    .where(ChatLink.chat_user_id == bindparam("chat_user_id"))
    .order_by(ChatLink.linked_at, ChatLink.customer_id)
)
_ACTIVE_CONSENTS = DriverStatement(
    select(Consent.purpose).where(
        Consent.chat_user_id == bindparam("chat_user_id"), Consent.withdrawn_at.is_(None)
    )
)
_GRANT_CONSENT = DriverStatement(
    insert(cast(Table, Consent.__table__)).values(
        chat_user_id=bindparam("chat_user_id"),
        purpose=bindparam("purpose"),
        granted_at=bindparam("granted_at", type_=Consent.granted_at.type),
    )
)
_GRANT_MISSING_CONSENTS_POSTGRES = DriverStatement(
    text(
        """
INSERT INTO consents (chat_user_id, purpose, granted_at)
SELECT :chat_user_id, wanted.purpose, :now
FROM unnest(CAST(:purposes AS varchar[])) WITH ORDINALITY AS wanted(purpose, number)
WHERE NOT EXISTS (
    SELECT 1 FROM consents
    WHERE consents.chat_user_id = :chat_user_id
        AND consents.purpose = wanted.purpose
        AND consents.withdrawn_at IS NULL
)
ORDER BY wanted.number"""
    ).bindparams(bindparam("now", type_=Consent.granted_at.type))
)
# PostgreSQL runs each statement on the snapshot of its start, even one that waited for a row
# lock: the touch that waited for another process's turn of the chat still read the state and
# links from before that turn. The rows of a transaction's chats are locked first, by this one
# statement (in id order, the same in every process, so transactions sharing chats wait for
# each other instead of deadlocking), and every later statement reads what the turns before
# committed.
_LOCK_CHATS_POSTGRES = DriverStatement(
    text(
        """
SELECT id FROM chat_users
WHERE (channel, external_id) IN (
    SELECT * FROM unnest(CAST(:channels AS varchar[]), CAST(:external_ids AS varchar[]))
)
ORDER BY id
FOR UPDATE"""
    )
)
_LOG_MESSAGE = DriverStatement(
    insert(cast(Table, ConversationLogEntry.__table__)).values(
        chat_user_id=bindparam("chat_user_id"),
        direction=bindparam("direction"),
        text=bindparam("text"),
        intent=bindparam("intent"),
        created_at=bindparam("created_at", type_=ConversationLogEntry.created_at.type),
    )
)


class SqlChatStore:
    """Everything the conversation remembers about a chat, through one connection.

    The store remembers the states it read or wrote in this transaction, so that saving a
    state that did not change writes nothing (most questions leave the chat idle).
    """

    def __init__(self, connection: Connection, turns: TurnWrites | None = None) -> None:
        """`turns`: on PostgreSQL, collect the turn writes there for one statement later
        (`TurnWrites.write`, before the commit) instead of writing each turn at once."""
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"
        self._states: dict[int, tuple[str, dict[str, Any]]] = {}
        self._turns = turns if self._postgres else None

    @property
    def connection(self) -> Connection:
        """The connection of this transaction (other stores of the same update share it)."""
        return self._connection

    def lock_chats(self, chats: Sequence[tuple[str, str]]) -> None:
        """Lock the known chats among (channel, external id) pairs until the commit, before the
        first of their reads (PostgreSQL; SQLite's BEGIN IMMEDIATE locks the whole database)."""
        if self._postgres and chats:
            _LOCK_CHATS_POSTGRES.rows(
                self._connection,
                {
                    "channels": [channel for channel, _ in chats],
                    "external_ids": [external_id for _, external_id in chats],
                },
            )

    def enter_chat(
        self, channel: str, external_id: str, display_name: str | None, now: datetime
    ) -> int:
        """The chat user's id, created on first contact; the row stays locked until commit.

        The first statement is a write, which serialises the updates of one chat across
        processes: on PostgreSQL the UPDATE holds the row lock, on SQLite the database's. On
        PostgreSQL a statement that waited for the lock still reads the rest as it was before
        the wait: the runner takes the lock first, with `lock_chats`.
        """
        found = _TOUCH_CHAT_USER.scalar(
            self._connection, {"b_channel": channel, "b_external_id": external_id, "b_now": now}
        )
        if found is not None:
            return int(found)
        return self._new_chat_user(channel, external_id, display_name, now)

    def _new_chat_user(
        self, channel: str, external_id: str, display_name: str | None, now: datetime
    ) -> int:
        """Create the chat user (or, on a concurrent first contact, touch and lock it)."""
        created = _NEW_CHAT_USER.scalar(
            self._connection,
            {
                "channel": channel,
                "external_id": external_id,
                "display_name": display_name,
                "now": now,
            },
        )
        return int(created)

    def enter_chat_and_read(
        self, channel: str, external_id: str, display_name: str | None, now: datetime
    ) -> tuple[int, ChatState | None, tuple[CustomerDetails, ...]]:
        """`enter_chat`, then `state_and_linked`: what every update starts with.

        On PostgreSQL a known chat takes one statement for both; the row lock is the same.
        """
        if self._postgres:
            rows = _ENTER_AND_READ_POSTGRES.rows(
                self._connection,
                {"b_channel": channel, "b_external_id": external_id, "b_now": now},
            )
            if rows:
                chat_user_id = int(rows[0][0])
                return chat_user_id, *self._state_and_linked_of(chat_user_id, rows, offset=1)
            # Not found by the touch that just ran: create it without touching again.
            chat_user_id = self._new_chat_user(channel, external_id, display_name, now)
        else:
            chat_user_id = self.enter_chat(channel, external_id, display_name, now)
        return chat_user_id, *self.state_and_linked(chat_user_id)

    def chat_user_id(self, channel: str, external_id: str) -> int | None:
        """The id of a chat user, if they have ever written."""
        found = self._connection.execute(
            select(ChatUser.id).where(
                ChatUser.channel == channel, ChatUser.external_id == external_id
            )
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def state(self, chat_user_id: int) -> ChatState | None:
        """The saved conversation state, if any."""
        row = _STATE.first(self._connection, {"chat_user_id": chat_user_id})
        return None if row is None else self._read_state(chat_user_id, row[0], row[1])

    def state_and_linked(
        self, chat_user_id: int
    ) -> tuple[ChatState | None, tuple[CustomerDetails, ...]]:
        """The saved state and the customers the chat has proved it owns, in linking order.

        Read fresh on every call (never cached across transactions): a link removed by another
        process takes effect on the next message.
        """
        rows = _STATE_AND_LINKED.rows(self._connection, {"chat_user_id": chat_user_id})
        return self._state_and_linked_of(chat_user_id, rows, offset=0)

    def _state_and_linked_of(
        self, chat_user_id: int, rows: list[tuple[Any, ...]], *, offset: int
    ) -> tuple[ChatState | None, tuple[CustomerDetails, ...]]:
        """The state and links of rows (step, data, customer columns…) after `offset` columns."""
        if not rows:
            return None, ()
        step, data = rows[0][offset], rows[0][offset + 1]
        state = None if step is None else self._read_state(chat_user_id, step, data)
        first = offset + 2  # the first customer column
        linked = tuple(CustomerDetails(*row[first:]) for row in rows if row[first] is not None)
        return state, linked

    def _read_state(self, chat_user_id: int, step: str, data: dict[str, Any]) -> ChatState:
        self._states[chat_user_id] = (step, data)
        return ChatState(step=step, data=dict(data))

    def save_state(
        self, chat_user_id: int, step: str, data: dict[str, Any], now: datetime
    ) -> None:
        """Remember where the chat stands (nothing is written when it is where it was)."""
        if self._states.get(chat_user_id) == (step, data):
            return
        self._states[chat_user_id] = (step, dict(data))
        _SAVE_STATE.execute(
            self._connection,
            {
                "chat_user_id": chat_user_id,
                "step": step,
                "data": data,
                "version": 1,
                "updated_at": now,
            },
        )

    def save_turn(
        self,
        chat_user_id: int,
        step: str,
        data: dict[str, Any],
        entries: list[tuple[str, str, str | None]],
        now: datetime,
    ) -> None:
        """The end of a turn: the state (when it changed) and the log lines (already masked)."""
        if not self._postgres:
            self.save_state(chat_user_id, step, data, now)
            self.log_messages(chat_user_id, entries, now)
            return
        changed = self._states.get(chat_user_id) != (step, data)
        if not changed and not entries:
            return
        if changed:
            self._states[chat_user_id] = (step, dict(data))
        turns = self._turns if self._turns is not None else TurnWrites()
        turns.add(chat_user_id, (step, data) if changed else None, entries, now)
        if self._turns is None:
            turns.write(self._connection)

    def linked_customer_ids(self, chat_user_id: int) -> tuple[int, ...]:
        """The customers this chat has proved it owns, in linking order."""
        rows = _LINKED_IDS.rows(self._connection, {"chat_user_id": chat_user_id})
        return tuple(int(row[0]) for row in rows)

    def link(self, chat_user_id: int, customer_id: int, verified_by: str, now: datetime) -> bool:
        """Link a customer to the chat; False when it already was (the first link is kept)."""
        inserted = _LINK.first(
            self._connection,
            {
                "chat_user_id": chat_user_id,
                "customer_id": customer_id,
                "verified_by": verified_by,
                "linked_at": now,
            },
        )
        return inserted is not None

    def unlink(self, chat_user_id: int, customer_id: int) -> None:
        """Remove one link, and the subscriptions about that customer."""
        self._connection.execute(
            delete(ChatLink).where(
                ChatLink.chat_user_id == chat_user_id, ChatLink.customer_id == customer_id
            )
        )
        self._connection.execute(
            delete(Subscription).where(
                Subscription.chat_user_id == chat_user_id,
                Subscription.customer_id == customer_id,
            )
        )

    def active_consents(self, chat_user_id: int) -> frozenset[str]:
        """The purposes the chat currently consents to."""
        rows = _ACTIVE_CONSENTS.rows(self._connection, {"chat_user_id": chat_user_id})
        return frozenset(row[0] for row in rows)

    def grant_consents(self, chat_user_id: int, purposes: tuple[str, ...], now: datetime) -> None:
        """Record consent to each purpose not already granted."""
        if self._postgres:  # the check and the inserts in one statement
            _GRANT_MISSING_CONSENTS_POSTGRES.execute(
                self._connection,
                {"chat_user_id": chat_user_id, "purposes": list(purposes), "now": now},
            )
            return
        current = self.active_consents(chat_user_id)
        missing = [purpose for purpose in purposes if purpose not in current]
        _GRANT_CONSENT.execute_many(
            self._connection,
            [
                {"chat_user_id": chat_user_id, "purpose": purpose, "granted_at": now}
                for purpose in missing
            ],
        )

    def withdraw_consent(self, chat_user_id: int, purpose: str, now: datetime) -> None:
        """Withdraw one purpose; the record of the earlier consent is kept."""
        self._connection.execute(
            update(Consent)
            .where(
                Consent.chat_user_id == chat_user_id,
                Consent.purpose == purpose,
                Consent.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=now)
        )

    def log_messages(
        self, chat_user_id: int, entries: list[tuple[str, str, str | None]], now: datetime
    ) -> None:
        """Append messages (direction, already masked text, intent) to the conversation log."""
        _LOG_MESSAGE.execute_many(
            self._connection,
            [
                {
                    "chat_user_id": chat_user_id,
                    "direction": direction,
                    "text": text,
                    "intent": intent,
                    "created_at": now,
                }
                for direction, text, intent in entries
            ],
        )

    def log_message(
        self,
        chat_user_id: int,
        direction: str,
        masked_text: str,
        intent: str | None,
        now: datetime,
    ) -> None:
        """Append one message (already masked) to the conversation log."""
        self.log_messages(chat_user_id, [(direction, masked_text, intent)], now)

    def recent_log(self, chat_user_id: int, limit: int) -> tuple[tuple[str, str], ...]:
        """The last `limit` messages as (direction, text), oldest first."""
        rows = self._connection.execute(
            select(ConversationLogEntry.direction, ConversationLogEntry.text)
            .where(ConversationLogEntry.chat_user_id == chat_user_id)
            .order_by(ConversationLogEntry.id.desc())
            .limit(limit)
        ).all()
        return tuple((row[0], row[1]) for row in reversed(rows))

    def recent_log_lines(self, chat_user_id: int, limit: int) -> tuple[LogLine, ...]:
        """The last `limit` lines with the time each was said, oldest first."""
        rows = self._connection.execute(
            select(
                ConversationLogEntry.direction,
                ConversationLogEntry.text,
                ConversationLogEntry.created_at,
            )
            .where(ConversationLogEntry.chat_user_id == chat_user_id)
            .order_by(ConversationLogEntry.id.desc())
            .limit(limit)
        ).all()
        return tuple(LogLine(row[0], row[1], row[2]) for row in reversed(rows))

    def forget_chat(self, chat_user_id: int) -> None:
        """Delete the chat user, its queued messages and, by cascade, links, consents, state,
        log and codes."""
        self._states.pop(chat_user_id, None)
        self._connection.execute(
            delete(OutboxMessage).where(OutboxMessage.chat_user_id == chat_user_id)
        )
        self._connection.execute(delete(ChatUser).where(ChatUser.id == chat_user_id))

    def issue_code(
        self,
        chat_user_id: int,
        customer_code: str,
        *,
        customer_id: int | None,
        code_hash: str,
        expires_at: datetime,
        now: datetime,
    ) -> None:
        """Replace any pending one-time code of the chat with a new one for `customer_code`
        (`customer_id` None: no code was sent, and `code_hash` matches nothing)."""
        self._connection.execute(
            delete(OneTimeCode).where(
                OneTimeCode.chat_user_id == chat_user_id, OneTimeCode.used_at.is_(None)
            )
        )
        self._connection.execute(
            insert(OneTimeCode).values(
                chat_user_id=chat_user_id,
                customer_code=customer_code,
                customer_id=customer_id,
                code_hash=code_hash,
                attempts=0,
                expires_at=expires_at,
                created_at=now,
            )
        )

    def pending_code(self, chat_user_id: int) -> PendingCode | None:
        """The chat's unused one-time code, if any (expired ones too: the caller decides)."""
        row = self._connection.execute(
            select(
                OneTimeCode.id,
                OneTimeCode.customer_code,
                OneTimeCode.customer_id,
                OneTimeCode.code_hash,
                OneTimeCode.attempts,
                OneTimeCode.expires_at,
            )
            .where(OneTimeCode.chat_user_id == chat_user_id, OneTimeCode.used_at.is_(None))
            .order_by(OneTimeCode.id.desc())
            .limit(1)
        ).first()
        return None if row is None else PendingCode(*row)

    def count_code_attempt(self, code_id: int) -> None:
        """One more wrong try of a one-time code."""
        self._connection.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == code_id)
            .values(attempts=OneTimeCode.attempts + 1)
        )

    def close_code(self, code_id: int, now: datetime) -> None:
        """Mark a one-time code used (or given up), so it can never be tried again."""
        self._connection.execute(
            update(OneTimeCode).where(OneTimeCode.id == code_id).values(used_at=now)
        )

    def record_failed_link(self, chat_user_id: int, now: datetime) -> None:
        """Remember a failed linking attempt (unknown code, wrong one-time code)."""
        self._connection.execute(
            insert(LinkAttempt).values(chat_user_id=chat_user_id, attempted_at=now)
        )

    def failed_links_since(self, chat_user_id: int, since: datetime) -> int:
        """How many linking attempts of the chat failed since `since`."""
        return int(
            self._connection.execute(
                select(func.count())
                .select_from(LinkAttempt)
                .where(LinkAttempt.chat_user_id == chat_user_id, LinkAttempt.attempted_at >= since)
            ).scalar_one()
        )

    def subscriptions(self, chat_user_id: int) -> tuple[SubscriptionRecord, ...]:
        """The chat's scheduled messages."""
        rows = self._connection.execute(
            select(
                Subscription.customer_id,
                Subscription.kind,
                Subscription.threshold,
                Subscription.delivery_hour,
                Subscription.active,
            )
            .where(Subscription.chat_user_id == chat_user_id)
            .order_by(Subscription.id)
        )
        return tuple(SubscriptionRecord(*row) for row in rows)

    def subscribe(
        self,
        chat_user_id: int,
        customer_id: int,
        kind: str,
        threshold: dict[str, Any] | None,
        now: datetime,
    ) -> None:
        """Start (or restart, with a new threshold) one kind of scheduled message."""
        changed = self._connection.execute(
            update(Subscription)
            .where(
                Subscription.chat_user_id == chat_user_id,
                Subscription.customer_id == customer_id,
                Subscription.kind == kind,
            )
            .values(active=True, threshold=threshold)
        ).rowcount
        if not changed:
            self._connection.execute(
                insert(Subscription).values(
                    chat_user_id=chat_user_id,
                    customer_id=customer_id,
                    kind=kind,
                    threshold=threshold,
                    active=True,
                    created_at=now,
                )
            )

    def unsubscribe(self, chat_user_id: int, kind: str | None) -> int:
        """Stop one kind of scheduled message (every kind when None); how many stopped."""
        statement = update(Subscription).where(
            Subscription.chat_user_id == chat_user_id, Subscription.active.is_(True)
        )
        if kind is not None:
            statement = statement.where(Subscription.kind == kind)
        return int(self._connection.execute(statement.values(active=False)).rowcount)
