"""Zalo OA webhook events translated into our channel-neutral `Update`.

Handled: `user_send_text` (also what a tapped button sends), `user_send_location`, the files
(`user_send_image`, `_file`, `_sticker`, `_gif`, `_audio`, `_video`: an `Update.attachment` with
the file's URL, its caption as the text) and `follow`. Every other event (`user_seen_message`,
`oa_send_text`, …) is ignored.
The translation never raises: a payload of an unexpected shape is simply not an update.

Button presses come back as text: a CALLBACK button is rendered as an `oa.query.hide` button
whose payload is `#cb:<data>` (bot/zalo/messages.py); a text of that form becomes
`Update.callback_data`. Anyone can type such a text, so callback data stays untrusted input,
exactly as on Telegram.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.types import (
    CALLBACK_DATA_LIMIT,
    Attachment,
    AttachmentKind,
    Channel,
    Location,
    Update,
    UserRef,
)

CALLBACK_PREFIX = "#cb:"
FOLLOW_TEXT = "/start"  # a new follower is greeted and shown the menu, like /start on Telegram
EXTERNAL_ID_LIMIT = 64  # chat_users.external_id
URL_LIMIT = 1000  # case_messages.file_source holds the URL of a file
FILE_EVENTS = {
    "user_send_image": AttachmentKind.PHOTO,
    "user_send_file": AttachmentKind.DOCUMENT,
    "user_send_sticker": AttachmentKind.STICKER,
    "user_send_gif": AttachmentKind.STICKER,
    "user_send_audio": AttachmentKind.VOICE,
    "user_send_video": AttachmentKind.VIDEO,
}


@dataclass(frozen=True, slots=True)
class ZaloEvent:
    """One event worth answering: its de-duplication key and the update it carries."""

    event_id: str
    update: Update


def encode_callback(data: str) -> str:
    """The text a CALLBACK button sends back for `data`."""
    return CALLBACK_PREFIX + data


def decode_callback(text: str) -> str | None:
    """The callback data a `#cb:<data>` text carries, or None for an ordinary text."""
    if not text.startswith(CALLBACK_PREFIX):
        return None
    data = text.removeprefix(CALLBACK_PREFIX)
    if data.isascii() and 0 < len(data) <= CALLBACK_DATA_LIMIT:
        return data
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _coordinate(value: Any, bound: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def _location(message: Mapping[str, Any]) -> Location | None:
    attachments = message.get("attachments")
    if not isinstance(attachments, list):
        return None
    for item in attachments:
        attachment = _mapping(item)
        if attachment.get("type") != "location":
            continue
        coordinates = _mapping(_mapping(attachment.get("payload")).get("coordinates"))
        latitude = _coordinate(coordinates.get("latitude"), 90)
        longitude = _coordinate(coordinates.get("longitude"), 180)
        if latitude is not None and longitude is not None:
            return Location(latitude, longitude)
    return None


def _file_url(message: Mapping[str, Any]) -> str | None:
    """The URL of the message's first attached file (https, printable, not too long)."""
    attachments = message.get("attachments")
    if not isinstance(attachments, list):
        return None
    for item in attachments:
        url = _text(_mapping(_mapping(item).get("payload")).get("url"))
        if url is not None and url.startswith("https://") and url.isprintable():
            return url if len(url) <= URL_LIMIT else None
    return None


def _identifier(value: Any) -> str | None:
    text = _text(value)
    return text if text is not None and text.isprintable() else None


def _user(identifier: Any) -> UserRef | None:
    user_id = _identifier(identifier)
    if user_id is None or len(user_id) > EXTERNAL_ID_LIMIT:
        return None
    return UserRef(Channel.ZALO, user_id)


def _content(name: Any, message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `Update` fields a user message carries, or None when it carries nothing usable."""
    if name == "user_send_location":
        location = _location(message)
        return None if location is None else {"location": location}
    if name in FILE_EVENTS:
        url = _file_url(message)
        if url is None:
            return None
        caption = message.get("text")
        words = caption.replace("\x00", "") if isinstance(caption, str) else ""
        return {"attachment": Attachment(FILE_EVENTS[name], url), "text": words}
    text = message.get("text")
    if not isinstance(text, str):
        return None
    # Before a button's data is decoded from it; `Update` drops NUL from what it carries too.
    text = text.replace("\x00", "")
    callback = decode_callback(text)
    return {"text": text} if callback is None else {"callback_data": callback}


def translate_event(body: Mapping[str, Any], now: datetime) -> ZaloEvent | None:
    """The update a webhook event carries, or None when it is not one we answer.

    The user is `sender.id` (`follower.id` for `follow`): the OA-scoped id that the OA API
    addresses messages to (`recipient.user_id`). `user_id_by_app` is not used.
    """
    name = body.get("event_name")
    received_at = now  # our clock: the payload's timestamp is only checked (webhook.py)
    if name == "follow":
        user = _user(_mapping(body.get("follower")).get("id"))
        if user is None:
            return None
        key = f"follow:{user.external_id}:{body.get('timestamp')}"
        return ZaloEvent(key, Update(user=user, received_at=received_at, text=FOLLOW_TEXT))
    if name not in ("user_send_text", "user_send_location", *FILE_EVENTS):
        return None
    user = _user(_mapping(body.get("sender")).get("id"))
    message = _mapping(body.get("message"))
    message_id = _identifier(message.get("msg_id"))
    content = _content(name, message)
    if user is None or message_id is None or content is None:
        return None
    update = Update(user=user, received_at=received_at, message_id=message_id, **content)
    return ZaloEvent(message_id, update)
