"""write_table: write a table file, choosing the format by its extension.

| extension (any case) | format |
|---|---|
| .csv, .tsv        | UTF-8 with BOM, for Excel (.tsv tab-separated) |
| .xlsx             | one sheet, bold frozen header |
| .jsonl, .ndjson   | one JSON object per row |
| .parquet, .pq     | one Parquet type per column |

How values are written (datetimes, mixed columns...) is described in each format's module
(csvtable, xlsx, jsonl, parquet). The file is written next to its destination under a
temporary name and renamed into place when complete, so a failure never leaves half a table.

Round trips (write then read_table): text, None, ints and floats come back equal from XLSX,
JSON Lines and Parquet (from XLSX, a float with an integral value comes back as an int; from
Parquet, ints in a column that also holds floats come back as floats). CSV holds only text:
every value comes back as its text, and "" as None.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rulekit.tables.model import TableError

Writer = Callable[[str, list[str], Iterable[Sequence[Any]]], int]

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
    path: str | os.PathLike[str], columns: list[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write `rows` under the header `columns` to `path`, in the format its extension names.

    Raises TableError for an unknown extension or a value the format cannot hold, OSError if
    the file cannot be written, ValueError if a row's length differs from the header's or the
    column names are not unique.
    """
    name = os.fspath(path)
    target = Path(name)
    suffix = target.suffix.lower()
    kind = WRITE_FORMATS.get(suffix)
    if kind is None:
        raise TableError(
            name,
            f"cannot write a table as {suffix!r}" if suffix else "cannot tell the format to write",
            f"supported extensions: {', '.join(WRITE_FORMATS)}",
        )
    if len(set(columns)) != len(columns):
        raise ValueError(f"column names are not unique: {columns}")
    write = _writer(kind)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp{suffix}")
    try:
        write(os.fspath(temp), list(columns), rows)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _writer(kind: str) -> Writer:
    if kind in ("csv", "tsv"):
        from rulekit.tables.csvtable import write_csv

        delimiter = "\t" if kind == "tsv" else ","
        return lambda p, c, r: write_csv(p, c, r, delimiter)
    if kind == "xlsx":
        from rulekit.tables.xlsx import write_xlsx

        return write_xlsx
    if kind == "jsonl":
        from rulekit.tables.jsonl import write_jsonl

        return write_jsonl
    from rulekit.tables.parquet import write_parquet

    return write_parquet
