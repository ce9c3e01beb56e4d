"""rulekit.tables: read and write the tables rulekit works on (records, events, people).

    from rulekit.tables import read_table, write_table, TableError

    table = read_table("history.csv")          # or .xlsx (sheet=...), .jsonl, .parquet
    for number, row in enumerate(table.rows, 1):  # number: the 1-based data row
        ...
    for problem in table.problems:             # rows that could not be read as they are
        print(problem.location(table.path), problem.message)

    write_table("snapshot.xlsx", ["customer", "state"], [["C0001", "D"]])

Formats are chosen by extension: CSV (.csv/.tsv/.txt; UTF-8, UTF-8 with BOM or GB18030/GBK,
detected), XLSX (.xlsx/.xlsm), JSON Lines (.jsonl/.ndjson) and Parquet (.parquet/.pq).
CSV cells are text; XLSX, JSON Lines and Parquet keep their types (see each format module).
A TableError means the file cannot be read at all; nothing is dropped silently: every data
row is in `rows`, and anything wrong with one is in `problems`.

polars, calamine and xlsxwriter are imported only when a file of their format is used.
"""

from __future__ import annotations

from rulekit.tables.model import Table, TableError, TableProblem
from rulekit.tables.reader import read_table
from rulekit.tables.writer import write_table

__all__ = ["Table", "TableError", "TableProblem", "read_table", "write_table"]
