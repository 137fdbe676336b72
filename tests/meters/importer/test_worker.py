"""The worker thread of the readings import: order, and the first error handed back."""

from __future__ import annotations

import pytest

from meters.importer.worker import InlineWorker, Worker


@pytest.mark.parametrize("kind", [Worker, InlineWorker])
def test_items_are_worked_in_order(kind: type[Worker[int]]) -> None:
    done: list[int] = []
    with kind(done.append) as worker:
        for item in range(100):
            assert worker.put(item)
    assert done == list(range(100))


def test_the_first_error_stops_the_work_and_comes_out_of_the_block() -> None:
    done: list[int] = []

    def work(item: int) -> None:
        if item == 3:
            raise LookupError(item)
        done.append(item)

    def feed() -> None:
        with Worker(work) as worker:
            for item in range(1000):
                if not worker.put(item):
                    break

    with pytest.raises(LookupError):
        feed()
    assert done == [0, 1, 2]


def test_an_error_of_the_caller_wins_and_the_thread_is_joined() -> None:
    def work(item: int) -> None:
        raise LookupError(item)

    def feed() -> None:
        with Worker(work) as worker:
            worker.put(1)
            raise KeyError("caller")

    with pytest.raises(KeyError):
        feed()
