"""write_table: write a table file, choosing the format by its extension.

| extension (any case) | format |
|---|---|
| .csv, .tsv        | UTF-8 with BOM, for Excel (.tsv tab-separated) |
| .xlsx             | one sheet, bold frozen header |
| .jsonl, .ndjson   | one JSON object per row |
| .parquet, .pq     | one Parquet type per column |

How values are written (datetimes, mixed columns...) is described in each format's module
(csvtable, xlsx, jsonl, parquet). The file is written with rulekit.safeio.atomic_write: next
to its destination under a hidden temporary name, fsynced and renamed into place when complete,
so a failure (a full disk, an interrupt) never leaves half a table and never harms the file
that was there.

CSV and TSV cells that a spreadsheet would run as a formula (text starting with `=`, `+`, `-`,
`@`, a tab or a carriage return) are written with a leading `'` (OWASP's advice against CSV
injection), except text that is a plain number (`-3`, `+1.5`, `-2e3`), which a spreadsheet
reads as that number; `raw_cells=True` writes every cell as it is.

Round trips (write then read_table): text, None, ints and floats come back equal from XLSX,
JSON Lines and Parquet (from XLSX, a float with an integral value comes back as an int; from
Parquet, ints in a column that also holds floats come back as floats). CSV holds only text:
every value comes back as its text, and "" as None.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from rulekit.safeio import atomic_write
from rulekit.tables.model import TableError

Writer = Callable[[IO[bytes], str, list[str], Iterable[Sequence[Any]]], int]

WRITE_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def write_table(
    path: str | os.PathLike[str],
    columns: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    raw_cells: bool = False,
) -> None:
    """Write `rows` under the header `columns` to `path`, in the format its extension names.

    Raises TableError for an unknown extension or a value the format cannot hold, OSError if
    the file cannot be written, ValueError if a row's length differs from the header's or the
    column names are not unique.
    """
    name = os.fspath(path)
    kind = format_of(name)
    if len(set(columns)) != len(columns):
        raise ValueError(f"column names are not unique: {columns}")
    write = _writer(kind, raw_cells)
    with atomic_write(name, "wb") as out:
        write(out, name, list(columns), rows)


def format_of(path: str | os.PathLike[str]) -> str:
    """The format write_table writes to `path`; TableError for an extension it cannot write."""
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    kind = WRITE_FORMATS.get(suffix)
    if kind is None:
        raise TableError(
            name,
            f"cannot write a table as {suffix!r}" if suffix else "cannot tell the format to write",
            f"supported extensions: {', '.join(WRITE_FORMATS)}",
        )
    return kind


def _writer(kind: str, raw_cells: bool) -> Writer:
    if kind in ("csv", "tsv"):
        from rulekit.tables.csvtable import write_csv

        delimiter = "\t" if kind == "tsv" else ","
        return lambda o, p, c, r: write_csv(o, c, r, delimiter, raw_cells=raw_cells)
    if kind == "xlsx":
        from rulekit.tables.xlsx import write_xlsx

        return write_xlsx
    if kind == "jsonl":
        from rulekit.tables.jsonl import write_jsonl

        return write_jsonl
    from rulekit.tables.parquet import write_parquet

    return write_parquet
