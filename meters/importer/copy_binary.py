"""Rows of `readings` in PostgreSQL's binary COPY format.

Binary saves the server from parsing text (a timestamp above all) and costs less Python
than formatting text: the common row (no registers, no flag) is one `struct` pack, done
for a whole chunk by a C-level `map`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import repeat

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
FIELDS = 7  # meter_pk, read_at, index_wh, normal_wh, peak_wh, offpeak_wh, flag
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # PostgreSQL's
_MICROSECOND = timedelta(microseconds=1)
_NULL = struct.pack("!i", -1)
_PLAIN_ROW = struct.Struct("!hiiiqiqiiii")  # registers and flag NULL
_ROW_START = struct.Struct("!hiiiqiq")
_BIGINT = struct.Struct("!iq")
MICROS_CACHE_SIZE = 4096


class MomentMicros:
    """Stored UTC texts (`YYYY-MM-DD HH:MM:SS.ffffff`) as microseconds since 2000-01-01."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        known = self._known.get(text)
        if known is None:
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
            known = (moment - _EPOCH) // _MICROSECOND
            if len(self._known) >= MICROS_CACHE_SIZE:
                self._known.clear()
            self._known[text] = known
        return known


def _field(value: int | None) -> bytes:
    return _NULL if value is None else _BIGINT.pack(8, value)


def _flag(flag: str | None) -> bytes:
    if flag is None:
        return _NULL
    data = flag.encode()
    return struct.pack("!i", len(data)) + data


def rows_data(
    meter_pks: Sequence[int],
    micros: Sequence[int],
    index_whs: Sequence[int],
    registers: tuple[Sequence[int | None], Sequence[int | None], Sequence[int | None]],
    flags: Sequence[str | None],
) -> list[bytes]:
    """The rows, one bytes object each, in order."""
    size = len(meter_pks)
    normal_whs, peak_whs, offpeak_whs = registers
    if normal_whs.count(None) == size:
        rows = list(
            map(
                _PLAIN_ROW.pack,
                repeat(FIELDS),
                repeat(4),
                meter_pks,
                repeat(8),
                micros,
                repeat(8),
                index_whs,
                repeat(-1),
                repeat(-1),
                repeat(-1),
                repeat(-1),
            )
        )
        if flags.count(None) == size:
            return rows
        changed = [
            row for row in range(size) if flags[row] is not None or peak_whs[row] is not None
        ]
    else:
        rows = [b""] * size
        changed = list(range(size))
    for row in changed:
        rows[row] = b"".join(
            (
                _ROW_START.pack(FIELDS, 4, meter_pks[row], 8, micros[row], 8, index_whs[row]),
                _field(normal_whs[row]),
                _field(peak_whs[row]),
                _field(offpeak_whs[row]),
                _flag(flags[row]),
            )
        )
    return rows
