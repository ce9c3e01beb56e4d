"""The customers of a columnar result, kept as one polars DataFrame until someone asks.

The columnar engine ends with a frame of every customer at as-of; turning 1M rows into Python
objects costs more than computing them, and most callers want the JSON document or a table,
not objects. `CustomerFrame` holds the frame, builds the document's customer objects column
by column, and makes the engine's `CustomerRow`s only on first use of `rows()`.

Columns (instants are `Datetime("us", "UTC")`): customer, state, owner, pending_owner,
`flag_<code>` and `at_<code>` per stage, stage, state_since, lapses, renewals, holds_slot,
priority, overdue_days, due_to, due_at, stage_skipped, and the policy's other fields by name
(listed in `fields`). Rows are in customer order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rulekit.engine.rows import CustomerRow, plain_number
from rulekit.timeutil import format_instant

if TYPE_CHECKING:
    import polars as pl

# ISO 8601 to the second with the offset, as `format_instant` writes it
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%:z"
# before this, zones had offsets with seconds (local mean time) that %:z would round
_MODERN = datetime(1971, 1, 1)


@dataclass(slots=True)
class CustomerFrame:
    """Every customer at as-of, as a DataFrame in customer order."""

    frame: pl.DataFrame
    codes: list[str]  # the stage codes, in path order
    fields: list[str]  # the policy's fields present in the frame (lapses, renewals, ...)
    tz: tzinfo

    def __len__(self) -> int:
        return self.frame.height

    def column(self, name: str) -> list[Any]:
        return self.frame.get_column(name).to_list()

    def iso_column(self, name: str) -> list[str | None]:
        """An instant column as ISO text with the offset in the policy's zone."""
        import polars as pl

        series = self.frame.get_column(name)
        zone = getattr(self.tz, "key", None)
        low = series.min()
        if zone is None or (isinstance(low, datetime) and low.replace(tzinfo=None) < _MODERN):
            tz = self.tz
            return [format_instant(v, tz) if v is not None else None for v in series.to_list()]
        local = series.dt.convert_time_zone(zone).dt.strftime(_ISO_FORMAT)
        return local.cast(pl.String).to_list()

    def numbers(self, name: str) -> list[Any]:
        """A number column with whole floats as ints (as the row engine reports them)."""
        return [plain_number(v) for v in self.column(name)]

    def flag_dicts(self) -> list[dict[str, Any]]:
        codes = self.codes
        columns = [self.column(f"flag_{c}") for c in codes]
        return [dict(zip(codes, values, strict=True)) for values in zip(*columns, strict=True)]

    def documents(self, run: bool) -> list[dict[str, Any]]:
        """The customers' objects of the JSON document (CONTRACT §3), built column-wise."""
        names = ["customer", "state", "owner", "pending_owner"]
        columns: list[Iterator[Any]] = [iter(self.column(n)) for n in names]
        names.append("flags")
        columns.append(iter(self.flag_dicts()))
        names += ["stage", "state_since", "lapses", "renewals", "holds_slot"]
        columns += [
            iter(self.column("stage")),
            iter(self.iso_column("state_since")),
            iter(self.numbers("lapses")),
            iter(self.numbers("renewals")),
            iter(self.column("holds_slot")),
        ]
        if run:
            due_at = self.iso_column("due_at")
            due = [
                {"to": to, "at": at} if at is not None else None
                for to, at in zip(self.column("due_to"), due_at, strict=True)
            ]
            skipped = self.column("stage_skipped")
            names += ["priority", "overdue_days", "due", "violations"]
            columns += [
                iter(self.column("priority")),
                iter(self.column("overdue_days")),
                iter(due),
                iter(["stage_skipped"] if s else [] for s in skipped),
            ]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def rows(self) -> list[CustomerRow]:
        """The engine's CustomerRow objects (made on demand: this is the slow part)."""
        codes, fields = self.codes, self.fields
        dates = [self.column(f"at_{c}") for c in codes]
        extra = [self.column(n) for n in fields]
        due_to, due_at = self.column("due_to"), self.column("due_at")
        columns = [self.column(n) for n in ("customer", "state", "owner", "pending_owner", "stage")]
        columns += [self.column("state_since"), self.numbers("lapses"), self.numbers("renewals")]
        columns += [self.column(n) for n in ("holds_slot", "priority", "overdue_days")]
        out = []
        for i, (flags, values) in enumerate(
            zip(self.flag_dicts(), zip(*columns, strict=True), strict=True)
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
