"""What the scheduler needs from the edge: something that delivers a rendered message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.types import Reply
from meters.outbox_records import ClaimedMessage


class Delivery(StrEnum):
    """How a send attempt ended."""

    SENT = "sent"
    RATE_LIMITED = "rate_limited"  # 429: pause the whole bucket for `retry_after` seconds
    UNREACHABLE = "unreachable"  # blocked, deactivated, chat not found: stop sending to them
    TRANSIENT = "transient"  # 5xx, time-out, network: retry with backoff
    REJECTED = "rejected"  # the platform refuses this message for good (bad request)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one send."""

    delivery: Delivery
    retry_after: float = 0.0
    error: str = ""


class Sender(Protocol):
    """Delivers one rendered message to its recipient on one channel."""

    async def send(self, message: ClaimedMessage, reply: Reply) -> SendResult:
        """Send `reply` to `message.recipient` and say how it went; never raise."""
