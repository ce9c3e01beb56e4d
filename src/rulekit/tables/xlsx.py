"""XLSX workbooks: reading one sheet with calamine, writing with xlsxwriter.

Reading: the first sheet in workbook order unless a sheet is named. The table starts at the
first used cell (a table placed at B3 is fine); its first row is the header. Cell values:

- empty cells, and text cells holding only whitespace, are None; other text is kept as is;
- numbers: Excel stores every number as a float, so a float with an integral value (3.0 in
  an id or count column) becomes the int 3; other floats stay floats; ids stored as text
  ("C0001") stay text;
- date cells come back as `datetime.date` (date format) or `datetime.datetime` (naive: XLSX
  has no time zone), time cells as `datetime.time`, booleans as bool.

Before calamine reads it, a workbook is checked against limits (rulekit.tables.xlsx_guard): at
most 1 GiB once uncompressed, and a sheet's cells may span at most 25,000,000 cells from the
first to the last; a workbook over them is refused with a message naming the far cell.

A row whose cells are all empty holds no data: it is skipped without taking a data row
number (trailing ones included). `Table.lines` holds each row's sheet row number, as Excel
shows it.

Writing: a bold, frozen header row; text always as text cells (never turned into formulas,
numbers or links); numbers as numbers, except ints beyond 2**53 (Excel would round them) and
NaN/infinity, written as text; naive datetimes, dates and times as date cells with an ISO-like
number format (Excel keeps milliseconds, not microseconds). A timezone-aware datetime or time
is written as its ISO 8601 text with offset (`2026-03-01T09:30:00+08:00`): XLSX has no time
zones, and converting to a naive local time would silently change the instant read back in
another timezone; the text reads back unchanged and rulekit parses it as an instant. Dates
before 1900 (which Excel cannot hold) are written as ISO text too. Lists and dicts are JSON text.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rulekit.tables.cells import to_json
from rulekit.tables.header import extra_cells_problem, header_names, letter_label
from rulekit.tables.model import Table, TableError, TableProblem

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_EXACT_INT = 2**53
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def read_xlsx(path: str, sheet: str | None) -> Table:
    """Read one sheet of a workbook (the first unless `sheet` names one)."""
    from python_calamine import CalamineError, CalamineWorkbook

    from rulekit.tables.xlsx_guard import check_workbook

    check_workbook(path)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except OSError as exc:
        raise TableError(path, f"cannot read the file ({exc.strerror or exc})") from None
    except (CalamineError, ValueError) as exc:
        raise TableError(
            path, f"not a valid Excel workbook ({exc})", "save it from Excel as .xlsx"
        ) from None
    with workbook:
        names = workbook.sheet_names
        if sheet is None:
            if not names:
                raise TableError(path, "the workbook has no sheets")
            name = names[0]
        elif sheet in names:
            name = sheet
        else:
            raise TableError(
                path,
                f"no sheet named {sheet!r}",
                f"the workbook's sheets are: {', '.join(repr(n) for n in names)}",
            )
        try:
            ws = workbook.get_sheet_by_name(name)
            raw = ws.to_python(skip_empty_area=True)
        except CalamineError as exc:
            raise TableError(path, f"cannot read sheet {name!r} ({exc})") from None
        top, left = ws.start or (0, 0)
    return _table(path, name, raw, top, left)


def _table(path: str, name: str, raw: list[list[Any]], top: int, left: int) -> Table:
    def label(index: int) -> str:
        return letter_label(left + index)

    header_at = next((i for i, r in enumerate(raw) if any(_cell(v) is not None for v in r)), None)
    if header_at is None:
        raise TableError(path, f"sheet {name!r} is empty", "the first row must name the columns")
    try:
        columns = header_names(raw[header_at], path, label)
    except TableError as exc:
        raise TableError(path, f"sheet {name!r}: {exc.message}", exc.hint) from None
    width = len(columns)
    rows: list[list[Any]] = []
    lines: list[int] = []
    problems: list[TableProblem] = []
    for index in range(header_at + 1, len(raw)):
        cells = [_cell(v) for v in raw[index]]
        if cells.count(None) == len(cells):
            continue
        if len(cells) > width:
            problem = extra_cells_problem(len(rows) + 1, cells, width, label)
            if problem is not None:
                problems.append(problem)
            del cells[width:]
        elif len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        rows.append(cells)
        lines.append(top + index + 1)
    return Table(path, name, columns, rows, None, problems, lines)


def _cell(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        if "_x" in value:  # OOXML escapes (`_xFFFE_`) calamine leaves as they are
            value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
        return value if value and not value.isspace() else None
    if kind is float:
        if value.is_integer() and abs(value) <= MAX_EXACT_INT:
            return int(value)
        return value
    return value


def write_xlsx(
    target: IO[bytes], path: str, columns: list[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write one sheet ("Sheet1") with a bold header; return the number of data rows."""
    import xlsxwriter  # type: ignore[import-untyped]

    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    width = len(columns)
    if width > MAX_COLUMNS:
        raise TableError(path, f"{width} columns do not fit in XLSX (at most {MAX_COLUMNS})")
    # built in memory (it is compressed), then written: xlsxwriter would wrap a write error
    # in its own exception and leave its zip file half open
    buffer = io.BytesIO()
    count = _write_sheet(xlsxwriter.Workbook(buffer, options), path, columns, rows)
    target.write(buffer.getbuffer())
    return count


