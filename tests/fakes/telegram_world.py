"""The simulated side of the fake Telegram: people, chats, messages and updates, and the
Python control methods tests call on the same event loop (no sleeps: waits are on changes).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from tests.fakes.telegram_state import (
    THREAD_NOT_FOUND,
    ApiError,
    Call,
    Chat,
    Fault,
    JsonObject,
    Person,
    RateLimits,
    Topic,
    utf16_length,
)

DEFAULT_TOKEN = "123456789:TEST-fake-token"


class TelegramWorld:
    """What the bot's Telegram contains, and how tests make people act in it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        clock: Callable[[], datetime],
        bot_username: str = "dienbot_test_bot",
        long_poll_cap: float = 2.0,
        webhook_attempts: int = 3,
    ) -> None:
        self.token = token
        self.clock = clock  # the dates of messages and webhook errors (tests/clock.py)
        self.bot: JsonObject = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Điện lực (test)",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.long_poll_cap = long_poll_cap
        self.webhook_attempts = webhook_attempts
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.topics: dict[tuple[int, int], Topic] = {}
        self.messages: dict[int, list[JsonObject]] = {}  # chat -> every message, in order
        self.updates: list[JsonObject] = []  # not yet confirmed
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.limits: RateLimits | None = None
        self.commands: dict[str, list[JsonObject]] = {}  # scope type -> commands
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_answers: dict[str, JsonObject | None] = {}  # id -> answer (None: pending)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.webhook: JsonObject | None = None
        self.webhook_deliveries: list[tuple[int, int | str]] = []  # (update_id, status | error)
        self.allowed_updates: list[str] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, Iterator[int]] = {}
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._read: dict[int, int] = {}  # chat -> bot messages already handed to a waiter
        self._changed = asyncio.Event()
        self._closing = False
        self.url = ""

    # ------------------------------------------------------------------ control: the people

    def unix_time(self) -> int:
        """The clock's reading as Telegram dates things: whole seconds since the epoch."""
        return int(self.clock().timestamp())

    def add_user(
        self,
        user_id: int,
        first_name: str = "Khách",
        *,
        last_name: str | None = None,
        username: str | None = None,
        phone: str | None = None,
    ) -> Person:
        """Register a simulated person (and their private chat with the bot)."""
        person = Person(user_id, first_name, last_name, username, phone)
        self.people[user_id] = person
        self.chats[user_id] = Chat(user_id, "private", first_name=first_name)
        return person

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool = True,
        is_forum: bool = False,
        bot_is_admin: bool = False,
        can_manage_topics: bool = False,
    ) -> Chat:
        """Register a group the bot is a member of (`chat_id` < 0)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind: Any = "supergroup" if supergroup else "group"
        chat = Chat(chat_id, kind, title=title, is_forum=is_forum)
        chat.bot_is_admin, chat.can_manage_topics = bot_is_admin, can_manage_topics
        self.chats[chat_id] = chat
        return chat

    async def user_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        contact: tuple[str, int | None] | None = None,
        share_own_contact: bool = False,
        location: tuple[float, float] | None = None,
        forwarded_from: int | None = None,
        chat_id: int | None = None,
        message_thread_id: int | None = None,
        photo: bool = False,
        document: str | None = None,
    ) -> JsonObject:
        """`user_id` sends a message (text, a contact card, a location, a photo or a document
        named `document`, their caption `text`); returns it.

        `contact=(phone, owner_user_id)` is any card; `share_own_contact` is the request_contact
        button (the card of the sender, with the sender's registered phone).
        """
        person = self.people[user_id]
        chat = self.chats[chat_id if chat_id is not None else user_id]
        if chat.type == "private":
            person.started = True
        message = self._new_message(chat, person.as_user(), message_thread_id)
        if photo or document is not None:
            number = next(self._file_ids)
            if photo:
                message["photo"] = [
                    {
                        "file_id": f"user-photo-{number}",
                        "file_unique_id": f"up{number}",
                        "width": 1280,
                        "height": 960,
                    }
                ]
            else:
                message["document"] = {
                    "file_id": f"user-document-{number}",
                    "file_unique_id": f"ud{number}",
                    "file_name": document,
                }
            if text is not None:
                message["caption"] = text
        elif text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
        if share_own_contact:
            if person.phone is None:
                raise ValueError(f"user {user_id} has no phone to share")
            contact = (person.phone, user_id)
        if contact is not None:
            phone, owner = contact
            card: JsonObject = {"phone_number": phone, "first_name": person.first_name}
            if owner is not None:
                card["user_id"] = owner
                if owner in self.people:
                    card["first_name"] = self.people[owner].first_name
            message["contact"] = card
        if location is not None:
            message["location"] = {"latitude": location[0], "longitude": location[1]}
        if forwarded_from is not None:
            origin = self.people.get(forwarded_from)
            message["forward_origin"] = (
                {"type": "user", "date": message["date"] - 60, "sender_user": origin.as_user()}
                if origin is not None
                else {"type": "hidden_user", "date": message["date"] - 60, "sender_user_name": "?"}
            )
        self._store(chat.id, message)
        self._queue_update("message", message)
        return message

    async def press_button(
        self,
        user_id: int,
        data: str | None = None,
        *,
        label: str | None = None,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> str:
        """Press an inline button the bot showed (latest message having it); the query id."""
        chat = chat_id if chat_id is not None else user_id
        for message in reversed(self.messages.get(chat, [])):
            if message["from"]["id"] != self.bot["id"]:
                continue
            if message_id is not None and message["message_id"] != message_id:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in itertools.chain.from_iterable(rows):
                if "callback_data" in button and (
                    button["callback_data"] == data or button["text"] == label
                ):
                    query_id = f"cbq-{next(self._callback_ids)}"
                    self.callback_answers[query_id] = None
                    self._queue_update(
                        "callback_query",
                        {
                            "id": query_id,
                            "from": self.people[user_id].as_user(),
                            "message": self._api_message(message),
                            "chat_instance": f"ci-{chat}",
                            "data": button["callback_data"],
                        },
                    )
                    return query_id
        raise AssertionError(f"no bot message in chat {chat} has a button {data or label!r}")

    async def block(self, user_id: int, blocked: bool = True) -> None:
        """The person blocks (or unblocks) the bot: a `my_chat_member` update, then 403s."""
        person = self.people[user_id]
        person.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot_member: JsonObject = {"user": self.bot, "status": old}
        self._queue_update(
            "my_chat_member",
            {
                "chat": self.chats[user_id].as_chat(),
                "from": person.as_user(),
                "date": self.unix_time(),
                "old_chat_member": bot_member,
                "new_chat_member": {"user": self.bot, "status": new, "until_date": 0},
            },
        )

    # ------------------------------------------------------------------ control: faults, limits

    def fail(
        self,
        method: str,
        code: int,
        description: str,
        *,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> Fault:
        """Make the next `times` calls of `method` ("*": any) fail with this error."""
        fault = Fault(method, code, description, times, retry_after, chat_id)
        self.faults.append(fault)
        return fault

    def set_limits(self, **options: Any) -> RateLimits:
        """Turn on the flood-limit checker (see `RateLimits`); returns it for its violations."""
        self.limits = RateLimits(**options)
        return self.limits

    # ------------------------------------------------------------------ control: observing

    def bot_messages(self, chat_id: int) -> list[JsonObject]:
        """Every message the bot sent to `chat_id`, as tests see it (with any keyboard)."""
        return [m for m in self.messages.get(chat_id, []) if m["from"]["id"] == self.bot["id"]]

    async def wait_bot_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a safety net, not a synchronisation
    ) -> list[JsonObject]:
        """The next `count` bot messages in `chat_id` not handed out by an earlier call."""
        start = self._read.get(chat_id, 0)
        await self.wait_until(
            lambda: len(self.bot_messages(chat_id)) >= start + count,
            timeout,
            lambda: (
                f"{count} new bot messages in chat {chat_id}; got "
                f"{[m.get('text') for m in self.bot_messages(chat_id)[start:]]}"
            ),
        )
        self._read[chat_id] = start + count
        return self.bot_messages(chat_id)[start : start + count]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a safety net, not a synchronisation
        describe: Callable[[], str] | None = None,
    ) -> None:
        """Return once `condition()` holds; it is re-checked after every change of the fake."""
        try:
            async with asyncio.timeout(timeout):
                while not condition():
                    await self._changed.wait()
        except TimeoutError:
            what = describe() if describe else "the condition"
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    def calls_of(self, method: str) -> list[Call]:
        """The bot's calls of one method, in order."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of an uploaded file."""
        return self.files[file_id][1]

    # ------------------------------------------------------------------ helpers

    def _bump(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _queue_update(self, kind: str, payload: JsonObject) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self._bump()
        return update_id

    def _new_message(self, chat: Chat, sender: JsonObject, thread_id: int | None) -> JsonObject:
        counter = self._message_ids.setdefault(chat.id, itertools.count(1))
        message: JsonObject = {
            "message_id": next(counter),
            "from": sender,
            "chat": chat.as_chat(),
            "date": self.unix_time(),
        }
        if thread_id is not None:
            if (chat.id, thread_id) not in self.topics:
                raise ApiError(400, THREAD_NOT_FOUND)
            if self.topics[(chat.id, thread_id)].closed and sender is self.bot:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return message

    def _store(self, chat_id: int, message: JsonObject) -> None:
        self.messages.setdefault(chat_id, []).append(message)
        self._bump()

    def _bot_sent(self, chat: Chat, message: JsonObject, markup: JsonObject | None) -> JsonObject:
        if markup is not None:
            message["reply_markup"] = markup
        self._store(chat.id, message)
        return self._api_message(message)

    def _edited(self, message: JsonObject, markup: JsonObject | None) -> JsonObject:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self.unix_time()
        self._bump()
        return self._api_message(message)

    @staticmethod
    def _api_message(message: JsonObject) -> JsonObject:
        """A message as the Bot API returns it: only inline keyboards belong to a Message."""
        shown = dict(message)
        markup = shown.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            del shown["reply_markup"]
        return shown
