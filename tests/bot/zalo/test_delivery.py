"""Replies and one-time codes delivered to the stand-in: parts, pictures, ZNS, refusals."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from bot.zalo.errors import ErrorKind, ZaloError
from bot.zalo.zns import ZnsCodeSender, zns_phone
from handlers.types import Channel, Image, Reply
from tests.bot.zalo.conftest import (
    ClientFactory,
    RecordingConversation,
    ZaloService,
    code_effect,
    zalo_app,
    zalo_settings,
)
from tests.fakes.zalo_api import FakeZalo

CS_PATH = "/v3.0/oa/message/cs"


async def test_a_long_reply_arrives_in_parts_of_at_most_2000_characters(
    service: ZaloService,
) -> None:
    service.fake.add_user("u1")
    text = "\n".join(f"Dòng {n}: điện năng 12,4 kWh" for n in range(300))
    service.conversation.replies = (Reply(text),)
    await service.say("u1", "lịch sử")
    received = service.fake.texts_to("u1")
    assert len(received) > 1
    assert all(len(part) <= 2000 for part in received)
    assert "\n".join(received) == text


async def test_a_picture_is_uploaded_then_sent_with_its_caption(service: ZaloService) -> None:
    service.fake.add_user("u1")
    service.conversation.replies = (Reply("Xem biểu đồ", image=Image(b"\x89PNG-1", "30 ngày")),)
    await service.say("u1", "biểu đồ")
    picture, text = service.fake.messages_to("u1")
    [element] = picture["attachment"]["payload"]["elements"]
    assert service.fake.uploads[element["attachment_id"]] == b"\x89PNG-1"
    assert picture["text"] == "30 ngày"
    assert text == {"text": "Xem biểu đồ"}


async def test_a_user_out_of_the_window_is_logged_and_not_retried(
    service: ZaloService, caplog: pytest.LogCaptureFixture
) -> None:
    service.fake.add_user("u2", interacted=False)
    with caplog.at_level(logging.INFO, logger="bot.zalo.errors"):
        await service.channel.send_replies("u2", (Reply("một"), Reply("hai")))
    assert [call for call in service.fake.calls if call[0] == CS_PATH] == [(CS_PATH, -230)]
    assert "not retried" in caplog.text
    assert "7 days" in caplog.text


async def test_one_time_codes_of_zalo_chats_go_by_zns_to_the_84_number(
    service: ZaloService,
) -> None:
    sender = service.conversation.code_senders[Channel.ZALO]
    assert isinstance(sender, ZnsCodeSender)
    await sender.send_code(code_effect("0912 345 678"))
    [sent] = service.fake.zns_sent
    assert sent["phone"] == "84912345678"
    assert sent["template_id"] == "330875"
    assert sent["template_data"] == {"otp": "424242"}
    assert sent["tracking_id"].startswith("otp-")


@pytest.mark.parametrize(
    "case",
    [
        ('{"otp": "330875", "otp_warning": "330899"}', "330899", False),
        ('{"otp": "330875"}', "330875", True),  # no template that says it: the code still goes
    ],
)
async def test_the_code_after_a_pause_goes_by_the_warning_template(
    aiohttp_client: ClientFactory,
    fake_zalo: FakeZalo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    case: tuple[str, str, bool],
) -> None:
    templates, template_id, logged = case
    fake_zalo.zns_templates.add("330899")  # approved by Zalo with the warning's text
    conversation = RecordingConversation()
    settings = zalo_settings(fake_zalo, sqlite_url, DIENBOT_ZNS_TEMPLATES=templates)
    app, _channel = zalo_app(settings, conversation)
    await aiohttp_client(app)
    sender = conversation.code_senders[Channel.ZALO]
    assert isinstance(sender, ZnsCodeSender)
    await sender.send_code(code_effect())
    with caplog.at_level(logging.WARNING):
        await sender.send_code(dataclasses.replace(code_effect(), warned=True))
    plain, warned = fake_zalo.zns_sent
    assert plain["template_id"] == "330875"
    assert warned["template_id"] == template_id
    assert warned["template_data"] == {"otp": "424242"}
    assert ("otp_warning" in caplog.text) is logged
    assert "0912345678" not in caplog.text


async def test_a_zns_quota_that_ran_out_raises_and_masks_the_phone(
    service: ZaloService, caplog: pytest.LogCaptureFixture
) -> None:
    service.fake.zns_daily_quota = 0
    sender = service.conversation.code_senders[Channel.ZALO]
    assert isinstance(sender, ZnsCodeSender)
    with pytest.raises(ZaloError) as raised, caplog.at_level(logging.INFO):
        await sender.send_code(code_effect("0912345678"))
    assert raised.value.kind is ErrorKind.QUOTA
    assert "0912345678" not in caplog.text
    assert "84912345678" not in caplog.text
    assert "********678" in caplog.text


async def test_without_an_otp_template_no_zns_sender_is_registered(
    aiohttp_client: ClientFactory, fake_zalo: FakeZalo, sqlite_url: str
) -> None:
    conversation = RecordingConversation()
    app, _channel = zalo_app(zalo_settings(fake_zalo, sqlite_url), conversation)
    await aiohttp_client(app)
    assert conversation.code_senders == {}


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0912345678", "84912345678"),
        ("+84 912 345 678", "84912345678"),
        ("84912345678", "84912345678"),
        ("091.234.5678", "84912345678"),
    ],
)
def test_phones_are_written_the_zns_way(phone: str, expected: str) -> None:
    assert zns_phone(phone) == expected


@pytest.mark.parametrize("phone", ["", "12345", "+1 202 555 0100", "09123456789"])
def test_a_phone_that_is_not_vietnamese_is_refused_without_showing_it(phone: str) -> None:
    with pytest.raises(ValueError, match="not a Vietnamese") as raised:
        zns_phone(phone)
    assert phone not in str(raised.value) or not phone
