"""The channel-neutral update: whatever a channel delivers, its text can be stored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.types import storable

ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


@given(st.text(ANY_CHARACTER))
def test_any_text_becomes_storable_utf8_without_nul(text: str) -> None:
    stored = storable(text)
    assert "\x00" not in stored
    assert stored.encode("utf-8").decode("utf-8") == stored
    assert len(stored) == len(text) - text.count("\x00")  # one for one, NULs dropped


@given(st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",))))
def test_text_that_can_be_stored_is_kept_as_it_is(text: str) -> None:
    assert storable(text) == text


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert storable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
