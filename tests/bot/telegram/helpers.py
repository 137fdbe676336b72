"""Reading what the bot sent to the Bot API stand-in."""

from __future__ import annotations

import itertools
from typing import Any

from handlers import texts
from tests.fakes.telegram_api import FakeTelegram

JsonObject = dict[str, Any]
MENU_MARK = texts.HELP.split("{", 1)[0]  # the start of the answer to /menu


def shown_text(message: JsonObject) -> str:
    """The text or caption of a bot message."""
    return str(message.get("text") or message.get("caption") or "")


def all_text(tg: FakeTelegram, chat_id: int) -> str:
    """Everything the bot said in a chat, one message a line."""
    return "\n".join(shown_text(m) for m in tg.bot_messages(chat_id))


def inline_buttons(message: JsonObject) -> list[JsonObject]:
    """The inline buttons under a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return list(itertools.chain.from_iterable(rows))


def keyboard_buttons(message: JsonObject) -> list[JsonObject]:
    """The reply-keyboard buttons shown with a message."""
    rows = (message.get("reply_markup") or {}).get("keyboard", [])
    return list(itertools.chain.from_iterable(rows))


async def reply_containing(tg: FakeTelegram, chat_id: int, needle: str) -> JsonObject:
    """Wait for a bot message in the chat whose text contains `needle`; return it."""

    def found() -> JsonObject | None:
        return next((m for m in tg.bot_messages(chat_id) if needle in shown_text(m)), None)

    await tg.wait_until(
        lambda: found() is not None,
        describe=lambda: f"{needle!r} in chat {chat_id}; the bot said {all_text(tg, chat_id)!r}",
    )
    message = found()
    assert message is not None
    return message


async def settled(tg: FakeTelegram, user_id: int, chat_id: int | None = None) -> None:
    """Every reply to what the user sent so far has been sent: updates of one chat are handled
    in order, so once the answer to a later `/menu` arrives the earlier answers are complete."""
    chat = chat_id if chat_id is not None else user_id
    before = len(tg.bot_messages(chat))
    await tg.user_message(user_id, "/menu", chat_id=chat_id)
    await tg.wait_until(
        lambda: any(
            "hỏi em bằng lời thường" in shown_text(m) for m in tg.bot_messages(chat)[before:]
        ),
        describe=lambda: f"the menu in chat {chat}",
    )
