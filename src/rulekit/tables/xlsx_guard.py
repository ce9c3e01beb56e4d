"""Limits checked before a workbook is handed to calamine, which would otherwise exhaust memory.

calamine builds a dense grid spanning the sheet's first to last cell, so a 2 KB workbook with
one cell at A1 and one at XFD1048576 asks for half a terabyte; and it decompresses whatever a
part holds, so a zip bomb of 2 MB swells to gigabytes. Before reading, `check_workbook`:

- decompresses every part of the zip as a stream (never held whole), counting the bytes it
  really yields (not the sizes the zip claims): more than MAX_UNCOMPRESSED in all is refused;
- refuses a part that swells more than MAX_RATIO times (beyond its first 32 MB), as only a
  zip bomb does, without decompressing the rest;
- finds, in the same pass, the cells each worksheet really holds (`<c r="B7">`) and refuses a
  sheet whose span from its first to its last cell is over MAX_CELLS cells, naming the cells
  that make it so (a stray value far from the table, usually).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from rulekit.tables.model import TableError

MAX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML in all the workbook's parts
MAX_CELLS = 25_000_000  # the span of one sheet: rows × columns from its first to its last cell
MAX_RATIO = 200  # XML compresses 5-20 times, sparse sheets up to ~50; a zip bomb, thousands
_RATIO_FROM = 32 << 20  # the ratio is judged once a part has yielded this much

_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_CHUNK = 1 << 20


@dataclass
class _Extent:
    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    cells: int = 0

    def add(self, column: int, row: int) -> None:
        if self.cells == 0:
            self.top = self.bottom = row
            self.left = self.right = column
        else:
            self.top, self.bottom = min(self.top, row), max(self.bottom, row)
            self.left, self.right = min(self.left, column), max(self.right, column)
        self.cells += 1

    @property
    def area(self) -> int:
        if not self.cells:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _name(column: int, row: int) -> str:
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def check_workbook(path: str) -> None:
    """Raise TableError if the workbook at `path` is over the limits above; else return.

    Files that are not zips are left for calamine to report."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive, open(path, "rb") as raw:
        total = 0
        for info in archive.infolist():
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            extent = _Extent() if is_sheet else None
            total = _scan(raw, info, total, extent, path)
            if extent is not None and extent.area > MAX_CELLS:
                first, last = _name(extent.left, extent.top), _name(extent.right, extent.bottom)
                raise TableError(
                    path,
                    f"{info.filename.removeprefix('xl/worksheets/')}: its cells span {first}:"
                    f"{last}, {extent.area:,} cells, over the {MAX_CELLS:,} rulekit reads in "
                    f"one sheet (it holds {extent.cells:,} cells)",
                    f"delete the cells far from the table (the last one is at {last}), or save "
                    "the table as CSV",
                )


def _scan(raw: object, info: zipfile.ZipInfo, total: int, extent: _Extent | None, path: str) -> int:
    """Decompress one part as a stream; return the running total of uncompressed bytes."""
    import io

    assert isinstance(raw, io.BufferedReader)
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return total
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    elif info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    else:
        return total + info.file_size  # calamine reports what it cannot read
    left = info.compress_size
    tail = b""
    start = total
    while left > 0:
        block = raw.read(min(_CHUNK, left))
        if not block:
            break
        left -= len(block)
        pending = block
        while pending:
            if inflater is None:
                data, pending = pending, b""
            else:
                data = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
            total += len(data)
            if total > MAX_UNCOMPRESSED:
                raise TableError(
                    path,
                    f"the workbook holds over {MAX_UNCOMPRESSED:,} bytes once uncompressed "
                    f"(found while reading {info.filename})",
                    "a workbook this large (or a zip bomb) is not read; save the table as CSV",
                )
            swelled = total - start
            used = info.compress_size - left - len(pending)
            if swelled > _RATIO_FROM and swelled > MAX_RATIO * max(1, used):
                raise TableError(
                    path,
                    f"{info.filename} swells over {MAX_RATIO} times when uncompressed (a zip "
                    "bomb?)",
                    "save the table again from Excel, or as CSV",
                )
            if extent is not None and data:
                text = tail + data
                cut = text.rfind(b"<")
                for m in _CELL.finditer(text, 0, cut if cut > 0 else len(text)):
                    extent.add(_column_number(m.group(1)), int(m.group(2)))
                tail = text[cut:] if cut > 0 else b""
                if len(tail) > 4096:
                    tail = b""
            if inflater is not None and inflater.eof:
                break
    if extent is not None and tail:
        for m in _CELL.finditer(tail):
            extent.add(_column_number(m.group(1)), int(m.group(2)))
    return total
