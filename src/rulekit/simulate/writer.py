"""Writing the simulated history and people as a table file, row by row as they come (CSV,
TSV and JSON Lines stream to disk; XLSX and Parquet are assembled in memory first)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from typing import Any


def write_rows(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    encoding: str = "utf-8",
) -> None:
    """Write rows as a table: .csv (UTF-8 with BOM, or GB18030 without), .xlsx, .jsonl,
    .parquet by extension."""
    from rulekit.tables import write_table

    name = os.fspath(path)
    cells = ([row.get(c) for c in columns] for row in rows)
    if encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        write_table(name, list(columns), cells)
        return
    if not name.lower().endswith((".csv", ".tsv")):
        raise ValueError(f"--encoding {encoding} applies to .csv files only")
    from rulekit.safeio import atomic_write

    with atomic_write(name, encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter="\t" if name.lower().endswith(".tsv") else ",")
        writer.writerow(columns)
        for row in cells:
            writer.writerow(["" if v is None else v for v in row])
