"""A small CSV document as bytes, for a link embedded in a report (a data: URI): UTF-8 with a
BOM so that Excel opens Chinese text, CRLF line ends, and a cell that a spreadsheet would run
as a formula (`=`, `+`, `-`, `@`, tab or CR first) written with a leading `'`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """A cell as text: None is empty; a formula-looking text gets a leading `'`."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The table as CSV bytes (see the module's docstring)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_text(c) for c in columns])
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
