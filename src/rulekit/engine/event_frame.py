"""A history's events read straight from a polars frame (a CSV file `tables.fastcsv` read):
the same EventLog as `read_events` gives from the file's rows, for a fraction of the time.

The checks of the row reader's fast path run as column expressions; each row that passes
them becomes its Event here. Any other row (a malformed one, one whose `at` has an offset or
an unusual shape or falls in a daylight-saving gap, one with a declared field's cell) is
read by the row reader, with the same messages and row numbers. None means: read the file
with `read_table` and the row reader (a missing column, a zone without an IANA name).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from rulekit.engine.events import REQUIRED, Event, EventLog, _RowReader, column_index
from rulekit.engine.program import Program
from rulekit.engine.text_columns import clean, instant_parts, shapes
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame

_CORE = (*REQUIRED, "stage", "to")


def read_event_frame(source: TextFrame, program: Program, as_of: datetime) -> EventLog | None:
    """The events of `source` due by `as_of` and its malformed rows, as `read_events`."""
    zone = getattr(program.tz, "key", None)
    cols = column_index(source.columns, program)
    if zone is None or ZoneInfo(zone) is not program.tz or any(n not in cols for n in REQUIRED):
        return None
    frame = source.frame
    texts = frame.with_columns(
        (clean(pl.col(f"c{cols[n]}")) if n in cols else pl.lit(None, pl.String)).alias(n)
        for n in _CORE
    )
    local, _ = instant_parts(pl.col("at"), shapes(texts, ["at"])["at"])
    if local is None:
        local = pl.lit(None, dtype=pl.Datetime("us"))
    at = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    checked = texts.select(*_CORE[1:], at=at, ok=at.is_not_null() & _well_formed(program, cols))
    log = EventLog()
    # the row reader: for the rows the checks above leave, and for its names and kinds
    reader = _RowReader(Table(source.path, None, source.columns, [], None), program, cols, as_of)
    log.ignored = _events(reader, checked, frame, log)
    log.events.sort(key=_at)  # stable: file order breaks ties, as in read_events
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
    for name in program.field_types:
        if name in cols and name not in _CORE:
            ok = ok & pl.col(f"c{cols[name]}").is_null()
    return ok


def _events(reader: _RowReader, checked: pl.DataFrame, frame: pl.DataFrame, log: EventLog) -> int:
    """Every row into `log.events` (due by as-of) or `log.bad`, in file order; the number of
    well-formed rows after as-of."""
    names, kinds, as_of = reader.names, reader.kinds, reader.as_of
    columns = [checked.get_column(n).to_list() for n in ("ok", "at", *_CORE[1:])]
    late = 0
    events = log.events
    for number, (ok, at, customer, kind, actor, stage, to) in enumerate(
        zip(*columns, strict=True), start=1
    ):
        if not ok:
            row: list[Any] = list(frame.row(number - 1))
            late += reader.closely(number, row, (), events, log.bad)
        elif at > as_of:
            late += 1
        else:
            events.append(
                Event(
                    number,
                    at,
                    names.setdefault(customer, customer),
                    kinds[kind][0],
                    names.setdefault(actor, actor),
                    None if stage is None else names.setdefault(stage, stage),
                    None if to is None else names.setdefault(to, to),
                )
            )
    return late


def _at(event: Event) -> datetime:
    return event.at
