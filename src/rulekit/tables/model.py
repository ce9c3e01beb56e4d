"""What reading a table gives: the Table, the row-level TableProblem, and TableError.

A TableError means the file cannot be read at all (nothing of it should be applied); a
TableProblem is about one row or cell of a table that was read, and travels with the Table so
that the caller can report it next to its own findings. Nothing is dropped silently: a cell
that does not fit the header is kept in the problem's message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class TableProblem:
    """Something wrong with one row (or the whole file, row None) of a table that was read.

    `placeholder` is true when the row's content could not be read at all (a JSON Lines line
    that is not an object): the table then holds a row of None cells in its place, so that
    row numbers stay aligned, and the caller should report the row rather than use it.
    """

    row: int | None
    column: str | None
    message: str
    placeholder: bool = False

    def location(self, path: str | os.PathLike[str]) -> str:
        """Return `file:row:column` (e.g. `history.csv:12:at`), leaving out the missing parts."""
        parts = [os.fspath(path)]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class Table:
    """The header and data rows of one table file.

    rows[i] is data row i+1: data rows are numbered from 1 and the header is not counted.
    Every row has exactly len(columns) cells. `lines[i]` says where rows[i] starts in the file
    as a user sees it: the 1-based line for CSV and JSON Lines (header included), the sheet's
    row number for XLSX, and data row + 1 for Parquet (as if the header were line 1).
    """

    path: str
    sheet: str | None
    columns: list[str]
    rows: list[list[Any]]
    encoding: str | None
    problems: list[TableProblem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    text_only: bool = False  # every cell is known to be a str or None (as CSV gives them)
    delimiter: str | None = None  # a delimited text's delimiter, as read or sniffed

    def problem_rows(self) -> set[int]:
        """The data rows that have a placeholder problem (their content could not be read)."""
        return {p.row for p in self.problems if p.placeholder and p.row is not None}

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column name."""
        cols = self.columns
        return [dict(zip(cols, row, strict=True)) for row in self.rows]


class TableError(Exception):
    """The table file cannot be read at all: missing, unknown format, malformed, no header..."""

    def __init__(self, path: str | os.PathLike[str], message: str, hint: str | None = None):
        self.path = os.fspath(path)
        self.message = message
        self.hint = hint
        super().__init__(self.path, message, hint)

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text
