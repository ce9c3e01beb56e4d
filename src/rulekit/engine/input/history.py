"""Reading a history: the events of a table due by as-of and its malformed rows.

A CSV file read into polars is read column-wise (`event_frame`) where it can be; any other
table, row by row (`event_rows`).
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter

from rulekit.engine.core import collector
from rulekit.engine.core.program import Program
from rulekit.engine.input import dates
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_frame import read_event_frame
from rulekit.engine.input.event_rows import REQUIRED, EventLog, RowReader, column_index
from rulekit.safeio import clip, listed
from rulekit.tables import read_table
from rulekit.tables.fastcsv import TextFrame
from rulekit.tables.model import Table

_AT = attrgetter("at")


def read_events(table: Table | TextFrame, program: Program, as_of: datetime) -> EventLog:
    """Read a history table; well-formed rows after `as_of` are left out (and not counted).

    A malformed row is reported whatever its `at`: the file is invalid as a whole. When the
    caller goes on past bad rows, a bad row whose `at` is after `as_of` is left out too.
    A TextFrame (a CSV file read into polars) is read column-wise where it can be, else the
    file is read again with `read_table`.
    """
    check_date_column(table, program)
    if not isinstance(table, Table):
        with collector.paused():
            log = read_event_frame(table, program, as_of)
        if log is not None:
            return log
        table = read_table(table.path)
    cols = column_index(table.columns, program)
    missing = [name for name in REQUIRED if name not in cols]
    if missing:
        raise InputError(
            [
                f"{table.path}: the column `{name}` is missing (the columns are "
                f"{listed(clip(c, 40) for c in table.columns) or 'none'})"
                for name in missing
            ],
            bad_rows=False,
            hint=f"if the client names it differently, map it in the policy: "
            f"`fields: {{{missing[0]}: {{type: {'datetime' if missing[0] == 'at' else 'string'}, "
            f"column: <its name>}}}}`",
        )
    whole = [p for p in table.problems if p.row is None]
    if whole:
        raise InputError([f"{p.location(table.path)}: {p.message}" for p in whole], bad_rows=False)
    row_problems: dict[int, list[tuple[str | None, str]]] = {}
    for p in table.problems:
        if p.row is not None:
            row_problems.setdefault(p.row, []).append((p.column, p.message))
    log = EventLog(lines=table.lines)
    reader = RowReader(table, program, cols, as_of)
    with collector.paused():
        log.ignored = reader.read(table.rows, row_problems, log.events, log.bad)
        log.events.sort(key=_AT)  # stable: file order breaks ties
    return log


def check_date_column(table: Table | TextFrame, program: Program, name: str = "at") -> None:
    """A date column whose texts put the day or the month first (`1/5/2026`) needs its format
    named in the policy: one error for the column, naming both readings."""
    if name in program.formats:
        return
    cols = column_index(table.columns, program)
    i = cols.get(name)
    if i is None:
        return
    if isinstance(table, Table):
        texts = [c for row in table.rows[:5000] if isinstance(c := row[i], str)]
    else:
        texts = table.frame.get_column(f"c{i}").drop_nulls().head(5000).to_list()
    example = dates.needs_format(texts)
    if example is None:
        return
    message = dates.ambiguous_column(example)
    column = table.columns[i]
    raise InputError(
        [f"{table.path}: column {column}: {message}"],
        bad_rows=False,
        hint=dates.format_hint(name, dates.suggested_format(example)),
    )
