"""Events made from the checked, sorted columns of a history (`event_frame`).

Python objects cost more than everything polars does to a history, so each is made once per
distinct value where the values repeat: a midnight per day and a time of day per distinct
clock (their sum is the row reader's instant, an aware datetime plus a timedelta being
wall-clock arithmetic), one text per distinct rep, type or stage, one fields mapping per
distinct combination of field values (events only read their fields: the replay copies them
onto its customers). The rows then pick theirs by integer code: no bytecode runs per row.
The lists are the log's columns (`EventLog.of_columns`); an Event is made of them only when
asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from operator import add
from typing import Any

import polars as pl

_DAY_US = 86_400_000_000
_EPOCH = date(1970, 1, 1)


def instants(local: pl.Series, tz: tzinfo) -> list[datetime]:
    """Naive local times (microseconds) as datetimes in `tz`, as the row reader reads them."""
    if local.is_empty():
        return []
    us = local.cast(pl.Int64)
    days = us // _DAY_US
    first = days.min()
    last = days.max()
    assert isinstance(first, int) and isinstance(last, int)
    midnight: list[datetime | None] = [None] * (last - first + 1)
    for day in days.unique().to_list():
        d = _EPOCH + timedelta(days=day)
        midnight[day - first] = datetime(d.year, d.month, d.day, tzinfo=tz)
    clocks = us - days * _DAY_US
    clock = {c: timedelta(microseconds=c) for c in clocks.unique().to_list()}
    return list(
        map(
            add,
            map(midnight.__getitem__, (days - first).to_list()),
            map(clock.__getitem__, clocks.to_list()),
        )
    )


def distinct(frame: pl.DataFrame, names: Sequence[str]) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Each row's code and the distinct rows of `frame`'s columns `names` (nulls alike)."""
    part = frame.select(names)
    found = part.unique().with_row_index("code")
    codes = part.join(found, on=list(names), how="left", nulls_equal=True, maintain_order="left")
    return codes.get_column("code").to_list(), found.drop("code").rows()


def texts(frame: pl.DataFrame, name: str, names: dict[Any, Any]) -> list[str | None]:
    """A text column, one object per distinct text where the texts repeat (`names` keeps
    them: the replay then finds reps by identity). A column of mostly distinct texts (the
    customers' ids: about three events each) is read as it is: a string per row costs less
    than looking each one up in `names` (0.3 s at 1M rows), and a dictionary finds an equal
    string almost as fast as the same one."""
    column = frame.get_column(name)
    if column.null_count() * 10 >= len(column) * 9:  # mostly blank (`to`): its texts alone
        out: list[str | None] = [None] * len(column)
        where = column.is_not_null().arg_true().to_list()
        for i, value in zip(where, column.drop_nulls().to_list(), strict=True):
            out[i] = names.setdefault(value, value)
        return out
    sample = column.gather_every(max(1, len(column) // 4096))
    if sample.n_unique() * 8 > len(sample):  # mostly distinct
        return column.to_list()
    found = column.unique().drop_nulls()
    codes = column.cast(pl.Enum(found)).to_physical().fill_null(len(found)).to_list()
    kept = [names.setdefault(v, v) for v in found.to_list()]
    kept.append(None)
    return list(map(kept.__getitem__, codes))


def field_maps(
    frame: pl.DataFrame, columns: Sequence[str], fields: Sequence[str], names: dict[Any, Any]
) -> list[dict[str, Any] | None]:
    """Each row's non-blank fields (`fields`, read from `columns`), one mapping per distinct
    combination, None for none."""
    codes, found = distinct(frame, columns)
    maps = [
        {f: names.setdefault(v, v) for f, v in zip(fields, combo, strict=True) if v is not None}
        or None
        for combo in found
    ]
    return list(map(maps.__getitem__, codes))
