"""The start-up heap is frozen out of the garbage collector's full collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.heap import settle_heap


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_is_alive_at_start_up_is_frozen() -> None:
    built = {"tables": [[number] for number in range(100)]}

    frozen = settle_heap()

    assert frozen == gc.get_freeze_count() >= 100
    assert not any(tracked is built for tracked in gc.get_objects())  # skipped by collections


def test_what_comes_later_is_collected_as_usual() -> None:
    settle_heap()

    class Node:
        partner: object = None

    first, second = Node(), Node()
    first.partner, second.partner = second, first  # a cycle only the collector can free
    del first, second

    assert gc.collect() >= 2
