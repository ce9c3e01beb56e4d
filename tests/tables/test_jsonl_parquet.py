"""Reading JSON Lines and Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from rulekit.tables import TableError, read_table


def put(tmp_path: Path, text: str, name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_columns_are_the_union_in_first_seen_order(tmp_path: Path) -> None:
    text = (
        '{"customer": "C1", "负责人": "张三", "n": 3}\n'
        "\n"
        '{"customer": "C2", "amount": 2.5, "ok": true, "tags": ["a"], "x": {"k": 1}}\r\n'
        '{" customer ": "C3", "n": null}\n'
    )
    table = read_table(put(tmp_path, text))
    assert table.columns == ["customer", "负责人", "n", "amount", "ok", "tags", "x"]
    assert table.rows == [
        ["C1", "张三", 3, None, None, None, None],
        ["C2", None, None, 2.5, True, ["a"], {"k": 1}],
        ["C3", None, None, None, None, None, None],
    ]
    assert table.lines == [1, 3, 4]
    assert table.problems == []
    assert table.encoding is None


def test_jsonl_bad_lines_keep_their_row_number(tmp_path: Path) -> None:
    text = '{"a": 1}\n{"a": \n[1, 2]\n"text"\n{"a": 5}\n'
    table = read_table(put(tmp_path, text))
    assert table.columns == ["a"]
    assert table.rows == [[1], [None], [None], [None], [5]]
    assert [p.row for p in table.problems] == [2, 3, 4]
    assert all(p.placeholder for p in table.problems)
    assert "not valid JSON" in table.problems[0].message
    assert "'{\"a\": '" in table.problems[0].message
    assert "list" in table.problems[1].message
    assert table.problem_rows() == {2, 3, 4}
    assert table.problems[0].location("t.jsonl") == "t.jsonl:2"


def test_jsonl_repeated_key_is_reported(tmp_path: Path) -> None:
    table = read_table(put(tmp_path, '{"a": 1, "a": 2}\n'))
    assert table.rows == [[2]]
    [problem] = table.problems
    assert problem.row == 1 and "1" in problem.message and not problem.placeholder


def test_jsonl_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "t.ndjson"
    path.write_bytes(b'\xef\xbb\xbf{"a": "\xe6\xb5\x99"}\n')
    assert read_table(path).rows == [["浙"]]


@pytest.mark.parametrize("text", ["", "\n  \n", "[1]\n"])
def test_jsonl_without_objects(tmp_path: Path, text: str) -> None:
    with pytest.raises(TableError):
        read_table(put(tmp_path, text))


def test_jsonl_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes('{"a": "浙江"}\n'.encode("gbk"))
    with pytest.raises(TableError, match="UTF-8"):
        read_table(path)


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "t.PQ"
    shanghai = ZoneInfo("Asia/Shanghai")
    pl.DataFrame(
        {
            "customer": ["C1", None],
            "负责人": ["张三", "李四"],
            "n": [1, 2],
            "at": [dt.datetime(2026, 3, 1, 9, 30, tzinfo=shanghai), None],
            "day": [dt.date(2026, 3, 1), None],
        }
    ).write_parquet(path)
    table = read_table(path)
    assert table.columns == ["customer", "负责人", "n", "at", "day"]
    assert table.rows == [
        ["C1", "张三", 1, dt.datetime(2026, 3, 1, 9, 30, tzinfo=shanghai), dt.date(2026, 3, 1)],
        [None, "李四", 2, None, None],
    ]
    assert table.rows[0][3].utcoffset() == dt.timedelta(hours=8)
    assert table.lines == [2, 3]


def test_parquet_damaged(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(TableError, match="not a valid Parquet file"):
        read_table(path)
