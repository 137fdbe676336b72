"""Scheduled messages to Telegram with `sendMessage`, over the dispatcher's own HTTP/1.1 client.

PTB's httpx client tops out well below the paid-broadcast rate (research/performance.md §3), and
aiohttp's costs 390 µs of CPU a request, so the dispatcher talks to the Bot API with
`bot.push.http1`; interactive replies still go through PTB.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from bot.push.http1 import Http1Client, HttpError
from handlers.format import signed_text
from handlers.types import ButtonKind, Reply, parse_telegram_source
from meters.outbox_records import ClaimedMessage
from scheduler.ports import Delivery, SendResult

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
UNREACHABLE_MARKERS = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "user not found",
    "have no rights to send",
)


def inline_keyboard(reply: Reply) -> dict[str, Any] | None:
    """The reply's callback and link buttons as an inline keyboard, one button a row."""
    rows: list[list[dict[str, str]]] = []
    for button in reply.buttons:
        if button.kind is ButtonKind.CALLBACK:
            rows.append([{"text": button.label, "callback_data": button.data}])
        elif button.kind is ButtonKind.URL:
            rows.append([{"text": button.label, "url": button.data}])
    return {"inline_keyboard": rows} if rows else None


def api_origin(api_url: str) -> str:
    """The scheme, host and port of the Bot API URL (`https://api.telegram.org/bot` …)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


class TelegramPushSender:
    """Sends one message per outbox row: `sendMessage`, or `copyMessage` for a row that carries
    a Telegram message to copy (`copy_from`: a file an agent sent in the agent group)."""

    def __init__(self, client: Http1Client, api_url: str, token: str) -> None:
        self._client = client
        self._path = f"{urlsplit(api_url).path}{token}/sendMessage"
        self._copy_path = f"{urlsplit(api_url).path}{token}/copyMessage"

    async def send(self, message: ClaimedMessage, reply: Reply) -> SendResult:
        """Send and classify the answer: sent, 429, unreachable, transient or rejected."""
        chat_id = int(message.recipient)
        copied = parse_telegram_source(str(message.payload.get("copy_from", "")))
        text = signed_text(reply)
        path, body = self._path, {"chat_id": chat_id, "text": text[:TEXT_LIMIT]}
        if copied is not None:  # the caption travels with the copied message
            path = self._copy_path
            body = {"chat_id": chat_id, "from_chat_id": copied[0], "message_id": copied[1]}
            if reply.author is not None:  # the caption, signed, replaces the original one
                body["caption"] = text[:CAPTION_LIMIT]
        keyboard = inline_keyboard(reply)
        if keyboard is not None:
            body["reply_markup"] = keyboard
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            answer = await self._client.post_json(path, data)
        except (HttpError, OSError, TimeoutError) as error:
            return SendResult(Delivery.TRANSIENT, error=f"network: {error!r}")
        return classify(answer.status, answer.body.decode("utf-8", "replace"))


def classify(status: int, text: str) -> SendResult:
    """A Bot API answer as a delivery outcome."""
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {}
    description = str(answer.get("description", text[:200])) if isinstance(answer, dict) else ""
    if status == 200 and isinstance(answer, dict) and answer.get("ok"):
        return SendResult(Delivery.SENT)
    if status == 429:
        parameters = answer.get("parameters", {}) if isinstance(answer, dict) else {}
        retry_after = (
            float(parameters.get("retry_after", 1)) if isinstance(parameters, dict) else 1
        )
        return SendResult(Delivery.RATE_LIMITED, retry_after=retry_after, error=description)
    lowered = description.lower()
    if status == 403 or any(marker in lowered for marker in UNREACHABLE_MARKERS):
        return SendResult(Delivery.UNREACHABLE, error=description)
    if status >= 500:
        return SendResult(Delivery.TRANSIENT, error=f"{status}: {description}")
    return SendResult(Delivery.REJECTED, error=f"{status}: {description}")
