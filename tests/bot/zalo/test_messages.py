"""Replies rendered as Zalo messages: 2000-character parts, buttons, pictures."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.zalo.messages import (
    BUTTON_LIMIT,
    TEXT_LIMIT,
    ImageMessage,
    TextMessage,
    render_reply,
    split_text,
)
from handlers import texts
from handlers.types import Button, ButtonKind, Image, Reply


def test_a_short_text_is_one_part() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("x" * TEXT_LIMIT) == ["x" * TEXT_LIMIT]


def test_a_long_text_is_split_on_line_ends() -> None:
    line = "Ngày 01/11/2026: 12,4 kWh" + " " * 5
    text = "\n".join([line] * 200)  # 6199 characters: 64 lines (1983) fit in a part
    parts = split_text(text)
    assert [part.count("\n") + 1 for part in parts] == [64, 64, 64, 8]
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert all(part.split("\n")[0] == line for part in parts)  # no line is cut
    assert "\n".join(parts) == text


def test_a_line_longer_than_the_limit_is_cut_between_words_then_hard() -> None:
    words = " ".join(["điện"] * 1000)  # 4999 characters on one line
    parts = split_text(words)
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert all(not part.startswith(" ") and not part.endswith("đi") for part in parts)
    assert " ".join(parts) == words
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


@given(st.text(alphabet=st.sampled_from("ab \nđ"), max_size=9000))
def test_every_part_fits_and_nothing_but_whitespace_is_lost(text: str) -> None:
    parts = split_text(text)
    assert all(0 < len(part) <= TEXT_LIMIT for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_buttons_go_under_the_last_part_five_at_a_time() -> None:
    buttons = tuple(Button(f"Mục {n}", f"i:{n}") for n in range(7))
    outgoing = render_reply(Reply("a\n" * 1500, buttons))
    messages = [part.message for part in outgoing if isinstance(part, TextMessage)]
    assert len(messages) == 3
    assert "attachment" not in messages[0]
    under_last = messages[1]["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in under_last] == [f"#cb:i:{n}" for n in range(BUTTON_LIMIT)]
    assert messages[2]["text"] == texts.ZALO_MORE_CHOICES
    assert len(messages[2]["attachment"]["payload"]["buttons"]) == 2


def test_url_buttons_open_links_and_share_buttons_are_left_out() -> None:
    reply = Reply(
        "Chọn",
        (
            Button("Trang web", "https://example.vn", ButtonKind.URL),
            Button("Gửi số điện thoại", kind=ButtonKind.SHARE_CONTACT),
            Button("Gửi vị trí", kind=ButtonKind.SHARE_LOCATION),
        ),
    )
    [part] = render_reply(reply)
    assert isinstance(part, TextMessage)
    assert part.message["attachment"]["payload"]["buttons"] == [
        {"title": "Trang web", "type": "oa.open.url", "payload": {"url": "https://example.vn"}}
    ]


def test_a_picture_comes_first_with_its_caption() -> None:
    reply = Reply("Biểu đồ 30 ngày", image=Image(b"\x89PNG", "Điện năng 30 ngày"))
    picture, text = render_reply(reply)
    assert picture == ImageMessage(b"\x89PNG", "Điện năng 30 ngày")
    assert isinstance(text, TextMessage)
    assert text.message == {"text": "Biểu đồ 30 ngày"}


def test_an_empty_reply_sends_nothing() -> None:
    assert render_reply(Reply("")) == []


def test_an_agents_reply_names_the_agent_on_its_first_line() -> None:
    [part] = render_reply(Reply("Dạ em kiểm tra ngay ạ.", author="Lan"))
    assert isinstance(part, TextMessage)
    assert part.message["text"] == "Nhân viên Lan:\nDạ em kiểm tra ngay ạ."
