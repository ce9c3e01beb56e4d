"""Reading a history: the events of a table due by as-of and its malformed rows.

A CSV file read into polars is read column-wise (`event_frame`) where it can be; any other
table, row by row (`event_rows`).
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter

from rulekit.engine.core import collector
from rulekit.engine.core.program import Program
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_frame import read_event_frame
from rulekit.engine.input.event_rows import REQUIRED, EventLog, RowReader, column_index
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
                f"{', '.join(table.columns) or 'none'})"
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
    log = EventLog()
    reader = RowReader(table, program, cols, as_of)
    with collector.paused():
        log.ignored = reader.read(table.rows, row_problems, log.events, log.bad)
        log.events.sort(key=_AT)  # stable: file order breaks ties
    return log
