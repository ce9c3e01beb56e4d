"""read_table: read a table file, choosing the format by its extension.

| extension (any case)      | format                                   |
|---------------------------|------------------------------------------|
| .csv, .txt, .tsv          | CSV (.tsv tab-separated; else `,` tab `;` or `|`, sniffed) |
| .xlsx, .xlsm              | Excel workbook, first sheet unless `sheet` is given |
| .jsonl, .ndjson           | JSON Lines                               |
| .parquet, .pq             | Parquet                                  |

See the format modules (csvtable, xlsx, jsonl, parquet) for how each is read. Everywhere:
data rows are numbered from 1, the header not counted; a TableError means nothing of the
file should be used; row-level problems travel in `Table.problems`.
"""

from __future__ import annotations

import os
from pathlib import Path

from rulekit.safeio import read_capped, regular_file_problem
from rulekit.tables.model import Table, TableError

READ_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Hints for extensions people will try.
_NEAR_MISSES: dict[str, str] = {
    ".xls": "old Excel (.xls) files are not read: open it in Excel and save it as .xlsx",
    ".json": "a .json file is read only as JSON Lines (one object per line): name it .jsonl",
    ".et": "open it in WPS and save it as .xlsx or CSV",
}


def supported(extensions: dict[str, str]) -> str:
    """`.csv, .txt, ...` for a hint."""
    return ", ".join(extensions)


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None) -> Table:
    """Read a table file; raise TableError if it cannot be read at all.

    `sheet` names the XLSX sheet to read (default: the first); for other formats it must
    be None.
    """
    name = os.fspath(path)
    file = Path(name)
    suffix = file.suffix.lower()
    kind = READ_FORMATS.get(suffix)
    if not file.exists():
        raise TableError(name, "file not found")
    if file.is_dir():
        raise TableError(name, "is a directory, not a table file")
    problem = regular_file_problem(name)
    if problem is not None:  # a FIFO would block, a device such as /dev/zero never end
        raise TableError(name, f"cannot read the file: {problem}", "name a table file")
    if kind is None:
        hint = _NEAR_MISSES.get(suffix, f"supported extensions: {supported(READ_FORMATS)}")
        what = f"extension {suffix!r}" if suffix else "a file without an extension"
        raise TableError(name, f"cannot tell the table format of {what}", hint)
    if sheet is not None and kind != "xlsx":
        raise TableError(name, f"a sheet ({sheet!r}) can only be chosen in an XLSX workbook")
    if kind == "xlsx":
        from rulekit.tables.xlsx import read_xlsx

        return read_xlsx(name, sheet)
    if kind == "parquet":
        from rulekit.tables.parquet import read_parquet

        return read_parquet(name)
    try:
        data = read_capped(name, None)
    except OSError as exc:
        raise TableError(name, f"cannot read the file ({exc.strerror or exc})") from None
    if kind == "jsonl":
        from rulekit.tables.jsonl import read_jsonl

        return read_jsonl(name, data)
    from rulekit.tables.csvtable import read_csv

    return read_csv(name, data, "\t" if suffix == ".tsv" else None)
