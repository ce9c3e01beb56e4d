"""The customers of a columnar result, kept as one polars DataFrame until someone asks.

The columnar engine ends with a frame of every customer at as-of; turning 1M rows into Python
objects costs more than computing them, and most callers want the JSON document or a table,
not objects. `CustomerFrame` holds the frame, builds the document's customer objects column
by column, and makes the engine's `CustomerRow`s only on first use of `rows()`.

The frame stays in input order (sorting a million rows of two dozen columns costs more than
the whole evaluation); `series` and `column` give a column in customer order. Columns
(instants are `Datetime("us", "UTC")`): customer, state, owner, pending_owner,
`flag_<code>` and `at_<code>` per stage, stage, state_since, lapses, renewals, holds_slot,
priority, overdue_days, due_to, due_at, stage_skipped, and the policy's other fields by name
(listed in `fields`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import polars as pl

from rulekit.engine.result.rows import CustomerRow, plain_number
from rulekit.timeutil import MINUTE_OFFSETS_FROM, format_instants

# ISO 8601 to the second with the offset, as `format_instant` writes it (%:z writes whole
# minutes: instants before MINUTE_OFFSETS_FROM are written by `format_instants`)
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%:z"


@dataclass(slots=True)
class CustomerFrame:
    """Every customer at as-of, as a DataFrame in input order, read in customer order."""

    frame: pl.DataFrame
    codes: list[str]  # the stage codes, in path order
    fields: list[str]  # the policy's fields present in the frame (lapses, renewals, ...)
    tz: tzinfo
    _order: pl.Series | None = None  # the rows in customer order, found on first use

    def __len__(self) -> int:
        return self.frame.height

    def series(self, name: str) -> pl.Series:
        """A column in customer order (the order of the document)."""
        if self._order is None:
            self._order = self.frame.get_column("customer").arg_sort()
        return self.frame.get_column(name).gather(self._order)

    def column(self, name: str) -> list[Any]:
        return self.series(name).to_list()

    def flag_dicts(
        self, columns: list[list[Any]], seen: dict[tuple[Any, ...], Any] | None = None
    ) -> list[dict[str, Any]]:
        """Each customer's flags by stage code from the `flag_<code>` columns; with `seen`, one
        dict per distinct set of flags (for a document that is only written out)."""
        codes = self.codes
        if seen is None:
            return [dict(zip(codes, values, strict=True)) for values in zip(*columns, strict=True)]
        return [
            seen.get(values) or seen.setdefault(values, dict(zip(codes, values, strict=True)))
            for values in zip(*columns, strict=True)
        ]

    def documents(self, run: bool, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """The objects of the JSON document (docs/formats.md) of the customers `start` to
        `stop` in customer order (all by default), built column-wise."""
        if self._order is None:
            self._order = self.frame.get_column("customer").arg_sort()
        stop = len(self) if stop is None else stop
        names = ["customer", "state", "owner", "pending_owner", "stage", "state_since"]
        names += ["lapses", "renewals", "holds_slot", *(f"flag_{c}" for c in self.codes)]
        if run:
            names += ["due_to", "due_at", "priority", "overdue_days", "stage_skipped"]
        part = self.frame.select(names)[self._order.slice(start, max(0, stop - start))]
        get = part.get_column
        columns = [get(n).to_list() for n in ("customer", "state", "owner", "pending_owner")]
        flags = [get(f"flag_{c}").to_list() for c in self.codes]
        columns += [self.flag_dicts(flags, {}), get("stage").to_list()]
        columns += [self.iso(get("state_since")), numbers(get("lapses"))]
        columns += [numbers(get("renewals")), get("holds_slot").to_list()]
        if not run:
            return [
                {"customer": c, "state": s, "owner": o, "pending_owner": p, "flags": f,
                 "stage": st, "state_since": ss, "lapses": la, "renewals": re, "holds_slot": h}
                for c, s, o, p, f, st, ss, la, re, h in zip(*columns, strict=True)
            ]  # fmt: skip
        due = [
            {"to": to, "at": at} if at is not None else None
            for to, at in zip(get("due_to").to_list(), self.iso(get("due_at")), strict=True)
        ]
        columns += [get("priority").to_list(), get("overdue_days").to_list(), due]
        columns.append(get("stage_skipped").to_list())
        return [
            {"customer": c, "state": s, "owner": o, "pending_owner": p, "flags": f, "stage": st,
             "state_since": ss, "lapses": la, "renewals": re, "holds_slot": h, "priority": pr,
             "overdue_days": od, "due": du, "violations": ["stage_skipped"] if sk else []}
            for c, s, o, p, f, st, ss, la, re, h, pr, od, du, sk in zip(*columns, strict=True)
        ]  # fmt: skip

    def iso(self, series: pl.Series) -> list[str | None]:
        """An instant column as ISO text with the offset in the policy's zone."""
        zone = getattr(self.tz, "key", None)
        low = series.min()
        if zone is None or (isinstance(low, datetime) and low.year < MINUTE_OFFSETS_FROM):
            return format_instants(series.to_list(), self.tz)
        local = series.dt.convert_time_zone(zone).dt.strftime(_ISO_FORMAT)
        return local.cast(pl.String).to_list()

    def rows(self) -> list[CustomerRow]:
        """The engine's CustomerRow objects (made on demand: this is the slow part)."""
        codes, fields = self.codes, self.fields
        dates = [self.column(f"at_{c}") for c in codes]
        each_flags = self.flag_dicts([self.column(f"flag_{c}") for c in codes])
        extra = [self.column(n) for n in fields]
        due_to, due_at = self.column("due_to"), self.column("due_at")
        columns = [self.column(n) for n in ("customer", "state", "owner", "pending_owner", "stage")]
        columns += [self.column("state_since"), numbers(self.series("lapses"))]
        columns += [numbers(self.series("renewals"))]
        columns += [self.column(n) for n in ("holds_slot", "priority", "overdue_days")]
        out = []
        for i, (flags, values) in enumerate(
            zip(each_flags, zip(*columns, strict=True), strict=True)
        ):
            cid, state, owner, pending, stage, since, lapses, renewals = values[:8]
            holds, priority, overdue = values[8:]
            out.append(
                CustomerRow(
                    customer=cid,
                    state=state,
                    owner=owner,
                    pending_owner=pending,
                    flags=flags,
                    dates={c: d[i] for c, d in zip(codes, dates, strict=True)},
                    stage=stage,
                    state_since=since,
                    lapses=lapses,
                    renewals=renewals,
                    holds_slot=holds,
                    priority=priority,
                    overdue_days=overdue,
                    due=(due_to[i], due_at[i]) if due_at[i] is not None else None,
                    violations=[],
                    fields={
                        n.removeprefix("field."): v[i]
                        for n, v in zip(fields, extra, strict=True)
                        if v[i] is not None
                    },
                )
            )
        for row, skipped in zip(out, self.column("stage_skipped"), strict=True):
            if skipped:
                row.violations.append("stage_skipped")
        return out


def numbers(series: pl.Series) -> list[Any]:
    """A number column with whole floats as ints (as the row engine reports them)."""
    if series.dtype.is_float() and (series.drop_nulls() % 1 == 0).all():
        series = series.cast(pl.Int64)
    if not series.dtype.is_float():
        return series.to_list()
    return [plain_number(v) for v in series.to_list()]
