"""Reading XLSX: typed cells, sheets, where the table starts, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from rulekit.tables import TableError, read_table


def workbook(path: Path, sheets: dict[str, list[tuple[int, int, Any]]]) -> Path:
    """Write cells (row, col, value) per sheet; dates get a date format."""
    with xlsxwriter.Workbook(str(path)) as wb:
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        datetime_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for name, cells in sheets.items():
            ws = wb.add_worksheet(name)
            for r, c, value in cells:
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, datetime_fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    return path


def grid(rows: list[list[Any]], top: int = 0, left: int = 0) -> list[tuple[int, int, Any]]:
    return [
        (top + r, left + c, v)
        for r, row in enumerate(rows)
        for c, v in enumerate(row)
        if v is not None
    ]


HEADER = ["customer", "负责人", "at", "since", "count", "amount", "note", "ok"]
ROW = ["C0001", "张三", dt.datetime(2026, 3, 1, 9, 30), dt.date(2026, 2, 1), 3.0, 2.5, None, True]


def test_typed_cells(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"客户": grid([HEADER, ROW])})
    table = read_table(path)
    assert table.sheet == "客户"
    assert table.encoding is None
    assert table.columns == HEADER
    [row] = table.rows
    at, since = dt.datetime(2026, 3, 1, 9, 30), dt.date(2026, 2, 1)
    assert row == ["C0001", "张三", at, since, 3, 2.5, None, True]
    assert type(row[2]) is dt.datetime
    assert type(row[3]) is dt.date
    assert type(row[4]) is int
    assert row[6] is None
    assert row[7] is True


def test_whitespace_only_cell_is_none_other_text_kept(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"S": grid([["a", "b", "c"], ["  ", " x ", "1"]])})
    assert read_table(path).rows == [[None, " x ", "1"]]


def test_second_sheet_by_name(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        {"first": grid([["a"], [1]]), "人员": grid([["id", "name"], ["r1", "王五"]])},
    )
    assert read_table(path).rows == [[1]]
    table = read_table(path, sheet="人员")
    assert table.sheet == "人员"
    assert table.rows == [["r1", "王五"]]


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"first": grid([["a"]]), "人员": grid([["b"]])})
    with pytest.raises(TableError) as info:
        read_table(path, sheet="people")
    assert "'people'" in info.value.message
    assert info.value.hint is not None
    assert "'first'" in info.value.hint and "'人员'" in info.value.hint


def test_table_placed_lower_right_and_blank_rows(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["a", "b"], [1, "x"], [None, None], [2, "y"], [None, None]]
    path = workbook(tmp_path / "t.xlsx", {"S": grid(rows, top=2, left=1)})
    table = read_table(path)
    assert table.columns == ["a", "b"]
    assert table.rows == [[1, "x"], [2, "y"]]
    assert table.lines == [4, 6]  # sheet rows as Excel shows them


def test_trailing_formatted_empty_rows_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["a", "b"])
        ws.write_row(1, 0, [1, 2])
        ws.write_blank(10, 0, None, wb.add_format({"bold": True}))
        ws.write_string(11, 1, " ")
    assert read_table(path).rows == [[1, 2]]


def test_cells_beyond_the_header_are_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"S": grid([["a", "b"], [1, 2, "stray"], [3, 4]])})
    table = read_table(path)
    assert table.rows == [[1, 2], [3, 4]]
    [problem] = table.problems
    assert problem.row == 1 and "column C = 'stray'" in problem.message


def test_header_problems_name_the_sheet_and_letter(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"S": grid([["a", None, "c"], [1, 2, 3]], left=1)})
    with pytest.raises(TableError) as info:
        read_table(path)
    assert "sheet 'S'" in info.value.message and "column C" in info.value.message


def test_numeric_header_cells_become_names(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"S": grid([["id", 2024, 2.5], ["a", 1, 2]])})
    assert read_table(path).columns == ["id", "2024", "2.5"]


def test_empty_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"空": []})
    with pytest.raises(TableError, match="empty"):
        read_table(path)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(TableError, match="not a valid Excel workbook"):
        read_table(path)


def test_sheet_only_for_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    with pytest.raises(TableError, match="sheet"):
        read_table(path, sheet="x")
