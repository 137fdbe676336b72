"""Planning the Bot API sends of replies (pure: no network)."""

from __future__ import annotations

import telegram as tg
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.render import (
    inline_keyboard,
    plan_messages,
    plan_reply,
    split_text,
    utf16_length,
)
from handlers import texts
from handlers.types import Button, ButtonKind, Image, Reply


def test_short_text_is_one_piece() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("") == []
    assert split_text("\n\n") == []


def test_pieces_break_at_line_ends() -> None:
    lines = [f"dòng {n:03d} " + "a" * 40 for n in range(300)]
    pieces = split_text("\n".join(lines), limit=1000)
    assert all(utf16_length(p) <= 1000 for p in pieces)
    assert [line for p in pieces for line in p.split("\n")] == lines


def test_a_line_longer_than_the_limit_breaks_at_spaces() -> None:
    words = ["điện"] * 500
    pieces = split_text(" ".join(words), limit=100)
    assert all(utf16_length(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == words


def test_lengths_are_counted_in_utf16_units_like_telegram() -> None:
    emoji = "⚡🔌"  # the plug is outside the BMP: two UTF-16 units
    assert utf16_length(emoji) == 3
    pieces = split_text("🔌" * 10, limit=5)
    assert pieces == ["🔌🔌", "🔌🔌", "🔌🔌", "🔌🔌", "🔌🔌"]


@given(st.text(alphabet=st.sampled_from("ab đ\n🔌"), max_size=400), st.integers(4, 60))
def test_no_piece_is_too_long_and_no_word_is_lost(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < utf16_length(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_short_labels_share_rows_long_ones_stand_alone() -> None:
    markup = inline_keyboard(
        [
            Button("Hóa đơn", "i:bill"),
            Button("Thanh toán", "i:pay"),
            Button("Liên kết mã khách hàng", "i:link"),
            Button("Trang web", "https://evn.com.vn", ButtonKind.URL),
        ]
    )
    assert markup is not None
    rows = [[key.text for key in row] for row in markup.inline_keyboard]
    assert rows == [["Hóa đơn", "Thanh toán"], ["Liên kết mã khách hàng"], ["Trang web"]]
    assert markup.inline_keyboard[2][0].url == "https://evn.com.vn"


def test_inline_and_share_buttons_need_two_messages() -> None:
    sends = plan_reply(
        Reply(
            "Liên kết",
            (
                Button("Nhập mã", "i:link"),
                Button(texts.BUTTON_SHARE_PHONE, kind=ButtonKind.SHARE_CONTACT),
            ),
        )
    )
    assert [s.text for s in sends] == ["Liên kết", texts.TELEGRAM_KEYBOARD_PROMPT]
    assert isinstance(sends[0].markup, tg.InlineKeyboardMarkup)
    assert isinstance(sends[1].markup, tg.ReplyKeyboardMarkup)


def test_buttons_without_text_get_a_prompt() -> None:
    [send] = plan_reply(Reply("", (Button("Có", "yes"),)))
    assert send.text == texts.TELEGRAM_CHOOSE


def test_an_image_with_a_short_caption_is_one_photo() -> None:
    [photo] = plan_reply(Reply("", image=Image(b"png", "Biểu đồ 7 ngày")))
    assert photo.photo == b"png"
    assert photo.text == "Biểu đồ 7 ngày"


def test_after_a_shared_card_the_keyboard_is_removed_once() -> None:
    sends = plan_messages(
        [Reply("Đã liên kết", (Button("Menu", "i:help"),)), Reply("Lưu ý"), Reply("Hết")],
        remove_keyboard=True,
    )
    assert isinstance(sends[0].markup, tg.InlineKeyboardMarkup)
    assert isinstance(sends[1].markup, tg.ReplyKeyboardRemove)
    assert sends[2].markup is None


def test_the_keyboard_stays_when_a_new_one_is_shown() -> None:
    sends = plan_messages(
        [Reply("Chưa đúng", (Button("Chia sẻ", kind=ButtonKind.SHARE_CONTACT),)), Reply("x")],
        remove_keyboard=True,
    )
    assert not any(isinstance(s.markup, tg.ReplyKeyboardRemove) for s in sends)