def _write_sheet(
    workbook: Any, path: str, columns: list[str], rows: Iterable[Sequence[Any]]
) -> int:
    width = len(columns)
    count = 0
    with workbook:
        ws = workbook.add_worksheet()
        bold = workbook.add_format({"bold": True})
        formats = {
            dt.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            dt.date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            dt.time: workbook.add_format({"num_format": "hh:mm:ss"}),
        }
        for c, name in enumerate(columns):
            ws.set_column(c, c, max(10, min(50, _display_width(name) + 2)))
            ws.write_string(0, c, name, bold)
        ws.freeze_panes(1, 0)
        for count, row in enumerate(rows, 1):
            if len(row) != width:
                raise ValueError(f"row {count} has {len(row)} cells, the header has {width}")
            if count >= MAX_ROWS:
                raise TableError(path, f"more than {MAX_ROWS - 1} data rows do not fit in XLSX")
            for c, value in enumerate(row):
                if value is not None:
                    _write(ws, count, c, value, formats, path, columns[c])
    return count


def _write(
    ws: Any, r: int, c: int, value: Any, formats: dict[type, Any], path: str, column: str
) -> None:
    kind = type(value)
    if kind is str:
        if ws.write_string(r, c, value) == -2:
            raise TableError(
                path,
                f"row {r}, column {column!r}: {len(value)} characters do not fit in an XLSX "
                "cell (at most 32767)",
                "write the table as CSV, JSON Lines or Parquet instead",
            )
    elif kind is bool:
        ws.write_boolean(r, c, value)
    elif kind is int:
        if abs(value) <= MAX_EXACT_INT:
            ws.write_number(r, c, value)
        else:
            ws.write_string(r, c, str(value))
    elif kind is float:
        if math.isfinite(value):
            ws.write_number(r, c, value)
        else:
            ws.write_string(r, c, repr(value))
    elif isinstance(value, dt.datetime | dt.time):
        if value.tzinfo is not None or (isinstance(value, dt.datetime) and value.year < 1900):
            ws.write_string(r, c, value.isoformat())
        else:
            kind = dt.datetime if isinstance(value, dt.datetime) else dt.time
            ws.write_datetime(r, c, value, formats[kind])
    elif isinstance(value, dt.date):
        if value.year < 1900:
            ws.write_string(r, c, value.isoformat())
        else:
            ws.write_datetime(r, c, value, formats[dt.date])
    elif isinstance(value, dict | list | tuple):
        ws.write_string(r, c, to_json(value))
    else:
        ws.write_string(r, c, str(value))


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
