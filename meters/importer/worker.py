"""A worker thread that does one thing to each item the caller hands it, in order.

The readings import parses and checks the file in the calling thread while a worker
writes the chunks already checked: the database work (waiting for PostgreSQL, or SQLite
stepping with the GIL released) overlaps the Python work instead of following it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

QUEUE_LENGTH = 2  # items waiting: memory stays a few chunks whatever the file size


class Worker(Generic[T]):
    """Runs `work(item)` on a thread for each item `put`, in order. The first exception
    stops the work; `put` then returns False, and leaving the `with` block raises it."""

    def __init__(self, work: Callable[[T], None]) -> None:
        self._work = work
        self._queue: queue.Queue[tuple[T] | None] = queue.Queue(QUEUE_LENGTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)

    def __enter__(self) -> Worker[T]:
        self._thread.start()
        return self

    def put(self, item: T) -> bool:
        """Hand an item over; False (and the item dropped) once the work has failed."""
        if self._error is not None:
            return False
        self._queue.put((item,))
        return True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._queue.put(None)
        self._thread.join()
        if error is None and self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (entry := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._work(entry[0])
                except BaseException as error:  # handed to the caller by __exit__
                    self._error = error


class InlineWorker(Generic[T]):
    """The same interface, working in the calling thread: for SQLite, where a second thread
    costs more in handing the GIL back and forth than it saves."""

    def __init__(self, work: Callable[[T], None]) -> None:
        self._work = work

    def __enter__(self) -> InlineWorker[T]:
        return self

    def put(self, item: T) -> bool:
        """Do the work now; its exception comes out of here."""
        self._work(item)
        return True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None
