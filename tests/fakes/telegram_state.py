"""The world behind the fake Telegram Bot API: people, chats, messages, faults and rate limits.

Plain data and rules, no HTTP: `tests/fakes/telegram_api.py` serves it to the bot under test.
Errors are raised as `ApiError` with Telegram's exact codes and descriptions.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

JsonObject = dict[str, Any]

CHAT_NOT_FOUND = "Bad Request: chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
TOO_LONG = "Bad Request: message is too long"
TEXT_EMPTY = "Bad Request: message text is empty"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
THREAD_NOT_FOUND = "Bad Request: message thread not found"
NOT_ENOUGH_RIGHTS = "Bad Request: not enough rights to manage topics in the chat"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

SENDING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}
)


class ApiError(Exception):
    """A Bot API error: HTTP status = `code`, body `{"ok": false, ...}`."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonObject:
        """The JSON body Telegram answers with."""
        body: JsonObject = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def utf16_length(text: str) -> int:
    """Telegram measures texts in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Person:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    phone: str | None = None
    blocked: bool = False
    started: bool = False  # has written to the bot at least once

    def as_user(self) -> JsonObject:
        """The `User` object of this person."""
        user: JsonObject = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = "vi"
        return user


@dataclass
class Chat:
    """A private chat (id = the user's id) or a group."""

    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    first_name: str | None = None
    is_forum: bool = False
    bot_is_admin: bool = False
    can_manage_topics: bool = False

    def as_chat(self) -> JsonObject:
        """The `Chat` object of this chat."""
        chat: JsonObject = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or ""
        else:
            chat["title"] = self.title or ""
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class Topic:
    """A forum topic of a supergroup."""

    chat_id: int
    thread_id: int
    name: str
    icon_color: int = 7322096
    closed: bool = False


@dataclass
class Fault:
    """The next `times` calls of `method` ("*" for any) fail with this error."""

    method: str
    code: int
    description: str
    times: int = 1
    retry_after: int | None = None
    chat_id: int | None = None

    def matches(self, method: str, params: JsonObject) -> bool:
        """Whether this fault applies to a call."""
        if self.times <= 0 or self.method not in ("*", method):
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


@dataclass
class Call:
    """One Bot API call the bot made, for assertions and rate checks."""

    seq: int
    at: float
    method: str
    params: JsonObject
    status: int = 200
    response: Any = None


Rule = Literal["global_per_s", "per_chat_per_s", "group_per_min"]


@dataclass(frozen=True)
class Violation:
    """A send that went over one of Telegram's flood limits."""

    rule: Rule
    chat_id: int
    at: float
    method: str


@dataclass
class RateLimits:
    """Telegram's flood limits as sliding windows over the bot's sending calls.

    mode "reject" answers 429 with a computed retry_after; "record" lets the call through and
    appends a `Violation`. `clock` is injectable so long broadcasts can run on a virtual clock.
    """

    global_per_s: float | None = 30
    per_chat_per_s: float | None = 1
    group_per_min: float | None = 20
    mode: Literal["reject", "record"] = "reject"
    clock: Callable[[], float] = time.monotonic
    violations: list[Violation] = field(default_factory=list)
    _all: deque[float] = field(default_factory=deque)
    _per_chat: defaultdict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def check(self, method: str, chat_id: int) -> None:
        """Account one send to `chat_id`; raise a 429 `ApiError` in reject mode when over."""
        now = self.clock()
        rules: list[tuple[Rule, float, deque[float], float]] = []
        if self.global_per_s is not None:
            rules.append(("global_per_s", self.global_per_s, self._all, 1.0))
        if chat_id < 0 and self.group_per_min is not None:
            rules.append(("group_per_min", self.group_per_min, self._per_chat[chat_id], 60.0))
        if chat_id > 0 and self.per_chat_per_s is not None:
            rules.append(("per_chat_per_s", self.per_chat_per_s, self._per_chat[chat_id], 1.0))
        broken: list[tuple[Rule, float]] = []
        for rule, limit, window, period in rules:
            while window and window[0] <= now - period:
                window.popleft()
            if len(window) + 1 > limit:
                broken.append((rule, window[0] + period - now))
        if broken and self.mode == "reject":
            wait = max(1, math.ceil(max(seconds for _, seconds in broken)))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        self.violations.extend(Violation(rule, chat_id, now, method) for rule, _ in broken)
        self._all.append(now)
        self._per_chat[chat_id].append(now)
