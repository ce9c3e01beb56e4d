"""write_table round trips, and the errors of both directions that are not format-specific."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rulekit.tables import TableError, read_table, write_table

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = ["customer", "负责人", "n", "amount", "note"]
ROWS: list[list[Any]] = [
    ["C0001", "张三", 1, 2.5, '浙江, "杭州"\n第二行'],
    ["C0002", None, -7, 0.1, None],
    ["007", "李四", 2**40, 1e-9, "=1+1"],
]


@pytest.mark.parametrize("ext", [".xlsx", ".jsonl", ".ndjson", ".parquet", ".pq"])
def test_typed_round_trip(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"out{ext}"
    write_table(path, COLUMNS, ROWS)
    table = read_table(path)
    assert table.columns == COLUMNS
    assert table.rows == ROWS
    assert [type(v) for v in table.rows[0]] == [str, str, int, float, str]


@pytest.mark.parametrize("ext", [".csv", ".tsv"])
def test_csv_round_trip_is_textual(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"out{ext}"
    write_table(path, COLUMNS, ROWS, raw_cells=True)  # "=1+1" as it is (see tests/hostile)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.columns == COLUMNS
    assert table.rows == [[None if v is None else str(v) for v in row] for row in ROWS]


def test_csv_values_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    row = [at, dt.date(2026, 3, 1), True, 0.1, {"负责人": "张三"}, ["a", 1], ""]
    write_table(path, list("abcdefg"), [row])
    assert read_table(path).rows == [
        [
            "2026-03-01T09:30:00+08:00",
            "2026-03-01",
            "true",
            "0.1",
            '{"负责人":"张三"}',
            '["a",1]',
            None,
        ]
    ]


def test_xlsx_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    aware = dt.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    naive = dt.datetime(2026, 3, 1, 9, 30, 15, 250000)
    row = [aware, naive, dt.date(2026, 3, 1), dt.time(8, 15), dt.date(1850, 1, 1), True, {"k": [1]}]
    write_table(path, list("abcdefg"), [row])
    assert read_table(path).rows == [
        [
            "2026-03-01T09:30:00+08:00",  # aware: ISO text with its offset
            naive,  # naive: a date cell (milliseconds kept)
            dt.date(2026, 3, 1),
            dt.time(8, 15),
            "1850-01-01",  # before Excel's epoch: text
            True,
            '{"k":[1]}',
        ]
    ]


def test_xlsx_keeps_big_ints_and_odd_floats_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(path, ["a", "b", "c"], [[2**60, float("nan"), 3.0]])
    assert read_table(path).rows == [[str(2**60), "nan", 3]]


def test_jsonl_datetimes_and_types(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    write_table(path, ["at", "ok", "nested"], [[at, False, {"省份": "浙江"}]])
    assert "浙江" in path.read_text(encoding="utf-8")
    assert read_table(path).rows == [["2026-03-01T09:30:00+08:00", False, {"省份": "浙江"}]]


def test_parquet_column_types(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    utc8 = dt.timezone(dt.timedelta(hours=8))
    aware = dt.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    fixed = dt.datetime(2026, 3, 1, 9, 30, tzinfo=utc8)
    naive = dt.datetime(2026, 3, 1, 9, 30)
    columns = ["mixed", "numbers", "zoned", "fixed", "naive_aware", "empty", "nested", "day"]
    rows = [
        ["C1", 1, aware, fixed, naive, None, [1, 2], dt.date(2026, 3, 1)],
        [2, 2.5, None, fixed, aware, None, {"a": 1}, None],
    ]
    write_table(path, columns, rows)
    table = read_table(path)
    assert table.rows[0][:2] == ["C1", 1.0] and table.rows[1][:2] == ["2", 2.5]
    assert type(table.rows[0][1]) is float
    assert table.rows[0][2] == aware and table.rows[0][2].tzinfo == SHANGHAI
    assert table.rows[0][3] == fixed  # same instant, stored as UTC
    assert [r[4] for r in table.rows] == ["2026-03-01T09:30:00", "2026-03-01T09:30:00+08:00"]
    assert [r[5] for r in table.rows] == [None, None]
    assert [r[6] for r in table.rows] == ["[1,2]", '{"a":1}']
    assert [r[7] for r in table.rows] == [dt.date(2026, 3, 1), None]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_no_rows(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"out{ext}"
    write_table(path, ["a", "负责人"], [])
    if ext == ".jsonl":  # JSON Lines has no header: an empty file
        assert path.read_bytes() == b""
        return
    table = read_table(path)
    assert table.columns == ["a", "负责人"] and table.rows == []


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_rows_from_a_generator(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"out{ext}"
    write_table(path, ["i"], ([i] for i in range(3)))
    assert [r[0] for r in read_table(path).rows] in ([0, 1, 2], ["0", "1", "2"])


def test_bad_row_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="row 2"):
        write_table(path, ["a", "b"], [[1, 2], [3]])
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(path, ["a"], [[1]])
    with pytest.raises(TableError, match="32767"):
        write_table(path, ["a"], [["x" * 40_000]])
    assert read_table(path).rows == [[1]]
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_duplicate_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        write_table(tmp_path / "out.csv", ["a", "a"], [])


@pytest.mark.parametrize("name", ["out.xls", "out.json", "out", "out.txt", "out.xlsm"])
def test_write_unknown_extension(tmp_path: Path, name: str) -> None:
    with pytest.raises(TableError) as info:
        write_table(tmp_path / name, ["a"], [])
    assert info.value.hint is not None and ".csv" in info.value.hint


@pytest.mark.parametrize(
    ("name", "hint"),
    [("t.xls", "save it as .xlsx"), ("t.json", ".jsonl"), ("t.dat", ".parquet"), ("t", ".csv")],
)
def test_read_unknown_extension(tmp_path: Path, name: str, hint: str) -> None:
    path = tmp_path / name
    path.write_text("a\n1\n")
    with pytest.raises(TableError) as info:
        read_table(path)
    assert info.value.hint is not None and hint in info.value.hint
    assert str(info.value).startswith(str(path))


def test_extension_case_does_not_matter(tmp_path: Path) -> None:
    path = tmp_path / "OUT.CSV"
    write_table(path, ["a"], [["x"]])
    assert read_table(path).rows == [["x"]]


@pytest.mark.parametrize("name", ["missing.csv", "missing.xlsx", "missing.parquet", "missing.x"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(TableError, match="not found"):
        read_table(tmp_path / name)


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(TableError, match="directory"):
        read_table(tmp_path / "d.csv")


@pytest.mark.parametrize("name", ["e.csv", "e.jsonl", "e.xlsx", "e.parquet"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(TableError):
        read_table(tmp_path / name)


def test_problem_location_and_text() -> None:
    from rulekit.tables import TableProblem

    assert TableProblem(12, "at", "bad").location("history.csv") == "history.csv:12:at"
    assert TableProblem(None, None, "bad").location(Path("h.csv")) == "h.csv"
    assert TableProblem(3, None, "bad").location("h.csv") == "h.csv:3"
    assert str(TableProblem(3, "at", "bad")) == "row 3, column 'at': bad"


def test_error_text() -> None:
    error = TableError("h.csv", "broken", "fix it")
    assert (error.path, error.message, error.hint) == ("h.csv", "broken", "fix it")
    assert str(error) == "h.csv: broken (fix it)"
