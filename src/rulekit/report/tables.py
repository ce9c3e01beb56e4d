"""Write a result's customer table to a file: .csv, .xlsx, .parquet or .jsonl by extension.

The columns are those of a snapshot (docs/formats.md), so a replay's output can be fed to `run`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulekit.engine.result.result import Result


def write_customers(result: Result, path: str, *, raw_cells: bool = False) -> None:
    """Write one row per customer; instants as ISO 8601 text with the policy's offset.

    CSV/TSV cells a spreadsheet would run as formulas get a leading `'` unless `raw_cells`."""
    from rulekit.tables import write_table

    columns, rows = result.customer_table()
    text_rows = [
        [
            result.iso(v) if isinstance(v, datetime) else (int(v) if isinstance(v, bool) else v)
            for v in row
        ]
        for row in rows
    ]
    write_table(path, columns, text_rows, raw_cells=raw_cells)
