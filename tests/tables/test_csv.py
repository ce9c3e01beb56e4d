"""Reading CSV: encodings detected, quoting, ragged rows, blank lines, row numbering."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from rulekit.tables import TableError, read_table

CHINESE = "客户,负责人,省份\nC0001,张三,浙江\nC0002,李四,江苏\n"
EXPECTED_ROWS = [["C0001", "张三", "浙江"], ["C0002", "李四", "江苏"]]


def put(tmp_path: Path, data: bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CHINESE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CHINESE.encode("utf-8"), "utf-8-sig"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
        (CHINESE.replace("\n", "\r\n").encode("gbk"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "gbk-crlf"],
)
def test_encodings_are_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    table = read_table(put(tmp_path, data))
    assert table.encoding == encoding
    assert table.columns == ["客户", "负责人", "省份"]
    assert table.rows == EXPECTED_ROWS
    assert table.problems == []
    assert table.sheet is None


def test_ascii_is_utf8(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b"a,b\n1,2\n"))
    assert table.encoding == "utf-8"
    assert table.rows == [["1", "2"]]


def test_utf16_from_excel_unicode_text(tmp_path: Path) -> None:
    data = "客户\t负责人\nC0001\t张三\n".encode("utf-16")
    table = read_table(put(tmp_path, data, "t.txt"))
    assert table.encoding == "utf-16"
    assert table.columns == ["客户", "负责人"]
    assert table.rows == [["C0001", "张三"]]


def test_undecodable_bytes_name_the_offset(tmp_path: Path) -> None:
    # 0x80 is valid neither as UTF-8 nor as a GB18030 lead byte
    path = put(tmp_path, b"a,b\n1,\x80\n")
    with pytest.raises(TableError) as info:
        read_table(path)
    assert "byte 6" in info.value.message
    assert "line 2" in info.value.message
    assert info.value.hint


def test_damaged_utf8_is_not_read_as_gb18030(tmp_path: Path) -> None:
    good = "客户,负责人\n" + "".join(f"C{i},张三浙江\n" for i in range(5))
    data = good.encode("utf-8") + b"C9,\xe5\xbc\n"  # a character cut in half
    with pytest.raises(TableError) as info:
        read_table(put(tmp_path, data))
    assert "UTF-8" in info.value.message
    assert f"byte {len(good.encode('utf-8')) + 3}" in info.value.message


def test_cells_are_text_and_empty_is_none(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b"id,n,x,d\n007,3.0,, 2026-03-01 \n"))
    assert table.rows == [["007", "3.0", None, " 2026-03-01 "]]


def test_header_is_stripped(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + " 客户 ,\t负责人\u3000, at\n1,2,3\n".encode()
    assert read_table(put(tmp_path, data)).columns == ["客户", "负责人", "at"]


def test_quoted_commas_quotes_and_newlines(tmp_path: Path) -> None:
    text = 'a,b,c\n"x, y","say ""hi""","line 1\nline 2"\nlast,row,here\n'
    table = read_table(put(tmp_path, text.encode()))
    assert table.rows == [["x, y", 'say "hi"', "line 1\nline 2"], ["last", "row", "here"]]
    assert table.lines == [2, 4]


def test_crlf_inside_quotes_is_kept(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b'a,b\r\n"1\r\n2",3\r\n'))
    assert table.rows == [["1\r\n2", "3"]]


def test_short_rows_are_padded_and_long_rows_reported(tmp_path: Path) -> None:
    text = "a,b,c\n1\n1,2,3,4,5\n1,2,3,,\n"
    table = read_table(put(tmp_path, text.encode()))
    assert table.rows == [["1", None, None], ["1", "2", "3"], ["1", "2", "3"]]
    assert all(len(r) == 3 for r in table.rows)
    [problem] = table.problems
    assert problem.row == 2
    assert "'4'" in problem.message and "'5'" in problem.message
    assert not problem.placeholder
    assert problem.location("t.csv") == "t.csv:2"


def test_trailing_blank_header_cells_are_ignored(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b"a,b,,\n1,2,,\n3,4,,x\n"))
    assert table.columns == ["a", "b"]
    assert table.rows == [["1", "2"], ["3", "4"]]
    [problem] = table.problems
    assert problem.row == 2 and "column 4 = 'x'" in problem.message


def test_blank_lines_are_skipped_and_numbering_counts_data_rows(tmp_path: Path) -> None:
    text = "\n\na,b\n\n1,2\n,\n\n3,4\n\n"
    table = read_table(put(tmp_path, text.encode()))
    assert table.columns == ["a", "b"]
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.lines == [5, 8]


def test_header_only_is_an_empty_table(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b"a,b\n"))
    assert table.columns == ["a", "b"]
    assert table.rows == []


@pytest.mark.parametrize("data", [b"", b"\n\n", codecs.BOM_UTF8, b",,\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(TableError, match="empty"):
        read_table(put(tmp_path, data))


def test_duplicate_columns(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        read_table(put(tmp_path, "客户,负责人, 客户 \n".encode()))
    assert "duplicate" in info.value.message and "'客户'" in info.value.message
    assert "column 1 and column 3" in info.value.message


def test_blank_column_name(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        read_table(put(tmp_path, b"a, ,c\n1,2,3\n"))
    assert "column 2" in info.value.message and "no name" in info.value.message


def test_unclosed_quote_is_an_error_not_a_swallowed_file(tmp_path: Path) -> None:
    text = 'a,b\n1,2\n3,"oops\n5,6\n7,8\n'
    with pytest.raises(TableError) as info:
        read_table(put(tmp_path, text.encode()))
    assert "line 3" in info.value.message and "never closed" in info.value.message


def test_text_after_closing_quote_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="line 3"):
        read_table(put(tmp_path, b'a,b\n1,2\n"3"x,4\n'))


def test_tsv_and_txt(tmp_path: Path) -> None:
    tsv = read_table(put(tmp_path, "客户\t备注\nC1\t有,逗号\n".encode(), "t.TSV"))
    assert tsv.rows == [["C1", "有,逗号"]]
    txt_tab = read_table(put(tmp_path, b"a\tb\n1\t2\n", "t.txt"))
    assert txt_tab.rows == [["1", "2"]]
    txt_comma = read_table(put(tmp_path, b"a,b\n1,2\n", "u.txt"))
    assert txt_comma.rows == [["1", "2"]]


def test_a_csv_with_tabs_stays_comma_separated(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, b"a,b\n1\t2,3\n"))
    assert table.rows == [["1\t2", "3"]]


def test_path_kept_as_given(tmp_path: Path) -> None:
    path = put(tmp_path, b"a\n1\n")
    assert read_table(str(path)).path == str(path)
    assert read_table(path).path == str(path)
