"""Telegram messages with files become updates with an attachment that points at the message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import telegram as tg

from bot.telegram.convert import to_update
from handlers.types import (
    Attachment,
    AttachmentKind,
    parse_telegram_source,
    telegram_source,
)

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
FILE = {"file_id": "f1", "file_unique_id": "u1"}
SIZED = {**FILE, "width": 10, "height": 10}
MEDIA = {**SIZED, "duration": 3}


def message_update(**fields: Any) -> tg.Update:
    message = {
        "message_id": 42,
        "date": 1_780_000_000,
        "chat": {"id": 111, "type": "private"},
        "from": {"id": 111, "is_bot": False, "first_name": "An"},
        **fields,
    }
    return tg.Update.de_json({"update_id": 1, "message": message}, None)


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"photo": [SIZED]}, AttachmentKind.PHOTO),
        ({"document": FILE}, AttachmentKind.DOCUMENT),
        ({"voice": {**FILE, "duration": 3}}, AttachmentKind.VOICE),
        ({"audio": {**FILE, "duration": 3}}, AttachmentKind.VOICE),
        ({"video": MEDIA}, AttachmentKind.VIDEO),
        ({"video_note": {**FILE, "length": 10, "duration": 3}}, AttachmentKind.VIDEO),
        (
            {"sticker": {**SIZED, "type": "regular", "is_animated": False, "is_video": False}},
            AttachmentKind.STICKER,
        ),
        ({"animation": MEDIA, "document": FILE}, AttachmentKind.STICKER),  # a GIF
    ],
)
def test_a_file_is_an_attachment_of_its_kind(fields: dict[str, Any], kind: AttachmentKind) -> None:
    update = to_update(message_update(**fields), "dienbot", NOW)
    assert update is not None
    assert update.attachment == Attachment(kind, "telegram:111:42")
    assert update.text == ""


def test_the_caption_of_a_file_is_the_text() -> None:
    update = to_update(message_update(photo=[SIZED], caption="công tơ"), "dienbot", NOW)
    assert update is not None
    assert update.text == "công tơ"


def test_a_message_with_nothing_to_answer_is_ignored() -> None:
    assert to_update(message_update(dice={"emoji": "🎲", "value": 3}), "dienbot", NOW) is None


def test_a_source_names_the_message_to_copy() -> None:
    assert parse_telegram_source(telegram_source(-1001, 7)) == (-1001, 7)
    assert parse_telegram_source("https://photo.zdn.vn/a.jpg") is None
    assert parse_telegram_source("telegram:x:7") is None
    assert parse_telegram_source("telegram:12") is None
