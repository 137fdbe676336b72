"""POST /zalo/webhook on a running server, with events the stand-in signs and delivers."""

from __future__ import annotations

from bot.zalo.events import encode_callback
from handlers.types import Channel
from tests.bot.zalo.conftest import ZaloService
from tests.fakes.zalo_api import UNSIGNED
from tests.fakes.zalo_events import encode_event, follow_event, text_event, zalo_signature


async def test_a_followers_text_gets_the_bots_reply(service: ZaloService) -> None:
    service.fake.add_user("u1")
    assert await service.say("u1", "xin chào") == 200
    [update] = service.conversation.updates
    assert update.user.channel is Channel.ZALO
    assert update.user.external_id == "u1"
    assert update.text == "xin chào"
    assert update.message_id is not None
    [message] = service.fake.messages_to("u1")
    assert message["text"] == "echo: xin chào"
    [button] = message["attachment"]["payload"]["buttons"]
    assert button == {"title": "Menu", "type": "oa.query.hide", "payload": "#cb:i:help"}


async def test_a_pressed_button_comes_back_as_callback_data(service: ZaloService) -> None:
    service.fake.add_user("u1")
    await service.say("u1", encode_callback("i:help"))
    [update] = service.conversation.updates
    assert update.callback_data == "i:help"
    assert update.text == ""
    assert service.fake.texts_to("u1") == ["pressed: i:help"]


async def test_a_shared_location_arrives_as_a_location(service: ZaloService) -> None:
    service.fake.add_user("u1")
    status = await service.fake.user_sends_location(service.webhook_url, "u1", 10.7642, 106.6564)
    await service.channel.drain()
    assert status == 200
    [update] = service.conversation.updates
    assert update.location is not None
    assert (update.location.latitude, update.location.longitude) == (10.7642, 106.6564)


async def test_a_new_follower_is_greeted_like_start(service: ZaloService) -> None:
    assert await service.fake.user_follows(service.webhook_url, "u9") == 200
    await service.channel.drain()
    [update] = service.conversation.updates
    assert update.text == "/start"
    assert service.fake.texts_to("u9") == ["echo: /start"]


async def test_a_repeated_delivery_is_answered_200_and_handled_once(
    service: ZaloService,
) -> None:
    service.fake.add_user("u1")
    assert await service.say("u1", "lần một", msg_id="m-1") == 200
    assert await service.say("u1", "lần một", msg_id="m-1") == 200
    assert await service.say("u1", "lần hai", msg_id="m-2") == 200
    assert [update.text for update in service.conversation.updates] == ["lần một", "lần hai"]
    assert service.fake.texts_to("u1") == ["echo: lần một", "echo: lần hai"]


async def test_a_missing_signature_is_401_and_nothing_is_handled(service: ZaloService) -> None:
    event = text_event(service.fake.app_id, "u1", "xin chào", service.fake.clock())
    status = await service.fake.send_event(service.webhook_url, event, signature=UNSIGNED)
    await service.channel.drain()
    assert status == 401
    assert service.conversation.updates == []


async def test_a_wrong_signature_is_403_and_nothing_is_handled(service: ZaloService) -> None:
    fake = service.fake
    fake.add_user("u1")
    event = text_event(fake.app_id, "u1", "xin chào", fake.clock())
    raw = encode_event(event)
    timestamp = event["timestamp"]
    wrong = (
        fake.sign(raw + b" ", timestamp),  # signs other bytes
        zalo_signature(fake.app_id, raw, timestamp, "another-secret"),
        zalo_signature(fake.app_id, raw, str(int(timestamp) + 1), fake.oa_secret_key),
        zalo_signature("123", raw, timestamp, fake.oa_secret_key),
        "mac=" + "0" * 64,
        "mac=",
        "not a signature at all",
    )
    for signature in wrong:
        assert await fake.send_event(service.webhook_url, event, signature=signature) == 403
    tampered = raw.replace("xin chào".encode(), "chuyển tiền".encode())
    signed = fake.sign(raw, timestamp)
    assert await fake.send_event(service.webhook_url, event, raw=tampered, signature=signed) == 403
    await service.channel.drain()
    assert service.conversation.updates == []
    assert fake.messages_to("u1") == []


async def test_the_oa_id_in_place_of_the_app_id_is_accepted(service: ZaloService) -> None:
    fake = service.fake
    fake.add_user("u1")
    event = text_event(fake.app_id, "u1", "hi", fake.clock())
    raw = encode_event(event)
    oa_id = event["recipient"]["id"]
    signature = zalo_signature(oa_id, raw, event["timestamp"], fake.oa_secret_key)
    assert await fake.send_event(service.webhook_url, event, signature=signature) == 200
    await service.channel.drain()
    assert fake.texts_to("u1") == ["echo: hi"]


async def test_the_signature_may_come_without_the_mac_prefix_and_in_capitals(
    service: ZaloService,
) -> None:
    fake = service.fake
    fake.add_user("u1")
    event = text_event(fake.app_id, "u1", "hi", fake.clock())
    bare = fake.sign(encode_event(event), event["timestamp"]).removeprefix("mac=").upper()
    assert await fake.send_event(service.webhook_url, event, signature=bare) == 200
    await service.channel.drain()
    assert fake.texts_to("u1") == ["echo: hi"]


async def test_a_body_that_is_not_a_json_event_is_400(service: ZaloService) -> None:
    fake = service.fake
    for raw in (b"not json", b"[1, 2]", b'{"event_name": "user_send_text"}', b"\xff\xfe"):
        status = await fake.send_event(service.webhook_url, {}, raw=raw, signature="mac=00")
        assert status == 400, raw


async def test_events_we_do_not_answer_get_200_and_are_ignored(service: ZaloService) -> None:
    fake = service.fake
    seen = {
        "app_id": fake.app_id,
        "event_name": "user_seen_message",
        "timestamp": "1717061839659",
        "sender": {"id": "u1"},
        "message": {"msg_ids": ["a"]},
    }
    sticker = text_event(fake.app_id, "u1", "", fake.clock()) | {"event_name": "user_send_sticker"}
    for event in (seen, sticker, follow_event(fake.app_id, "", fake.clock())):
        assert await fake.send_event(service.webhook_url, event) == 200
    await service.channel.drain()
    assert service.conversation.updates == []


async def test_a_broken_core_gets_the_apology_sent(service: ZaloService) -> None:
    from handlers import texts

    service.fake.add_user("u1")
    service.conversation.fail = True
    assert await service.say("u1", "xin chào") == 200
    assert service.fake.texts_to("u1") == [texts.SORRY]
