"""Parquet files, through polars.

Reading: every row is a data row (a Parquet row is an explicit record, even if all null);
values are polars' Python values: str, int, float, bool, None, `datetime.date`,
`datetime.datetime` (aware when the column has a time zone), `datetime.time`, Decimal, lists
and dicts. Column names are stripped like header cells; blank or repeated names are errors.

Writing: each column gets one Parquet type, from the Python types of its non-null values:
str -> String, bool -> Boolean, int -> Int64, date -> Date, time -> Time, naive datetime ->
Datetime, aware datetime -> Datetime with a time zone (the values' zone if they all share
one IANA zone, else UTC: the instants, and so equality, are kept). Ints mixed with floats
-> Float64 (the ints come back as floats), unless an int is beyond 2**53. Any other mix
(text and numbers, naive and aware datetimes, ints too large for Int64, lists, dicts...) is
written as a String column of each value's text (rulekit.tables.cells.to_text), so nothing
is lost and the file stays readable by any tool. An all-null column is a String column.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from rulekit.tables.cells import to_text
from rulekit.tables.header import clean_name, header_names
from rulekit.tables.model import Table, TableError

if TYPE_CHECKING:
    import polars as pl

_INT64 = 2**63
_EXACT_FLOAT = 2**53


def read_parquet(path: str) -> Table:
    """Read a Parquet file."""
    import polars as pl

    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise TableError(path, f"not a valid Parquet file ({exc})") from None
    names = [clean_name(c) for c in frame.columns]
    if not names:
        raise TableError(path, "the file has no columns")
    blank = [f"column {i + 1}" for i, n in enumerate(names) if not n]
    if blank:
        raise TableError(path, f"{', '.join(blank)} has no name", "give every column a name")
    columns = header_names(names, path)
    rows = [list(r) for r in frame.rows()]
    lines = list(range(2, len(rows) + 2))
    return Table(path, None, columns, rows, None, [], lines)


def write_parquet(
    target: IO[bytes], path: str, columns: list[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write a Parquet file; return the number of rows."""
    import polars as pl

    width = len(columns)
    data: list[Sequence[Any]] = []
    for count, row in enumerate(rows, 1):
        if len(row) != width:
            raise ValueError(f"row {count} has {len(row)} cells, the header has {width}")
        data.append(row)
    series = [_series(name, [row[i] for row in data]) for i, name in enumerate(columns)]
    buffer = io.BytesIO()  # polars would wrap a write error in its own; the file's are OSError
    pl.DataFrame(series).write_parquet(buffer)
    target.write(buffer.getbuffer())
    return len(data)


def _series(name: str, values: list[Any]) -> pl.Series:
    import polars as pl

    kinds = {type(v) for v in values if v is not None}
    dtype: Any = None
    if not kinds or kinds == {str}:
        dtype = pl.String
    elif kinds == {bool}:
        dtype = pl.Boolean
    elif kinds == {int}:
        if all(v is None or -_INT64 <= v < _INT64 for v in values):
            dtype = pl.Int64
    elif kinds == {int, float}:
        if all(type(v) is not int or abs(v) <= _EXACT_FLOAT for v in values):
            dtype = pl.Float64
            values = [float(v) if v is not None else None for v in values]
    elif kinds == {float}:
        dtype = pl.Float64
    elif kinds == {dt.date}:
        dtype = pl.Date
    elif kinds == {dt.time}:
        if all(v is None or v.tzinfo is None for v in values):
            dtype = pl.Time
    elif kinds == {dt.datetime}:
        dtype = _datetime_type(values)
    if dtype is None:
        return pl.Series(name, [None if v is None else to_text(v) for v in values], pl.String)
    return pl.Series(name, values, dtype)


def _datetime_type(values: list[Any]) -> Any:
    import polars as pl

    zones = {v.tzinfo for v in values if v is not None}
    if zones == {None}:
        return pl.Datetime("us")
    if None in zones:
        return None  # naive and aware mixed: text
    keys = {getattr(z, "key", None) for z in zones}
    if len(keys) == 1 and None not in keys:
        return pl.Datetime("us", keys.pop())
    return pl.Datetime("us", "UTC")
