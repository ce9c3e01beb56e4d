"""Events of a history: read from a table row by row, every malformed row reported.

A row is malformed when its `at` cannot be read, `customer`/`type`/`actor` is blank, its type
is not an event of the policy, a promoting event names no stage of the path, a column the
event `needs` is blank, or a declared field's cell cannot be read as its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from rulekit.diagnostics import one_of
from rulekit.engine import cells, collector
from rulekit.engine.errors import InputError
from rulekit.tables.model import Table

if TYPE_CHECKING:
    from rulekit.engine.program import Program
    from rulekit.tables.fastcsv import TextFrame

REQUIRED = ("at", "customer", "type", "actor")


_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class Event:
    """One event of a history."""

    __slots__ = ("row", "at", "customer", "type", "actor", "stage", "to", "fields")

    def __init__(
        self,
        row: int,
        at: datetime,
        customer: str,
        type: str,
        actor: str,
        stage: str | None = None,
        to: str | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.row = row
        self.at = at
        self.customer = customer
        self.type = type
        self.actor = actor
        self.stage = stage
        self.to = to
        self.fields: Mapping[str, Any] = fields or _NO_FIELDS

    def as_mapping(self) -> dict[str, Any]:
        """`event.*` as conditions read it: the core columns and the declared fields (a new
        dict: an Env keeps it while it evaluates, the event does not, to stay small)."""
        return {
            **self.fields,
            "row": self.row,
            "at": self.at,
            "customer": self.customer,
            "type": self.type,
            "actor": self.actor,
            "stage": self.stage,
            "to": self.to,
        }

    def __repr__(self) -> str:
        return f"<Event row {self.row} {self.at:%Y-%m-%d %H:%M} {self.type} {self.customer}>"


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

    def messages(self, path: str) -> list[str]:
        """`file:row:column: message` for each problem."""
        out = []
        for column, message in self.problems:
            where = f"{path}:{self.row}" + (f":{column}" if column else "")
            out.append(f"{where}: {message}")
        return out


@dataclass(slots=True)
class EventLog:
    """The events of a table that are due by as-of, and the malformed rows."""

    events: list[Event] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    ignored: int = 0  # rows after as-of


def column_index(columns: list[str], program: Program) -> dict[str, int]:
    """Field or core name -> column index, applying the policy's `column:` mappings (the
    first column of a name wins)."""
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        index.setdefault(program.columns.get(name, name), i)
    return index


def read_events(table: Table | TextFrame, program: Program, as_of: datetime) -> EventLog:
    """Read a history table; well-formed rows after `as_of` are left out (and not counted).

    A malformed row is reported whatever its `at`: the file is invalid as a whole. When the
    caller goes on past bad rows, a bad row whose `at` is after `as_of` is left out too.
    A TextFrame (a CSV file read into polars) is read column-wise where it can be, else the
    file is read again with `read_table`.
    """
    if not isinstance(table, Table):
        from rulekit.engine.event_frame import read_event_frame
        from rulekit.tables import read_table

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


_AT = attrgetter("at")


class RowReader:
    """Reads event rows: a fast path for well-formed rows, a thorough one that lists problems."""

    def __init__(self, table: Table, program: Program, cols: dict[str, int], as_of: datetime):
        self.table, self.program, self.cols, self.as_of = table, program, cols, as_of
        self.tz = program.tz
        self.get = {name: cols.get(name) for name in (*REQUIRED, "stage", "to")}
        fields = [(n, cols[n], program.field_types[n]) for n in program.field_types if n in cols]
        self.fields = [f for f in fields if f[0] not in self.get]
        self.known = program.moves_by_event.keys() | program.decides.keys()
        self.instant = cells.Instants(self.tz)
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
                value = cells.typed(cell, ftype, self.tz)
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
            at = cells.instant(cell("at"), tz)
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
                    f"`{kind}` is not an event of this policy; "
                    f"the events are {one_of(sorted(self.known))}",
                )
            )
        elif kind in program.promotes and stage not in program.stage_index:
            what = f"`{stage}` is not a stage of the path" if stage else "`stage` is blank"
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
                value = cells.typed(row[i] if i < len(row) else None, ftype, tz)
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
