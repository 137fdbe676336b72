"""A chunk of validated readings held by column, and the bulk check of a chunk of rows.

The readings import checks a few thousand rows at a time. `check_chunk` validates a chunk
with operations on whole columns (distinct meter ids and times checked once, numbers checked
with one regular expression over the column and converted with C-level `map`s); when any
value needs a closer look it returns None, and the caller checks that chunk row by row with
the exact messages. Both ways produce the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import lt

from meters.importer.errors import FieldError
from meters.importer.fields import parse_key

# (line, meter_id, read_at as UTC text, index_wh, normal_wh, peak_wh, offpeak_wh)
StagedRow = tuple[int, str, str, int, int | None, int | None, int | None]
Key = tuple[str, str]

# At most 12 whole digits: below 2**51 Wh, where round(float(text) * 1000) is exact.
_ENERGY_COLUMN = re.compile(r"\d{1,12}(?:\.\d{1,3})?(?:\n\d{1,12}(?:\.\d{1,3})?)*", re.ASCII)
_THOUSAND = 1000.0


@dataclass(frozen=True, slots=True)
class ReadingChunk:
    """Validated rows in file order, by column. `sorted`: the keys (meter_id, read_at)
    strictly increase, from the last key of the chunk before through this one."""

    lines: Sequence[int]
    meter_ids: Sequence[str]
    read_ats: Sequence[str]
    index_whs: Sequence[int]
    normal_whs: Sequence[int | None]
    peak_whs: Sequence[int | None]
    offpeak_whs: Sequence[int | None]
    sorted: bool

    def __len__(self) -> int:
        return len(self.lines)

    def rows(self) -> Iterator[StagedRow]:
        """The rows as tuples."""
        return zip(
            self.lines,
            self.meter_ids,
            self.read_ats,
            self.index_whs,
            self.normal_whs,
            self.peak_whs,
            self.offpeak_whs,
            strict=True,
        )

    @property
    def last_key(self) -> Key:
        """The key of the last row."""
        return self.meter_ids[-1], self.read_ats[-1]


def energy_column(texts: Sequence[str]) -> list[int] | None:
    """Plain kWh texts (digits, at most 3 decimals) as Wh, or None if any is not plain."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1 or not _ENERGY_COLUMN.fullmatch(joined):
        return None
    return list(map(round, map(_THOUSAND.__mul__, map(float, texts))))


def strictly_increasing(keys: Sequence[Key], after: Key) -> bool:
    """Whether `keys` strictly increase, starting above `after`."""
    return (not keys or keys[0] > after) and all(map(lt, keys, islice(keys, 1, None)))


def check_chunk(
    lines: Sequence[int],
    columns: tuple[Sequence[str], ...],
    utc_text: Callable[[str], str],
    after: Key,
) -> ReadingChunk | None:
    """The chunk, when every value is plainly valid; None when any needs a closer look.

    `columns`: the texts of meter_id, read_at, index_kwh and the three registers.
    """
    meter_ids, read_at_texts, index_texts, normal_texts, peak_texts, offpeak_texts = columns
    try:
        if any(parse_key(meter_id) != meter_id for meter_id in set(meter_ids)):
            return None
        moments = {text: utc_text(text) for text in set(read_at_texts)}
    except FieldError:
        return None
    read_ats = list(map(moments.__getitem__, read_at_texts))
    index_whs = energy_column(index_texts)
    if index_whs is None:
        return None
    normal_whs: Sequence[int | None]
    peak_whs: Sequence[int | None]
    offpeak_whs: Sequence[int | None]
    if not (any(normal_texts) or any(peak_texts) or any(offpeak_texts)):
        normal_whs = peak_whs = offpeak_whs = (None,) * len(lines)
    else:
        normal = energy_column(normal_texts)
        peak = energy_column(peak_texts)
        offpeak = energy_column(offpeak_texts)
        if normal is None or peak is None or offpeak is None:
            return None  # a missing or unusual register somewhere: row by row
        normal_whs, peak_whs, offpeak_whs = normal, peak, offpeak
    keys = list(zip(meter_ids, read_ats, strict=True))
    return ReadingChunk(
        lines,
        meter_ids,
        read_ats,
        index_whs,
        normal_whs,
        peak_whs,
        offpeak_whs,
        sorted=strictly_increasing(keys, after),
    )


def chunk_of_rows(rows: Sequence[StagedRow], after: Key) -> ReadingChunk:
    """A chunk made of rows checked one by one."""
    lines, meter_ids, read_ats, index_whs, normal_whs, peak_whs, offpeak_whs = zip(
        *rows, strict=True
    )
    keys = list(zip(meter_ids, read_ats, strict=True))
    return ReadingChunk(
        lines,
        meter_ids,
        read_ats,
        index_whs,
        normal_whs,
        peak_whs,
        offpeak_whs,
        sorted=strictly_increasing(keys, after),
    )
