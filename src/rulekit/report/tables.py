"""Write a result's customer table to a file: .csv, .xlsx, .parquet or .jsonl by extension."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulekit.engine.result import Result


def write_customers(result: Result, path: str) -> None:
    """Write one row per customer, flags as one column per stage, instants in ISO 8601."""
    from rulekit.tables import write_table

    frame = result.customers_frame()
    rows = []
    for row in frame.iter_rows():
        rows.append(
            [
                result.iso(v)
                if hasattr(v, "tzinfo") and v is not None and hasattr(v, "hour")
                else v
                for v in row
            ]
        )
    write_table(path, list(frame.columns), rows)
