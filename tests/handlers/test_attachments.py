"""Files a customer sends: answered by their caption, or with the offer of a person, who sees
them once a person has the chat."""

from __future__ import annotations

from sqlalchemy import Engine, select

from handlers import texts
from handlers.menu import AGENT_BUTTON
from handlers.types import Attachment, AttachmentKind, Reply, Update
from meters.schema import CaseMessage, ConversationLogEntry
from tests.handlers.conftest import FakeChat, text_of

PHOTO = Attachment(AttachmentKind.PHOTO, "telegram:111:42")


def send_file(chat: FakeChat, attachment: Attachment, caption: str = "") -> tuple[Reply, ...]:
    return chat.send(
        Update(user=chat.user, received_at=chat.now, text=caption, attachment=attachment)
    )


def test_a_photo_alone_gets_the_offer_of_a_person_and_the_hotline(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory()
    [reply] = send_file(chat, PHOTO)
    assert reply.text.startswith("Em chưa xem được ảnh")
    assert "1900" in reply.text
    assert AGENT_BUTTON in reply.buttons
    with store.connect() as connection:
        incoming = connection.execute(
            select(ConversationLogEntry.text).where(ConversationLogEntry.direction == "in")
        ).scalar_one()
    assert incoming == "[ảnh]"  # the log names the file; it keeps no reference to it


def test_a_sticker_gets_the_menu(chat_factory: type[FakeChat]) -> None:
    chat = chat_factory()
    sticker = Attachment(AttachmentKind.STICKER, "telegram:111:43")
    assert texts.STICKER_REPLY in text_of(send_file(chat, sticker))


def test_a_file_with_a_caption_is_answered_as_the_caption_is(
    chat_factory: type[FakeChat],
) -> None:
    question = "lịch cúp điện tuần này"
    captioned = send_file(chat_factory(), PHOTO, question)
    assert captioned == chat_factory().say(question)


def test_while_a_person_has_the_chat_the_file_goes_into_the_case(
    chat_factory: type[FakeChat], store: Engine
) -> None:
    chat = chat_factory()
    chat.say("cho tôi gặp nhân viên")
    acknowledged = send_file(chat, PHOTO, "công tơ nhà tôi")
    assert [button.data for reply in acknowledged for button in reply.buttons] == ["bot"]
    with store.connect() as connection:
        last = connection.execute(
            select(CaseMessage.text, CaseMessage.file_kind, CaseMessage.file_source)
            .where(CaseMessage.author == "customer")
            .order_by(CaseMessage.id.desc())
            .limit(1)
        ).one()
    assert tuple(last) == ("[ảnh] công tơ nhà tôi", "photo", "telegram:111:42")
