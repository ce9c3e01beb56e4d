"""read_text_frame reads a CSV file exactly as read_table does, or declines (None)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.tables import TableError, read_table
from rulekit.tables.fastcsv import read_text_frame

CELLS = st.text(alphabet=st.sampled_from(list('ab1 ,\t\r\n"王-:')), max_size=6)
LINES = st.lists(st.lists(CELLS, min_size=0, max_size=5), min_size=0, max_size=8)


def agree(path: Path) -> bool:
    """True if the fast reader read the file (and then it must agree with read_table)."""
    frame = read_text_frame(path)
    if frame is None:
        return False
    table = read_table(path)
    assert frame.columns == table.columns
    assert [list(r) for r in frame.frame.rows()] == table.rows
    assert not table.problems
    return True


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=LINES,
    bom=st.booleans(),
    crlf=st.booleans(),
    suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
)
def test_reads_as_read_table_does(
    tmp_path: Path, lines: list[list[str]], bom: bool, crlf: bool, suffix: str
) -> None:
    sep = "\t" if suffix == ".tsv" else ","
    text = ("\r\n" if crlf else "\n").join(sep.join(cells) for cells in lines)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    path = tmp_path / f"t{suffix}"
    path.write_bytes(data)
    try:
        read_table(path)
    except TableError:
        assert read_text_frame(path) is None
        return
    agree(path)


@pytest.mark.parametrize(
    ("data", "read"),
    [
        (b"customer,state\nC1,D\n\nC2,L\n,\n", True),  # blank records skipped
        (b"\xef\xbb\xbfcustomer,state\r\nC1,D\r\n", True),  # BOM, CRLF
        (b"\n\ncustomer,state\nC1,D\nC2\n", True),  # blank lines first; a short row
        (b"customer,state\nC1,D,extra\n", False),  # a long row: read_table reports it
        (b'customer,state\n"C1",D\n', False),  # quotes: read_table's csv module
        (b"customer,state\rC1,D\r", False),  # lone CR line ends
        ("客户,状态\nC1,D\n".encode("gb18030"), False),  # not UTF-8
        (b"customer,customer\nC1,D\n", False),  # a header read_table refuses
    ],
)
def test_declines_what_it_does_not_read_the_same(tmp_path: Path, data: bytes, read: bool) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert agree(path) is read


def test_declines_other_formats_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"customer": "C1"}\n')
    assert read_text_frame(path) is None
    assert read_text_frame(tmp_path / "missing.csv") is None
