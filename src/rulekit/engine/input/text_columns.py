"""Polars expressions that read text cells as the row engine reads them (`engine.cells`):
shared by the columnar snapshot reader and the columnar event reader.

`clean` is `cells.text` (stripped, blank is null). `instant_parts` reads the date and
date-time shapes `timeutil.parse_instant` reads the same way, each format tried only on the
cells of its length; any other text is left null, for the caller to send to the row engine.
"""

from __future__ import annotations

import polars as pl

from rulekit.timeutil import MAX_YEAR, MIN_YEAR

# the date and date-time shapes read here, by their length in bytes
FORMATS = (
    (19, "%Y-%m-%d %H:%M:%S"),
    (19, "%Y-%m-%dT%H:%M:%S"),
    (16, "%Y-%m-%d %H:%M"),
    (16, "%Y-%m-%dT%H:%M"),
    (10, "%Y-%m-%d"),
    (25, "%Y-%m-%dT%H:%M:%S%:z"),  # 2026-01-02T09:30:00+08:00
    (25, "%Y-%m-%d %H:%M:%S%:z"),
)
ISO_SHAPE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?)?$"
T_USED = -1  # in a column's shapes: some text has a "T"


def clean(cell: pl.Expr) -> pl.Expr:
    """A text cell stripped, null when blank."""
    return cell.str.strip_chars().replace("", None)  # half the time of a when/then


def shapes(frame: pl.DataFrame, names: list[str]) -> dict[str, set[int]]:
    """The lengths of each column's texts, and T_USED if one of them has a "T"."""
    if not names:
        return {}
    found = frame.select(
        *(pl.col(n).str.len_bytes().unique().implode() for n in names),
        *(pl.col(n).str.contains("T", literal=True).any().alias(f"T:{n}") for n in names),
    ).row(0, named=True)
    return {n: set(found[n]) | ({T_USED} if found[f"T:{n}"] else set()) for n in names}


def instant_parts(cell: pl.Expr, lengths: set[int]) -> tuple[pl.Expr | None, pl.Expr | None]:
    """(the naive local time of a text without an offset, the naive UTC time of a text with
    one): None where the column has no text of that kind, null where a text is not one."""
    iso = cell.str.contains(ISO_SHAPE)
    size = cell.str.len_bytes()
    local: list[pl.Expr] = []
    offset: list[pl.Expr] = []
    for length, fmt in FORMATS:
        if length in lengths and ("T" not in fmt or T_USED in lengths):
            kind = pl.Datetime("us", "UTC" if "%:z" in fmt else None)
            at = cell.str.strptime(kind, fmt, strict=False)  # each text parsed, then kept
            # only where it has the format's shape and length (cheaper than parsing a copy
            # of the column's texts of that shape), in the years the rows read
            fits = iso & (size == length) & at.dt.year().is_between(MIN_YEAR, MAX_YEAR)
            (offset if "%:z" in fmt else local).append(pl.when(fits).then(at))
    return (
        pl.coalesce(local) if local else None,
        pl.coalesce(offset).dt.replace_time_zone(None) if offset else None,
    )
