"""A history's events read straight from a polars frame (a CSV file `tables.fastcsv` read):
the same EventLog as `read_events` gives from the file's rows, for a fraction of the time.

The checks of the row reader's fast path run as column expressions; the rows that pass
them become the log's columns (`EventLog.of_columns`: no Event is made until one is asked
for). Any other row (a malformed one, one whose `at` has an offset or an unusual shape or
falls in a daylight-saving gap, one with a declared field's cell) is read by the row
reader, with the same messages and row numbers. None means: read the file with
`read_table` and the row reader (a missing column, a zone without an IANA name, a column's
date format named in the policy).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from rulekit.engine.core.event import Event
from rulekit.engine.core.program import Program
from rulekit.engine.input import event_columns
from rulekit.engine.input.event_rows import (
    REQUIRED,
    EventColumns,
    EventLog,
    RowReader,
    column_index,
)
from rulekit.engine.input.text_columns import clean, instant_parts, shapes
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame, data_lines

_CORE = (*REQUIRED, "stage", "to")


def read_event_frame(source: TextFrame, program: Program, as_of: datetime) -> EventLog | None:
    """The events of `source` due by `as_of` and its malformed rows, as `read_events`."""
    zone = getattr(program.tz, "key", None)
    cols = column_index(source.columns, program)
    if zone is None or ZoneInfo(zone) is not program.tz or any(n not in cols for n in REQUIRED):
        return None
    if program.formats:  # a column's own date format: the row reader reads it
        return None
    frame = source.frame
    core = [
        (clean(pl.col(f"c{cols[n]}")) if n in cols else pl.lit(None, pl.String)).alias(n)
        for n in _CORE
    ]
    local, _ = instant_parts(pl.col("at"), shapes(frame.select(core[0]), ["at"])["at"])
    if local is None:
        local = pl.lit(None, dtype=pl.Datetime("us"))
    fields = _text_fields(program, cols)
    if as_of.tzinfo is program.tz:  # Python compares datetimes of one zone by wall time
        due = pl.col("local") <= as_of.replace(tzinfo=None)
    else:  # and others by the instant
        due = pl.col("at").dt.convert_time_zone("UTC") <= as_of.astimezone(UTC)
    checked = (
        frame.lazy()
        .with_columns(core)
        .with_columns(local=local)
        .select(
            *_CORE[1:],
            *(clean(pl.col(f"c{i}")).alias(f"field {name}") for name, i in fields),
            "local",  # aware datetimes of one zone compare by their wall time, as here
            at=pl.col("local").dt.replace_time_zone(
                zone, ambiguous="earliest", non_existent="null"
            ),
            ok=_well_formed(program, cols).fill_null(False),
        )
        .with_row_index("row", offset=1)
        .with_columns(ok=pl.col("ok") & pl.col("at").is_not_null())
        .with_columns(due=pl.col("ok") & due)
        .collect()
    )
    ignored = checked.select((pl.col("ok") & ~pl.col("due")).sum()).item()
    odd = checked.filter(~pl.col("ok")).get_column("row").to_list()
    # in `read_events`' order: by `at`, file order breaking ties
    good = checked.filter(pl.col("due")).drop("ok", "due", "at").sort("local", "row")
    del checked
    # the row reader: for the rows the checks above leave, and for its names and kinds
    reader = RowReader(Table(source.path, None, source.columns, [], None), program, cols, as_of)
    log = EventLog.of_columns(_columns(reader, good, program.tz, fields))
    log.ignored = ignored
    del good
    if odd:
        for number in odd:  # in file order, as the row reader goes
            row: list[Any] = list(frame.row(number - 1))
            log.ignored += reader.closely(number, row, (), log.events, log.bad)
        if log.bad:  # their messages name the line where each starts
            log.lines = data_lines(source)
        log.events.sort(key=_at_row)  # as read_events: by `at`, file order breaking ties
    return log


def _well_formed(program: Program, cols: dict[str, int]) -> pl.Expr:
    """The row reader's fast-path checks but `at`'s: the ids and type, the stage of a
    promoting event, the columns each event type needs; and no declared field's cell.
    Over the frame's text columns `c<i>` and the cleaned core columns."""
    kind, stage, to = pl.col("type"), pl.col("stage"), pl.col("to")
    known = sorted(program.moves_by_event.keys() | program.decides.keys())
    ok = pl.col("customer").is_not_null() & pl.col("actor").is_not_null() & kind.is_in(known)
    promoting = [k for k in known if k in program.promotes]
    ok = ok & (~kind.is_in(promoting) | stage.is_in(list(program.stage_index)))
    for event in known:
        for need in program.needs.get(event, ()):
            if need in ("stage", "to"):
                present = (stage if need == "stage" else to).is_not_null()
            elif need in cols:
                present = clean(pl.col(f"c{cols[need]}")).is_not_null()
            else:
                present = pl.lit(False)
            ok = ok & ((kind != event) | present)
    texts = {name for name, _ in _text_fields(program, cols)}
    for name in program.field_types:
        if name in cols and name not in _CORE and name not in texts:
            ok = ok & pl.col(f"c{cols[name]}").is_null()
    return ok


def _text_fields(program: Program, cols: dict[str, int]) -> list[tuple[str, int]]:
    """The declared text fields the file has (name, column): read here as the row reader
    reads them (stripped, blank is none); a typed field's cell sends its row to the row
    reader."""
    return [
        (name, cols[name])
        for name, kind in program.field_types.items()
        if kind == "string" and name in cols and name not in _CORE
    ]


def _columns(
    reader: RowReader, good: pl.DataFrame, tz: tzinfo, fields: list[tuple[str, int]]
) -> EventColumns:
    """The events of the rows that passed the checks as columns, in the frame's order."""
    names: dict[Any, Any] = {kind: spec[0] for kind, spec in reader.kinds.items()}
    names.update(reader.names)
    arguments: list[list[Any]] = [
        good.get_column("row").to_list(),
        event_columns.instants(good.get_column("local"), tz),
        *(event_columns.texts(good, name, names) for name in _CORE[1:]),
    ]
    if fields:
        columns = [f"field {name}" for name, _ in fields]
        arguments.append(
            event_columns.field_maps(good, columns, [name for name, _ in fields], names)
        )
    else:
        arguments.append([None] * good.height)
    return tuple(arguments)


def _at_row(event: Event) -> tuple[datetime, int]:
    return event.at, event.row
