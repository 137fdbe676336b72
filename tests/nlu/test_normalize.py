"""Normalisation: one folded form for the many ways customers type the same words."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import MAX_CHARS, MAX_WORDS, _typed_words, fold, has_diacritics, normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Tiền điện tháng này", "tien dien thang nay"),
        ("ĐIỆN LỰC", "dien luc"),
        ("alooo", "alo"),
        ("dạaaa", "da"),
        ("ko có điện", "khong co dien"),
        ("bn tiền", "bao nhieu tien"),
        ("đc k", "duoc khong"),
        ("tđ tháng trc", "tien dien thang truoc"),
        ("hđ của mk", "hoa don cua minh"),
        ("sdt ad", "so dienthoai admin"),
        ("mã kh PE01", "ma khach hang pe01"),
        ("kh có điện", "khong co dien"),
        ("xài nhiu", "dung nhieu"),
        ("cúp điện", "cat dien"),
        ("check bill 😡😡!!!", "kiem tra hoa don"),
        ("tháng rồi", "thang truoc"),
        ("đồng hồ điện", "cong to"),
        ("350 số", "350 kwh"),
        ("200 ký", "200 kwh"),
        ("ba trăm chữ", "ba tram kwh"),
        ("350kWh", "350 kwh"),
        ("500k", "500 k"),
        ("2.500.000đ", "2.500.000 d"),
        ("20/11", "20/11"),
        ("số/ngày", "so ngay"),
        ("được hông", "duoc khong"),
        ("công tơ bị hỏng", "cong to bi hong"),
    ],
)
def test_normalize_maps_chat_writing_to_one_form(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_composed_and_decomposed_unicode_normalise_alike() -> None:
    composed = unicodedata.normalize("NFC", "Hóa đơn tiền điện")
    decomposed = unicodedata.normalize("NFD", "Hóa đơn tiền điện")
    assert composed != decomposed
    assert normalize(composed) == normalize(decomposed) == "hoa don tien dien"


def test_fold_removes_every_vietnamese_mark() -> None:
    assert fold("ắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵđ") == (
        "aaaaaaaaaaeeeeeeeeeeiiiiiooooooooooooooouuuuuuuuuuyyyyyd"
    )


@pytest.mark.parametrize(
    ("text", "expected"), [("tiền điện", True), ("tien dien", False), ("đi", True)]
)
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


def test_control_characters_and_rtl_marks_become_spaces() -> None:
    assert normalize("tiền\u200f\x00điện\u202e\t\n") == "tien dien"


def _folded_words_reference(text: str) -> list[str]:
    """The typed words as the plain definition gives them: fold the whole text, then filter."""
    folded = re.sub(r"[^a-z0-9/.,:+%\-]+", " ", fold(text[:MAX_CHARS]))
    return re.sub(r"(?<!\d)[/.,:+%\-]+|[/.,:+%\-]+(?!\d)", " ", folded).split()


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=100),
        st.text(alphabet="aăâeêoôơuưyđĐÀÁẠẢÃ\u0300\u0301\u0303\u0323\u0309 1/.,-😀", max_size=60),
    )
)
def test_folding_character_by_character_gives_the_same_words(text: str) -> None:
    assert _typed_words(text) == _folded_words_reference(text)


def test_only_the_first_words_are_read() -> None:
    words = normalize("tiền điện " * 1000).split()
    assert len(words) == MAX_WORDS
    assert words[:2] == ["tien", "dien"]
