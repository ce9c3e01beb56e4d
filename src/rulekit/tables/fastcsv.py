"""A plain CSV file read straight into polars, for the columnar engine.

`read_text_frame` reads a CSV file into a DataFrame of text columns (`c0`, `c1`, ... in the
header's order), exactly as `read_csv` would read it into rows, but without making a Python
object per cell. It only takes the files where that is certain, and returns None for the
others, which the caller reads with `read_table` (and its diagnostics):

- UTF-8, with or without a BOM (not GB18030, not UTF-16);
- no quote character anywhere (so a record is a line and no cell holds a delimiter);
- line ends `\\n` or `\\r\\n` (no lone `\\r`);
- no record longer than the header (a long one is a problem `read_csv` reports);
- a header `header_names` accepts.

As in `read_csv`: the header is the first record with a non-empty cell, blank records are
skipped, short records are padded with nulls, an empty cell is null, other cells are kept as
they are (not stripped).
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rulekit.safeio import read_capped
from rulekit.tables.header import header_names, sniff_delimiter
from rulekit.tables.model import Table, TableError
from rulekit.tables.reader import read_table

if TYPE_CHECKING:
    import polars as pl

_SUFFIXES = {".csv": None, ".tsv": "\t", ".txt": None}
_ANY_CELL = re.compile(rb"[^\r\n]")


@dataclass(frozen=True, slots=True)
class TextFrame:
    """A table's header and its data rows as a DataFrame of text columns c0..cN."""

    path: str
    columns: list[str]
    frame: pl.DataFrame
    delimiter: str = ","
    encoding: str = "utf-8"


def read_text_frame(path: str | os.PathLike[str]) -> TextFrame | None:
    """The CSV file at `path` as a TextFrame, or None if `read_table` must read it."""
    name = os.fspath(path)
    delimiter = _SUFFIXES.get(Path(name).suffix.lower(), "")
    if delimiter == "":
        return None
    try:
        data = read_capped(name, None)  # regular files only: read_table explains the others
    except OSError:
        return None
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    return _read(name, data, delimiter, encoding)  # polars refuses bytes that are not UTF-8


def _read(name: str, data: bytes, delimiter: str | None, encoding: str) -> TextFrame | None:
    import polars as pl

    start = 0
    header: list[str] | None = None
    if delimiter is None:  # as read_csv sniffs it
        try:
            delimiter = sniff_delimiter(data[:65536].decode("utf-8", "ignore"))
        except UnicodeDecodeError:
            return None
    while start < len(data):  # the header: the first line with a non-empty cell
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        try:
            line = data[start:end].decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            return None
        start = end + 1
        cells = line.split(delimiter)
        if any(cells):
            header = cells
            break
    if header is None or delimiter is None:
        return None
    try:
        columns = header_names(header, name)
    except TableError:
        return None
    names = [f"c{i}" for i in range(len(columns))]
    body = data[start:]
    if _ANY_CELL.search(body) is None:  # only line ends
        frame = pl.DataFrame(schema={n: pl.String for n in names})
        return TextFrame(name, columns, frame, delimiter, encoding)
    try:
        frame = pl.read_csv(
            body,
            has_header=False,
            schema={n: pl.String for n in names},
            separator=delimiter,
            quote_char=None,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None  # a long record, or anything polars reads differently
    if frame.width != len(names):
        return None
    frame = frame.filter(pl.any_horizontal(pl.all().is_not_null()))
    return TextFrame(name, columns, frame, delimiter, encoding)


def data_lines(source: TextFrame) -> list[int]:
    """The line on which each data row of a TextFrame starts (`Table.lines`): a file it
    reads has no quotes, so a record is a line; blank records hold no data row."""
    text = Path(source.path).read_bytes().decode(source.encoding)
    lines: list[int] = []
    header = False
    for number, line in enumerate(text.split("\n"), start=1):
        if any(line.removesuffix("\r").split(source.delimiter)):
            if header:
                lines.append(number)
            header = True
    return lines


def read_table_fast(path: str | os.PathLike[str], *, sheet: str | None = None) -> Table | TextFrame:
    """The file as a TextFrame where `read_text_frame` takes it, else `read_table`'s Table
    (for callers that take either: `run`, `replay`, `dry-run`)."""
    frame = read_text_frame(path) if sheet is None else None
    return frame if frame is not None else read_table(path, sheet=sheet)
