"""The customers of a row-engine result, one compact tuple each until someone asks.

`build` keeps every customer at as-of as a tuple of what the document and the rows read.
The customer's own lists and dict (stage dates, fields) are shared, not copied: the engine
replaces them on a change, never changes them in place (`Customer.save`). What depends on
the stage flags alone (the flags object, the stage, a skipped stage) is made once per
distinct set of flags. The document's customer objects are made a slice at a time
(`documents(start, stop)`), so that a writer can encode them chunk by chunk and let each go;
the engine's `CustomerRow`s are made only on first use of `rows()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from rulekit.engine.result.rows import CustomerRow
from rulekit.timeutil import format_instant, format_instants

# an entry: (customer, state, owner, pending_owner, Flags, dates, state_since, lapses,
#   renewals, holds_slot, fields) and in `run` also (priority, overdue_days, due)
Entry = tuple[Any, ...]
# CustomerRow's attributes an entry holds as they are, by their place in the entry
COLUMNS = {"customer": 0, "state": 1, "owner": 2, "pending_owner": 3, "state_since": 6,
           "lapses": 7, "renewals": 8, "holds_slot": 9}  # fmt: skip
RUN_COLUMNS = {"priority": 11, "overdue_days": 12, "due": 13}  # `run` entries only


@dataclass(frozen=True, slots=True)
class Flags:
    """What one set of stage flags gives every customer that has it."""

    flags: dict[str, int]  # stage code -> flag
    stage: str | None  # the furthest stage of the unbroken run of 1s
    gap: bool  # a 1 after a 0: the stage_skipped violation


@dataclass(slots=True)
class CustomerStates:
    """Every customer at as-of, in customer order."""

    entries: list[Entry]
    codes: list[str]  # the stage codes, in path order
    tz: tzinfo
    run: bool  # `run` entries carry priority, overdue days and the next timer
    shapes: dict[tuple[int, ...], Flags] = field(default_factory=dict)
    _columns: dict[str, list[Any]] = field(default_factory=dict)  # `column`'s, made once

    def __len__(self) -> int:
        return len(self.entries)

    def flags(self, values: list[int] | tuple[int, ...]) -> Flags:
        """The `Flags` of a customer's flags (made on first sight)."""
        key = tuple(values)
        found = self.shapes.get(key)
        if found is None:
            codes = self.codes
            n = 0
            while n < len(key) and key[n] == 1:
                n += 1
            gap = any(v == 1 for v in key[n:])
            found = Flags(dict(zip(codes, key, strict=True)), codes[n - 1] if n else None, gap)
            self.shapes[key] = found
        return found

    def column(self, name: str) -> list[Any]:
        """One attribute of every customer (a name of COLUMNS or RUN_COLUMNS), in customer
        order; a replay's customers have no priority, overdue days or next timer (None).
        Made once and shared by every caller (a report reads some several times): read, not
        changed."""
        found = self._columns.get(name)
        if found is None:
            i = COLUMNS.get(name)
            if i is None:
                i = RUN_COLUMNS[name]
                if not self.run:
                    return [None] * len(self.entries)
            found = self._columns[name] = [e[i] for e in self.entries]
        return found

    def flag_sets(self) -> tuple[list[int], list[tuple[int, ...]]]:
        """Each customer's set of stage flags as an index into the second list, the distinct
        sets (their flags in path order): few sets, against many customers."""
        shapes = list(self.shapes.values())
        place = {id(shape): i for i, shape in enumerate(shapes)}
        return [place[id(e[4])] for e in self.entries], [tuple(s.flags.values()) for s in shapes]

    def stage_dates(self) -> list[list[datetime | None]]:
        """Every customer's stage dates (in path order), in customer order."""
        return [e[5] for e in self.entries]

    def field(self, name: str) -> list[Any]:
        """One policy field of every customer as it holds it (None where it has none)."""
        return [e[10].get(name) for e in self.entries]

    def documents(self, start: int, stop: int, fields: bool = False) -> list[dict[str, Any]]:
        """The document's objects of customers `start` to `stop` (docs/formats.md); with
        `fields`, each with its policy fields as `fields`."""
        part = self.entries[start:stop]
        since = format_instants([e[6] for e in part], self.tz)
        # one flags object per set of flags, new for each call: a document's own
        flags = {id(shape): dict(shape.flags) for shape in self.shapes.values()}
        if self.run:
            dues = format_instants([e[13][1] if e[13] else None for e in part], self.tz)
            out = [
                {"customer": e[0], "state": e[1], "owner": e[2], "pending_owner": e[3],
                 "flags": flags[id(e[4])], "stage": e[4].stage, "state_since": s, "lapses": e[7],
                 "renewals": e[8], "holds_slot": e[9], "priority": e[11],
                 "overdue_days": e[12], "due": {"to": e[13][0], "at": d} if e[13] else None,
                 "violations": ["stage_skipped"] if e[4].gap else []}
                for e, s, d in zip(part, since, dues, strict=True)
            ]  # fmt: skip
        else:
            out = [
                {"customer": e[0], "state": e[1], "owner": e[2], "pending_owner": e[3],
                 "flags": flags[id(e[4])], "stage": e[4].stage, "state_since": s, "lapses": e[7],
                 "renewals": e[8], "holds_slot": e[9]}
                for e, s in zip(part, since, strict=True)
            ]  # fmt: skip
        if fields:
            for row, e in zip(out, part, strict=True):
                row["fields"] = fields_object(e[10], self.tz)
        return out

    def rows(self) -> list[CustomerRow]:
        """The engine's CustomerRow objects (each with its own dicts)."""
        codes, run = self.codes, self.run
        out = []
        for e in self.entries:
            row = CustomerRow(
                customer=e[0],
                state=e[1],
                owner=e[2],
                pending_owner=e[3],
                flags=dict(e[4].flags),
                dates=dict(zip(codes, e[5], strict=True)),
                stage=e[4].stage,
                state_since=e[6],
                lapses=e[7],
                renewals=e[8],
                holds_slot=e[9],
                fields=dict(e[10]),
            )
            if run:
                row.priority, row.overdue_days, row.due = e[11], e[12], e[13]
                if e[4].gap:
                    row.violations.append("stage_skipped")
            out.append(row)
        return out


def fields_object(found: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A customer's policy fields as the document's `fields` object: by name, nulls left out."""
    return {k: field_json(found[k], tz) for k in sorted(found) if found[k] is not None}


def field_json(value: Any, tz: tzinfo) -> Any:
    """A field's value in the JSON document: instants in ISO 8601 in `tz`, lists as lists,
    anything else JSON cannot hold as text."""
    if isinstance(value, datetime):
        return format_instant(value, tz)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [field_json(v, tz) for v in value]
    return str(value)
