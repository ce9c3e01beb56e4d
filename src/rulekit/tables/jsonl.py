"""JSON Lines: one JSON object per line.

Reading: UTF-8 (a BOM is allowed). Blank lines are skipped; every other line is a data row,
numbered from 1 in file order (`Table.lines` holds its line number). The columns are the
union of the objects' keys in first-seen order (keys stripped like header cells); a key
missing from an object is None. Values keep their JSON types (str, int, float, bool, None;
lists and dicts as they are).

A line that is not valid JSON (nested too deeply, or holding an integer of more digits than
Python reads, included), or valid JSON but not an object, keeps its row number: the
table holds a row of None cells for it and a TableProblem with `placeholder=True` quoting the
line, so the caller reports it instead of applying it. A key repeated inside one object is
reported too (the last value is used, as JSON parsers do; the others are in the message).

Writing: one compact object per row, keys in column order, non-ASCII characters as they are
(ensure_ascii=False), dates and times in ISO 8601 (aware datetimes with their offset).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rulekit.safeio import quoted
from rulekit.tables.cells import to_json
from rulekit.tables.header import clean_name, header_names
from rulekit.tables.model import Table, TableError, TableProblem

_QUOTE = 200  # characters of a bad line quoted in a problem
_DIGITS = sys.get_int_max_str_digits() or 4300


def read_jsonl(path: str, data: bytes) -> Table:
    """Read JSON Lines bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at_line = data.count(b"\n", 0, exc.start) + 1
        raise TableError(
            path,
            f"invalid UTF-8 at byte {exc.start} (line {at_line})",
            "JSON Lines files must be UTF-8",
        ) from None
    objects: list[dict[str, Any] | None] = []
    lines: list[int] = []
    problems: list[TableProblem] = []
    index: dict[str, int] = {}
    repeated: list[tuple[str, Any]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):
            seen: set[str] = set()
            for key, value in reversed(items):
                if key in seen:
                    repeated.append((key, value))
                seen.add(key)
        return obj

    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        row = len(objects) + 1
        repeated.clear()
        try:
            value = json.loads(line, object_pairs_hook=pairs)
        except json.JSONDecodeError as exc:
            problems.append(_bad_line(row, f"not valid JSON ({exc.msg}, column {exc.colno})", line))
            objects.append(None)
            lines.append(number)
            continue
        except ValueError:  # Python's limit on integer digits (4,300)
            problems.append(_bad_line(row, f"a number with over {_DIGITS:,} digits", line))
            objects.append(None)
            lines.append(number)
            continue
        except RecursionError:
            problems.append(_bad_line(row, "JSON nested too deeply", line))
            objects.append(None)
            lines.append(number)
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__ if value is not None else "null"
            problems.append(_bad_line(row, f"a JSON {kind}, not an object", line))
            objects.append(None)
            lines.append(number)
            continue
        obj: dict[str, Any] = {}
        for key, cell in value.items():
            name = clean_name(key)
            if not name:
                raise TableError(path, f"line {number}: a key is blank", "every key needs a name")
            if name in obj:  # two keys differing only in surrounding spaces
                repeated.append((key, cell))
                continue
            obj[name] = cell
            if name not in index:
                index[name] = len(index)
        for key, cell in repeated:
            problems.append(
                TableProblem(
                    row,
                    None,
                    f"key {quoted(key, 40)} appears more than once in an object on this line; "
                    f"this value of it was not read: {quoted(cell)}",
                )
            )
        objects.append(obj)
        lines.append(number)
    if not objects:
        raise TableError(path, "the file is empty", "write one JSON object per line")
    if not index:
        raise TableError(
            path,
            "no line holds a JSON object with keys",
            f"first problem: {problems[0]}" if problems else "write one JSON object per line",
        )
    columns = header_names(list(index), path)
    width = len(columns)
    rows = [[None] * width if o is None else [o.get(c) for c in columns] for o in objects]
    return Table(path, None, columns, rows, None, problems, lines)


def _bad_line(row: int, why: str, line: str) -> TableProblem:
    quoted = line if len(line) <= _QUOTE else line[:_QUOTE] + "..."
    return TableProblem(row, None, f"{why}; the line is not read: {quoted!r}", placeholder=True)


def write_jsonl(
    target: IO[bytes], path: str, columns: list[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write one JSON object per row to a binary file; return the number of rows."""
    width = len(columns)
    count = 0
    for count, row in enumerate(rows, 1):
        if len(row) != width:
            raise ValueError(f"row {count} has {len(row)} cells, the header has {width}")
        target.write(to_json(dict(zip(columns, row, strict=True))).encode("utf-8"))
        target.write(b"\n")
    return count
