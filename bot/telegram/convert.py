"""Telegram updates in, channel-neutral `Update`s out (nothing of PTB crosses into handlers)."""

from __future__ import annotations

from datetime import UTC, datetime

import telegram as tg
from telegram.constants import ChatType

from handlers.types import (
    Attachment,
    AttachmentKind,
    Channel,
    Location,
    SharedContact,
    Update,
    UserRef,
    telegram_source,
)


def _user_ok(user: tg.User | None) -> bool:
    return user is not None and isinstance(user.id, int) and isinstance(user.first_name, str)


def _chat_ok(chat: tg.Chat | None) -> bool:
    return chat is not None and isinstance(chat.id, int) and isinstance(chat.type, str)


def well_formed(update: tg.Update) -> bool:
    """Whether the parts of an update the bot reads have the fields the Bot API always sends
    (PTB builds objects without them, and reading them would fail later)."""
    update_id: object = update.update_id  # typed int, but PTB does not check what it was given
    if not isinstance(update_id, int):
        return False
    message = update.message
    if message is not None and not (
        isinstance(message.message_id, int)
        and isinstance(message.date, datetime)
        and _chat_ok(message.chat)
        and (message.from_user is None or _user_ok(message.from_user))
    ):
        return False
    query = update.callback_query
    if query is not None and not (isinstance(query.id, str) and _user_ok(query.from_user)):
        return False
    member = update.my_chat_member
    return member is None or (
        _chat_ok(member.chat) and member.new_chat_member is not None and _user_ok(member.from_user)
    )


def to_update(update: tg.Update, bot_username: str | None, now: datetime) -> Update | None:
    """Our `Update` for a message or a button press; None for anything the bot ignores.

    Ignored: edits, channel posts, service messages without text or card, membership changes,
    and commands addressed to another bot in a group (`/start@other_bot`).
    """
    if update.callback_query is not None:
        return _from_callback(update.callback_query, now)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    text = message.text or message.caption or ""
    if _command_for_another_bot(text, bot_username):
        return None
    contact = None
    if message.contact is not None:
        owner = message.contact.user_id
        contact = SharedContact(
            phone=message.contact.phone_number, user_id=str(owner) if owner else None
        )
    location = None
    if message.location is not None:
        location = Location(message.location.latitude, message.location.longitude)
    attachment = attachment_of(message)
    if not text and contact is None and location is None and attachment is None:
        return None  # a service message, a poll, a dice
    return Update(
        user=_user(message.from_user),
        received_at=_aware(message.date, now),
        text=text,
        contact=contact,
        location=location,
        attachment=attachment,
        private_chat=message.chat.type == ChatType.PRIVATE,
        forwarded=message.forward_origin is not None,
        message_id=f"{message.chat.id}:{message.message_id}",
    )


def attachment_of(message: tg.Message) -> Attachment | None:
    """The file of a message, found again by copying the message itself (no download)."""
    kind = None
    if message.photo:
        kind = AttachmentKind.PHOTO
    elif message.sticker is not None or message.animation is not None:
        kind = AttachmentKind.STICKER  # checked before `document`, which a GIF also sets
    elif message.voice is not None or message.audio is not None:
        kind = AttachmentKind.VOICE
    elif message.video is not None or message.video_note is not None:
        kind = AttachmentKind.VIDEO
    elif message.document is not None:
        kind = AttachmentKind.DOCUMENT
    if kind is None:
        return None
    return Attachment(kind, telegram_source(message.chat.id, message.message_id))


def _from_callback(query: tg.CallbackQuery, now: datetime) -> Update | None:
    if query.data is None:
        return None  # a game button: no data
    private = True
    if isinstance(query.message, tg.Message):
        private = query.message.chat.type == ChatType.PRIVATE
    return Update(
        user=_user(query.from_user),
        received_at=_aware(None, now),
        callback_data=query.data,
        private_chat=private,
        message_id=f"cb:{query.id}",
    )


def _user(user: tg.User) -> UserRef:
    return UserRef(Channel.TELEGRAM, str(user.id), user.full_name or None)


def _aware(moment: datetime | None, now: datetime) -> datetime:
    """When the update was sent, in UTC (PTB gives aware UTC dates; `now` for button presses)."""
    if moment is None:
        return now.astimezone(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _command_for_another_bot(text: str, bot_username: str | None) -> bool:
    if not text.startswith("/"):
        return False
    _, at, addressee = text.split(maxsplit=1)[0].partition("@")
    return bool(at) and bot_username is not None and addressee.lower() != bot_username.lower()
