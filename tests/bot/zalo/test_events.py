"""Zalo's file events become updates with an attachment: its URL, and the caption as text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.zalo.events import translate_event
from handlers.types import Attachment, AttachmentKind
from tests.fakes.zalo_events import file_event

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
APP = "50554360515256678"
PHOTO_URL = "https://photo-stal-9.zdn.vn/user/cong-to.jpg"


def test_an_image_with_a_caption_is_a_photo_and_its_text() -> None:
    event = translate_event(
        file_event(APP, "u1", "user_send_image", PHOTO_URL, NOW, caption="công tơ nhà tôi"), NOW
    )
    assert event is not None
    assert event.update.attachment == Attachment(AttachmentKind.PHOTO, PHOTO_URL)
    assert event.update.text == "công tơ nhà tôi"
    assert event.update.user.external_id == "u1"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("user_send_file", AttachmentKind.DOCUMENT),
        ("user_send_sticker", AttachmentKind.STICKER),
        ("user_send_gif", AttachmentKind.STICKER),
        ("user_send_audio", AttachmentKind.VOICE),
        ("user_send_video", AttachmentKind.VIDEO),
    ],
)
def test_each_file_event_has_its_kind(name: str, kind: AttachmentKind) -> None:
    event = translate_event(file_event(APP, "u1", name, PHOTO_URL, NOW), NOW)
    assert event is not None
    assert event.update.attachment == Attachment(kind, PHOTO_URL)
    assert event.update.text == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://photo.zdn.vn/a.jpg",
        "javascript:alert(1)",
        "",
        "https://x/\n",
        "https://" + "a" * 1000,
    ],
)
def test_a_file_without_a_usable_https_url_is_not_an_update(url: str) -> None:
    assert translate_event(file_event(APP, "u1", "user_send_image", url, NOW), NOW) is None
