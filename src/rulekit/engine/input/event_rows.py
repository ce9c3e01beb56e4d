"""Events of a history read row by row, every malformed row reported.

A row is malformed when its `at` cannot be read, `customer`/`type`/`actor` is blank, its type
is not an event of the policy, a promoting event names no stage of the path, a column the
event `needs` is blank, or a declared field's cell cannot be read as its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from operator import not_
from typing import Any

from rulekit.diagnostics import one_of
from rulekit.engine.core.event import Event
from rulekit.engine.core.program import Program
from rulekit.engine.input import cells
from rulekit.tables.model import Table

REQUIRED = ("at", "customer", "type", "actor")


@dataclass(slots=True)
class BadRow:
    """A malformed row: where, and every problem found in it."""

    row: int
    problems: list[tuple[str | None, str]]  # (column, message)
    at: datetime | None = None
    customer: str | None = None
    type: str | None = None
    actor: str | None = None
    late: bool = False  # its `at` is after as-of: reported as malformed, else left out

    def messages(self, path: str, lines: list[int] | None = None) -> list[str]:
        """`file: data row 2 (line 3), column at: message` for each problem (see `place`)."""
        return [f"{place(path, self.row, lines, col)}: {msg}" for col, msg in self.problems]


def place(path: str, row: int, lines: list[int] | None, column: str | None = None) -> str:
    """Where a cell is, as a consultant finds it in Excel or an editor: `history.csv: data
    row 2 (line 3), column at` (the line is where the row starts in the file, the sheet's row
    number in a workbook; left out when unknown)."""
    line = lines[row - 1] if lines and 0 < row <= len(lines) else None
    sheet = path.lower().endswith((".xlsx", ".xlsm"))
    where = f"{path}: data row {row}"
    if line is not None:
        where += f" ({'sheet row' if sheet else 'line'} {line})"
    return where + (f", column {column}" if column else "")


#: an event as its columns: (row, at, customer, type, actor, stage, to, fields)
EventColumns = tuple[list[Any], ...]


class EventLog:
    """The events of a table that are due by as-of, and the malformed rows.

    A history read column-wise keeps its events as columns (`columns`: one list per
    argument of `Event`) until something asks for `events`: the replay loop reads the
    columns (`rows`) without making an Event per row.
    """

    __slots__ = ("_events", "columns", "bad", "ignored", "lines")

    def __init__(
        self,
        events: list[Event] | None = None,
        bad: list[BadRow] | None = None,
        ignored: int = 0,
        lines: list[int] | None = None,
    ) -> None:
        self._events: list[Event] | None = events if events is not None else []
        self.columns: EventColumns | None = None
        self.bad: list[BadRow] = bad if bad is not None else []
        self.ignored = ignored  # rows after as-of
        self.lines: list[int] = lines if lines is not None else []  # where each row starts

    @classmethod
    def of_columns(cls, columns: EventColumns) -> EventLog:
        """A log of the events whose constructor's arguments are `columns` (equal lengths)."""
        log = cls()
        log._events, log.columns = None, columns
        return log

    @property
    def events(self) -> list[Event]:
        """The events, in replay order (made from the columns on first use)."""
        if self._events is None:
            assert self.columns is not None
            self._events, self.columns = list(map(Event, *self.columns)), None
        return self._events

    def __len__(self) -> int:
        """The number of events."""
        if self._events is None:
            assert self.columns is not None
            return len(self.columns[0])
        return len(self._events)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Each event as (row, at, customer, type, actor, stage, to, fields), in order."""
        if self._events is None:
            assert self.columns is not None
            return zip(*self.columns, strict=True)
        return map(_values, self._events)

    def rows_with_stage(self, skip: AbstractSet[int] = frozenset()) -> Iterator[tuple[Any, ...]]:
        """`rows`, of the events that name a stage only, but those whose row number is in
        `skip` (found without a Python loop over the others)."""
        if self._events is None:
            assert self.columns is not None
            columns = self.columns
            where = list(compress(range(len(columns[0])), columns[5]))
            if skip:
                rows = map(columns[0].__getitem__, where)
                where = list(compress(where, map(not_, map(skip.__contains__, rows))))
            return zip(*(map(column.__getitem__, where) for column in columns), strict=True)
        return (_values(e) for e in self._events if e.stage is not None and e.row not in skip)

    def release(self) -> None:
        """Let the events go (a caller that read them for one replay, once applied)."""
        if self._events is not None:
            self._events.clear()
        else:
            self._events, self.columns = [], None

    def __repr__(self) -> str:
        return f"<EventLog {len(self):,} events, {len(self.bad):,} bad rows>"


def _values(e: Event) -> tuple[Any, ...]:
    return (e.row, e.at, e.customer, e.type, e.actor, e.stage, e.to, e.fields)


def column_index(columns: list[str], program: Program) -> dict[str, int]:
    """Field or core name -> column index, applying the policy's `column:` mappings (the
    first column of a name wins)."""
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        index.setdefault(program.columns.get(name, name), i)
    return index


class RowReader:
    """Reads event rows: a fast path for well-formed rows, a thorough one that lists problems."""

    def __init__(self, table: Table, program: Program, cols: dict[str, int], as_of: datetime):
        self.table, self.program, self.cols, self.as_of = table, program, cols, as_of
        self.tz = program.tz
        self.get = {name: cols.get(name) for name in (*REQUIRED, "stage", "to")}
        fields = [(n, cols[n], program.field_types[n]) for n in program.field_types if n in cols]
        self.fields = [f for f in fields if f[0] not in self.get]
        self.known = program.moves_by_event.keys() | program.decides.keys()
        self.formats = program.formats
        self.instant = cells.Instants(self.tz, program.formats.get("at"))
        # event type -> (the type, promotes, columns it needs besides `stage` and `to`, needs
        # a stage, needs a `to`)
        self.kinds = {
            kind: (
                kind,
                kind in program.promotes,
                [cols.get(n) for n in program.needs.get(kind, ()) if n not in ("stage", "to")],
                "stage" in program.needs.get(kind, ()),
                "to" in program.needs.get(kind, ()),
            )
            for kind in self.known
        }
        # One str object per distinct id: the replay then finds customers and reps by identity
        # and touches far less memory than with a new string per row.
        self.names: dict[str, str] = {code: code for code in program.stage_index}

    def read(
        self,
        rows: list[list[Any]],
        problems: dict[int, list[tuple[str | None, str]]],
        events: list[Event],
        bad: list[BadRow],
    ) -> int:
        """Read every row into `events` (those due by as-of) or `bad`; return how many
        well-formed rows are after as-of. Rows with `problems` (the table reported them) and
        rows the fast path does not take are read by `slow`."""
        late = 0
        fast, as_of = self.fast, self.as_of
        for number, row in enumerate(rows, start=1):
            event = None if number in problems else fast(number, row)
            if event is None:
                late += self.closely(number, row, problems.get(number, ()), events, bad)
            elif event.at <= as_of:
                events.append(event)
            else:
                late += 1
        return late

    def closely(
        self,
        number: int,
        row: list[Any],
        problems: Iterable[tuple[str | None, str]],
        events: list[Event],
        bad: list[BadRow],
    ) -> int:
        """Read a row the fast path did not take: into `bad`, or into `events` if it has no
        problem after all; 1 if it is a well-formed row after as-of, else 0."""
        found, event = self.slow(number, row, list(problems))
        if found is not None:
            bad.append(found)
        elif event is not None and event.at <= self.as_of:
            events.append(event)
        else:
            return 1
        return 0

    def fast(self, number: int, row: list[Any]) -> Event | None:
        """The event of a well-formed row, or None if anything needs a closer look."""
        get, text = self.get, cells.text
        try:
            at = self.instant(row[get["at"]])  # type: ignore[index]
        except cells.CellError:
            return None
        customer = text(row[get["customer"]])  # type: ignore[index]
        kind = text(row[get["type"]])  # type: ignore[index]
        actor = text(row[get["actor"]])  # type: ignore[index]
        if at is None or customer is None or actor is None:
            return None
        spec = self.kinds.get(kind)  # type: ignore[arg-type]
        if spec is None:
            return None
        kind, promotes, needed, needs_stage, needs_to = spec
        i = get["stage"]
        stage = text(row[i]) if i is not None else None
        i = get["to"]
        to = text(row[i]) if i is not None else None
        if promotes and stage not in self.program.stage_index:
            return None
        if (needs_stage and stage is None) or (needs_to and to is None):
            return None
        for j in needed:
            if j is None or text(row[j]) is None:
                return None
        names = self.names
        customer = names.setdefault(customer, customer)
        actor = names.setdefault(actor, actor)
        if stage is not None:
            stage = names.setdefault(stage, stage)
        if to is not None:
            to = names.setdefault(to, to)
        if not self.fields:
            return Event(number, at, customer, kind, actor, stage, to)
        extra: dict[str, Any] = {}
        for name, j, ftype in self.fields:
            cell = row[j]
            if cell is None or cell == "":
                continue
            try:
                value = cells.typed(cell, ftype, self.tz, self.formats.get(name))
            except cells.CellError:
                return None
            if value is not None:
                extra[name] = value
        return Event(number, at, customer, kind, actor, stage, to, extra)

    def slow(
        self, number: int, row: list[Any], problems: list[tuple[str | None, str]]
    ) -> tuple[BadRow | None, Event | None]:
        """Every problem of a row (a BadRow), or its event if it has none after all."""
        program, tz, get = self.program, self.tz, self.get

        def cell(name: str) -> Any:
            i = get[name]
            return row[i] if i is not None and i < len(row) else None

        at = None
        try:
            at = cells.instant(cell("at"), tz, self.formats.get("at"))
            if at is None:
                problems.append(("at", "`at` is blank; every event needs its date and time"))
        except cells.CellError as exc:
            problems.append(("at", str(exc)))
        late = at is not None and at > self.as_of
        values = {name: cells.text(cell(name)) for name in ("customer", "type", "actor")}
        for name, value in values.items():
            if value is None:
                problems.append((name, f"`{name}` is blank"))
        kind = values["type"]
        stage = cells.text(cell("stage"))
        to = cells.text(cell("to"))
        if kind is not None and kind not in self.known:
            problems.append(
                (
                    "type",
                    f"`{cells.quoted_text(kind)}` is not an event of this policy; "
                    f"the events are {one_of(sorted(self.known))}",
                )
            )
        elif kind in program.promotes and stage not in program.stage_index:
            what = (
                f"`{cells.quoted_text(stage)}` is not a stage of the path"
                if stage
                else "`stage` is blank"
            )
            problems.append(
                ("stage", f"{what}; a {kind} names one of {one_of(program.stage_index)}")
            )
        for need in program.needs.get(kind or "", ()):
            value = to if need == "to" else (stage if need == "stage" else None)
            if need not in ("to", "stage"):
                i = self.cols.get(need)
                value = cells.text(row[i]) if i is not None and i < len(row) else None
            if value is None:
                problems.append((need, f"a {kind} event needs `{need}`"))
        extra: dict[str, Any] = {}
        for name, i, ftype in self.fields:
            try:
                value = cells.typed(
                    row[i] if i < len(row) else None, ftype, tz, self.formats.get(name)
                )
            except cells.CellError as exc:
                problems.append((self.table.columns[i], str(exc)))
                continue
            if value is not None:
                extra[name] = value
        if problems:
            return BadRow(
                number, problems, at, values["customer"], kind, values["actor"], late
            ), None
        assert at is not None
        event = Event(
            number,
            at,
            values["customer"] or "",
            kind or "",
            values["actor"] or "",
            stage,
            to,
            extra,
        )
        return None, event
