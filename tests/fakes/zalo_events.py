"""Zalo OA webhook events as Zalo sends them, and their `X-ZEvent-Signature`.

The signature follows research/platforms.md §4.2: the header is `mac=` followed by
`sha256_hex(app_id + raw_body + timestamp + oa_secret_key)`, a plain SHA-256 of the
concatenation (not an HMAC), where `timestamp` is the event's own `timestamp` field.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import datetime
from typing import Any

SIGNATURE_HEADER = "X-ZEvent-Signature"
DEFAULT_OA_ID = "1646843870823903717"

_message_ids = itertools.count(1)


def zalo_signature(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo sends with `raw`: `mac=<sha256 hex>`."""
    digest = hashlib.sha256(
        app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={digest}"


def epoch_ms(moment: datetime) -> str:
    """A moment as Zalo writes it in events: epoch milliseconds as a string."""
    return str(int(moment.timestamp() * 1000))


def next_message_id() -> str:
    """A new 20-hex-digit message id, like Zalo's."""
    return f"{next(_message_ids):020x}"


def text_event(
    app_id: str, user_id: str, text: str, at: datetime, *, msg_id: str | None = None
) -> dict[str, Any]:
    """A `user_send_text` event (also what a tapped `oa.query.*` button sends)."""
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": epoch_ms(at),
        "sender": {"id": user_id},
        "recipient": {"id": DEFAULT_OA_ID},
        "message": {"text": text, "msg_id": msg_id or next_message_id()},
    }


def location_event(
    app_id: str, user_id: str, latitude: float, longitude: float, at: datetime
) -> dict[str, Any]:
    """A `user_send_location` event; Zalo writes the coordinates as strings."""
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_location",
        "timestamp": epoch_ms(at),
        "sender": {"id": user_id},
        "recipient": {"id": DEFAULT_OA_ID},
        "message": {
            "msg_id": next_message_id(),
            "text": "",
            "attachments": [
                {
                    "type": "location",
                    "payload": {
                        "coordinates": {"latitude": str(latitude), "longitude": str(longitude)}
                    },
                }
            ],
        },
    }


def follow_event(app_id: str, user_id: str, at: datetime) -> dict[str, Any]:
    """A `follow` event: the user started following the OA."""
    return {
        "app_id": app_id,
        "oa_id": DEFAULT_OA_ID,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "follow",
        "source": "oa_profile",
        "timestamp": epoch_ms(at),
        "follower": {"id": user_id},
    }


def encode_event(event: dict[str, Any]) -> bytes:
    """The raw body Zalo would POST for `event`."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def file_event(
    app_id: str, user_id: str, name: str, url: str, at: datetime, *, caption: str = ""
) -> dict[str, Any]:
    """A file event (`user_send_image`, `_file`, `_sticker`…): the file's URL, and its caption."""
    kind = name.removeprefix("user_send_")
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": name,
        "timestamp": epoch_ms(at),
        "sender": {"id": user_id},
        "recipient": {"id": DEFAULT_OA_ID},
        "message": {
            "msg_id": next_message_id(),
            "text": caption,
            "attachments": [{"type": kind, "payload": {"url": url, "thumbnail": url}}],
        },
    }
