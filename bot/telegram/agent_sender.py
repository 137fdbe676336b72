"""What the bot posts in one Telegram agent group, within the group's 20 messages a minute.

Telegram lets a bot send about 20 messages a minute to one group, every forum topic included
(docs/research: platforms §1.1, §1.7). `GroupSender` keeps a queue per group and a sliding
window of what it sent: a post waits until the window has room. Relayed customer lines that
pile up meanwhile are merged into one message per topic (the lines of a topic stay in order),
so a burst costs a few posts instead of one each and nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import telegram as tg

from bot.telegram.render import split_text
from handlers import texts
from handlers.types import parse_telegram_source
from meters.case_records import CaseFile

logger = logging.getLogger(__name__)

GROUP_LIMIT = 20  # telegram.constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP
GROUP_PERIOD = 60.0
SAFETY_MARGIN = 1.0  # seconds added to each wait: our clock and Telegram's are not the same
NETWORK_RETRY_SECONDS = 5.0
NETWORK_ATTEMPTS = 3

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Call = Callable[[], Awaitable[Any]]


class SendWindow:
    """A sliding window: at most `limit` sends in any `period` seconds."""

    def __init__(self, limit: int, period: float, clock: Clock, margin: float) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._margin = margin
        self._sent: deque[float] = deque()

    def wait_seconds(self) -> float:
        """How long until one more send fits (0: now)."""
        now = self._clock()
        while self._sent and self._sent[0] <= now - self.period:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[0] + self.period - now + self._margin

    def record(self) -> None:
        """One send has been made (recorded when Telegram answered: the later moment)."""
        self._sent.append(self._clock())

    def in_last_period(self) -> int:
        """Sends within the last period."""
        now = self._clock()
        return sum(1 for moment in self._sent if moment > now - self.period)


@dataclass
class _Lines:
    """Relayed lines for one topic, sent together as one message."""

    thread_id: int
    lines: list[str]


@dataclass
class _Action:
    """One Bot API call whose result someone awaits (a topic, a summary, an answer)."""

    call: Call
    done: asyncio.Future[Any] = field(repr=False)
    thread_id: int | None = None  # the topic it posts in, when known


class GroupSender:
    """The queue of one agent group: every bot post in the group goes through it."""

    def __init__(
        self,
        bot: tg.Bot,
        chat_id: int,
        *,
        limit: int = GROUP_LIMIT,
        period: float = GROUP_PERIOD,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        margin: float = SAFETY_MARGIN,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.window = SendWindow(limit, period, clock, margin)
        self._sleep = sleep
        self._queue: deque[_Lines | _Action] = deque()
        self._work = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.posts = 0  # Bot API calls made in the group

    # ------------------------------------------------------------------ what to send

    def relay(self, thread_id: int, text: str) -> None:
        """Queue a line for a topic; it joins the topic's other waiting lines."""
        last = next((item for item in reversed(self._queue) if item.thread_id == thread_id), None)
        if isinstance(last, _Lines):
            last.lines.append(text)
        else:
            self._queue.append(_Lines(thread_id, [text]))
        self._work.set()

    def relay_file(self, thread_id: int, file: CaseFile) -> None:
        """Queue a customer's file for a topic, after the lines queued before it.

        A Telegram customer's message is copied as it is; a file on another platform's servers
        is sent by its URL (a photo) or as a link. Posted with `protect_content`: the group's
        members see the file but cannot forward or save it (it cannot be masked as text is).
        """
        action = _Action(self._file(thread_id, file), self._future(), thread_id)
        self._queue.append(action)
        self._work.set()

    def post(self, thread_id: int | None, text: str) -> None:
        """Queue a message of its own (an answer to an agent); nobody waits for it."""
        for piece in split_text(text):
            action = _Action(self._message(thread_id, piece), self._future(), thread_id)
            self._queue.append(action)
        self._work.set()

    async def call(self, call: Call) -> Any:
        """Make one Bot API call in the group in turn (within the window); its result."""
        action = _Action(call, self._future())
        self._queue.append(action)
        self._work.set()
        return await action.done

    def waiting(self) -> int:
        """Posts still queued (each list of merged lines counts once)."""
        return len(self._queue)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start sending in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"agent-group-{self.chat_id}")

    async def stop(self) -> None:
        """Stop sending; whatever is still queued is dropped (and its waiters cancelled)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for item in self._queue:
            if isinstance(item, _Action):
                item.done.cancel()
        self._queue.clear()

    # ------------------------------------------------------------------ sending

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._work.clear()
                await self._work.wait()
                continue
            delay = self.window.wait_seconds()
            if delay > 0:
                await self._sleep(delay)  # lines queued meanwhile are merged
                continue
            await self._send_first()

    async def _send_first(self) -> None:
        item = self._queue.popleft()
        if isinstance(item, _Lines):
            pieces = split_text("\n".join(item.lines))
            if len(pieces) > 1:  # longer than one message: the rest goes next
                self._queue.appendleft(_Lines(item.thread_id, ["\n".join(pieces[1:])]))
            call = self._message(item.thread_id, pieces[0] if pieces else "…")
            action = _Action(call, self._future(), item.thread_id)
        else:
            action = item
        for attempt in range(1, NETWORK_ATTEMPTS + 1):
            try:
                result = await action.call()
            except tg.error.RetryAfter as error:  # the rate limiter's retries ran out
                self.window.record()
                await self._sleep(_seconds(error.retry_after))
                continue
            except (tg.error.TimedOut, tg.error.NetworkError) as error:
                if isinstance(error, tg.error.BadRequest) or attempt == NETWORK_ATTEMPTS:
                    self._fail(action, error)
                    return
                await self._sleep(NETWORK_RETRY_SECONDS)
                continue
            except tg.error.TelegramError as error:
                self._fail(action, error)
                return
            finally:
                self.posts += 1
            self.window.record()
            if not action.done.done():
                action.done.set_result(result)
            return
        self._fail(action, tg.error.TimedOut("the agent group did not accept the message"))

    def _fail(self, action: _Action, error: Exception) -> None:
        self.window.record()  # a refused call may still have counted
        logger.warning("agent group %s: a post failed (%s)", self.chat_id, error)
        if not action.done.done():
            action.done.set_exception(error)
            action.done.exception()  # retrieved: fire-and-forget posts have no waiter

    def _message(self, thread_id: int | None, text: str) -> Call:
        async def send() -> Any:
            return await self.bot.send_message(self.chat_id, text, message_thread_id=thread_id)

        return send

    def _file(self, thread_id: int, file: CaseFile) -> Call:
        async def send() -> Any:
            copied = parse_telegram_source(file.source)
            if copied is not None:
                chat_id, message_id = copied
                return await self.bot.copy_message(
                    self.chat_id,
                    chat_id,
                    message_id,
                    message_thread_id=thread_id,
                    protect_content=True,
                )
            if file.kind == "photo":
                return await self.bot.send_photo(
                    self.chat_id, file.source, message_thread_id=thread_id, protect_content=True
                )
            return await self.bot.send_message(
                self.chat_id,
                texts.AGENT_TOPIC_FILE_LINK.format(url=file.source),
                message_thread_id=thread_id,
                protect_content=True,
            )

        return send

    @staticmethod
    def _future() -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()


def _seconds(retry_after: Any) -> float:
    """PTB gives `retry_after` as int seconds or (PTB_TIMEDELTA) a timedelta."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)
