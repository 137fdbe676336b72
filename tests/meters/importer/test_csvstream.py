"""Reading files: line numbers, header checks, encodings and progress."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meters.importer import csvstream
from meters.importer.csvstream import Columns, read_rows
from meters.importer.errors import ImportRejected, ProblemLog

COLUMNS = Columns(required=("a", "b"), optional=("c",))


def read(path: Path) -> tuple[list[tuple[int, tuple[str, ...]]], tuple[str, ...]]:
    problems = ProblemLog("f.csv")
    rows = list(read_rows(path, COLUMNS, problems))
    return rows, problems.lines()


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    return path


def test_rows_come_in_column_order_with_their_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, b'\xef\xbb\xbfb,a\n2,1\n\n"x\ny",3\n')
    rows, problems = read(path)
    assert problems == ()
    assert rows == [(2, ("1", "2", "")), (4, ("3", "x\ny", ""))]


def test_header_problems_are_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        read(write(tmp_path, b"a,zz,a\n1,2,3\n"))
    assert caught.value.lines == (
        "f.csv:1: header: unknown column 'zz' (allowed: a, b, c)",
        "f.csv:1: header: column 'a' appears more than once",
        "f.csv:1: header: required column 'b' is missing",
    )


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(ImportRejected, match=r"f.csv:1: header: the file is empty"):
        read(write(tmp_path, content))


def test_wrong_encoding_names_the_line_and_byte(tmp_path: Path) -> None:
    content = "a,b\n1,Hà Nam\n".encode("cp1258") + b"2,ok\n"
    rows, problems = read(write(tmp_path, content))
    assert problems == (
        "f.csv:2: encoding: byte 0xe0 at position 4 is not UTF-8 (save the file as UTF-8)",
    )
    assert [line for line, _ in rows] == [2, 3]


def test_rows_of_the_wrong_width_are_reported(tmp_path: Path) -> None:
    rows, problems = read(write(tmp_path, b"a,b\n1\n1,2,3\n1,2\n"))
    assert problems == (
        "f.csv:2: row: has 1 values, the header has 2 columns",
        "f.csv:3: row: has 3 values, the header has 2 columns",
    )
    assert rows == [(4, ("1", "2", ""))]


def test_malformed_quoting_is_reported(tmp_path: Path) -> None:
    _, problems = read(write(tmp_path, b'a,b\n"1"x,2\n'))
    assert len(problems) == 1
    assert problems[0].startswith("f.csv:2: row: malformed CSV")


def test_progress_reports_every_byte_by_the_end(tmp_path: Path) -> None:
    path = write(tmp_path, b"a,b\n" + b"1,2\n" * 400_000)
    seen: list[int] = []
    list(read_rows(path, COLUMNS, ProblemLog("f.csv"), seen.append))
    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size
    assert len(seen) >= 2


def test_the_report_is_capped(tmp_path: Path) -> None:
    _, problems = read(write(tmp_path, b"a,b\n" + b"1\n" * 150))
    assert len(problems) == 101
    assert problems[-1] == "f.csv: and 50 more"


PIECES = st.sampled_from(
    [
        b"1",
        b"22",
        b",",
        b",",
        b"\n",
        b"\n",
        b"\r\n",
        b"\r",
        b'"',
        b"\x00",
        b" ",
        b"\xc3\xa0",
        b"\xe0",
    ]
)


@settings(max_examples=300, deadline=None)
@given(body=st.lists(PIECES, max_size=60).map(b"".join), block_bytes=st.sampled_from([8, 16, 64]))
def test_plain_blocks_read_exactly_like_the_csv_module(
    tmp_path_factory: pytest.TempPathFactory, body: bytes, block_bytes: int
) -> None:
    path = tmp_path_factory.mktemp("plain") / "f.csv"
    path.write_bytes(b"a,b\n" + body)
    with (
        mock.patch.object(csvstream, "BLOCK_BYTES", block_bytes),
        mock.patch.object(csvstream, "BATCH_ROWS", 2),
    ):
        plain = read(path)
    with mock.patch.object(csvstream, "_plain_text", return_value=None):
        careful = read(path)
    assert plain == careful
