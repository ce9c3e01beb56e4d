"""CSV (and tab-separated text): reading with encoding detection, and writing for Excel.

Reading: the encoding is detected (see rulekit.tables.encoding); the header is the first
non-empty record. Every cell is kept as text, exactly as in the file (no type guessing, no
stripping); an empty cell is None. Quoted fields may hold delimiters, quotes and line breaks.

Data rows are the non-empty records after the header, numbered from 1 in file order: an
empty line, or a record whose cells are all empty (`,,,` as Excel writes for a cleared row),
holds no data and is skipped without taking a number. `Table.lines` gives the line on which
each row starts, for a user looking at the file in an editor (a record with a line break
inside a quoted cell spans several lines).

A short record is padded with None; the non-empty cells of a long one, beyond the header,
are reported as a TableProblem for its row. A quote that is never closed, or text after a
closing quote, makes the file unreadable (TableError naming the line), rather than letting
one cell swallow the rest of the file.

Writing: UTF-8 with a BOM (so that Excel opens Chinese text correctly), CRLF line ends,
None as an empty cell, dates and times in ISO 8601 (`.isoformat()`, with the offset of an
aware datetime), booleans as true/false, numbers as Python writes them (floats exactly),
lists and dicts as JSON. Read back, every cell is text and an empty string becomes None.
Cells a spreadsheet would run as a formula are written with a leading `'` (see `neutralise`;
`write_table(..., raw_cells=True)` writes them as they are).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rulekit.tables.cells import to_text
from rulekit.tables.encoding import decode_text
from rulekit.tables.header import extra_cells_problem, header_names, sniff_delimiter
from rulekit.tables.model import Table, TableError, TableProblem


def read_csv(path: str, data: bytes, delimiter: str | None) -> Table:
    """Read CSV bytes; `delimiter` None means: sniff it (`header.sniff_delimiter`)."""
    text, encoding = decode_text(data, path)
    if delimiter is None:
        delimiter = sniff_delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Any]] = []
    lines: list[int] = []
    problems: list[TableProblem] = []
    line = 0  # the last physical line consumed by the reader
    try:
        header: list[str] | None = None
        for record in reader:
            line = reader.line_num
            if any(record):
                header = record
                break
        if header is None:
            raise TableError(path, "the file is empty", "the first line must name the columns")
        columns = header_names(header, path)
        width = len(columns)
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not any(record):
                continue
            cells: list[Any] = [c or None for c in record]
            n = len(cells)
            if n < width:
                cells.extend([None] * (width - n))
            elif n > width:
                problem = extra_cells_problem(len(rows) + 1, cells, width)
                if problem is not None:
                    problems.append(problem)
                del cells[width:]
            rows.append(cells)
            lines.append(start)
    except csv.Error as exc:
        start = line + 1
        if "unexpected end of data" in str(exc):
            message = f"a quoted cell starting on line {start} or after is never closed"
        else:
            message = f"malformed CSV in the record starting on line {start}: {exc}"
        raise TableError(
            path,
            message,
            "a quoted cell must end with a quote followed by a delimiter or line end; write a "
            'quote inside one as ""',
        ) from None
    return Table(
        path, None, columns, rows, encoding, problems, lines, text_only=True, delimiter=delimiter
    )


def write_csv(
    target: IO[bytes],
    columns: list[str],
    rows: Iterable[Sequence[Any]],
    delimiter: str,
    *,
    raw_cells: bool = False,
) -> int:
    """Write a CSV file for Excel (UTF-8 with BOM) to a binary file; return the number of data
    rows. Unless `raw_cells`, cells a spreadsheet would take for a formula get a leading `'`
    (see `neutralise`)."""
    width = len(columns)
    count = 0
    out = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=False)
    try:
        cell = to_text if raw_cells else _safe_text
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow([cell(c) for c in columns])
        for count, row in enumerate(rows, 1):
            if len(row) != width:
                raise ValueError(f"row {count} has {len(row)} cells, the header has {width}")
            writer.writerow([cell(v) for v in row])
        out.flush()
    finally:
        out.detach()
    return count


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """`text`, with a leading `'` if a spreadsheet would run it as a formula (OWASP's advice
    against CSV injection): text starting with `=`, `+`, `-`, `@`, a tab or a carriage return.
    Text that is a plain number (`-3`, `+1.5`, `-2e3`) is left alone: a spreadsheet reads it
    as that number, and a negative amount is data."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _safe_text(value: Any) -> str:
    return neutralise(to_text(value))
