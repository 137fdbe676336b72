"""Our `Reply`s as Telegram messages: split texts, inline and reply keyboards, photos.

Planning (`plan_messages`) is pure and tested on its own; `TelegramChannel` sends the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import telegram as tg
from telegram.constants import MessageLimit

from handlers import texts
from handlers.format import signed_text
from handlers.types import Button, ButtonKind, Reply

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted in UTF-16 code units
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
SHORT_LABEL = 20  # labels up to this long are laid out two per row
KEYBOARD_KINDS = {ButtonKind.SHARE_CONTACT, ButtonKind.SHARE_LOCATION}

Markup = tg.InlineKeyboardMarkup | tg.ReplyKeyboardMarkup | tg.ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Bot API send: a text message, or a photo (PNG bytes) with a caption."""

    text: str
    markup: Markup | None = None
    photo: bytes | None = None


def utf16_length(text: str) -> int:
    """Telegram measures message lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` UTF-16 units, cut at line ends, else at spaces."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if utf16_length(current + line) <= limit:
            current += line
            continue
        _keep(pieces, current)
        current = line
        while utf16_length(current) > limit:
            head, current = _cut(current, limit)
            _keep(pieces, head)
    _keep(pieces, current)
    return pieces


def _keep(pieces: list[str], piece: str) -> None:
    """Add a piece without its surrounding blank lines and trailing spaces, unless blank."""
    piece = piece.rstrip().lstrip("\n")
    if piece:
        pieces.append(piece)


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` units (at a space if any) and the rest."""
    end, used = 0, 0
    for index, char in enumerate(line):
        used += utf16_length(char)
        if used > limit:
            break
        end = index + 1
    space = line.rfind(" ", 0, end)
    if space > end // 2:
        return line[: space + 1], line[space + 1 :]
    return line[:end], line[end:]


def inline_keyboard(buttons: Sequence[Button]) -> tg.InlineKeyboardMarkup | None:
    """The callback and link buttons under a message; two short labels share a row."""
    keys = [_inline_button(b) for b in buttons if b.kind not in KEYBOARD_KINDS]
    if not keys:
        return None
    rows: list[list[tg.InlineKeyboardButton]] = []
    for key in keys:
        last = rows[-1] if rows else None
        if (
            last is not None
            and len(last) == 1
            and len(last[0].text) <= SHORT_LABEL
            and len(key.text) <= SHORT_LABEL
        ):
            last.append(key)
        else:
            rows.append([key])
    return tg.InlineKeyboardMarkup(rows)


def _inline_button(button: Button) -> tg.InlineKeyboardButton:
    if button.kind is ButtonKind.URL:
        return tg.InlineKeyboardButton(button.label, url=button.data)
    return tg.InlineKeyboardButton(button.label, callback_data=button.data)


def share_keyboard(buttons: Sequence[Button]) -> tg.ReplyKeyboardMarkup | None:
    """A one-time keyboard that shares the phone number or the location when pressed."""
    keys = [
        [
            tg.KeyboardButton(
                b.label,
                request_contact=b.kind is ButtonKind.SHARE_CONTACT,
                request_location=b.kind is ButtonKind.SHARE_LOCATION,
            )
        ]
        for b in buttons
        if b.kind in KEYBOARD_KINDS
    ]
    if not keys:
        return None
    return tg.ReplyKeyboardMarkup(keys, one_time_keyboard=True, resize_keyboard=True)


def plan_reply(reply: Reply) -> list[Outgoing]:
    """The sends of one reply: the photo, the text in pieces, buttons on the last piece.

    A message has one keyboard: when a reply has both inline and share buttons, the share
    keyboard comes with a short extra prompt.
    """
    inline = inline_keyboard(reply.buttons)
    keyboard = share_keyboard(reply.buttons)
    body = signed_text(reply)
    sends: list[Outgoing] = []
    if reply.image is not None:
        caption, *rest = split_text(reply.image.caption, CAPTION_LIMIT) or [""]
        sends.append(Outgoing(caption, photo=reply.image.png))
        body = "\n".join([*rest, body]).strip()
    pieces = split_text(body)
    if not pieces and not sends and (inline or keyboard):
        pieces = [texts.TELEGRAM_CHOOSE]
    sends.extend(Outgoing(piece) for piece in pieces)
    first_markup: Markup | None = inline or keyboard
    if first_markup is not None:
        last = sends[-1]
        sends[-1] = Outgoing(last.text, first_markup, last.photo)
    if inline is not None and keyboard is not None:
        sends.append(Outgoing(texts.TELEGRAM_KEYBOARD_PROMPT, keyboard))
    return sends


def plan_messages(replies: Iterable[Reply], *, remove_keyboard: bool = False) -> list[Outgoing]:
    """Every send for the replies of one update, in order.

    `remove_keyboard` (after a shared card or place) takes the share keyboard away with the
    first send that has no keyboard of its own, unless a new share keyboard is shown.
    """
    sends = [send for reply in replies for send in plan_reply(reply)]
    if remove_keyboard and not any(isinstance(s.markup, tg.ReplyKeyboardMarkup) for s in sends):
        for index, send in enumerate(sends):
            if send.markup is None:
                sends[index] = Outgoing(send.text, tg.ReplyKeyboardRemove(), send.photo)
                break
    return sends
