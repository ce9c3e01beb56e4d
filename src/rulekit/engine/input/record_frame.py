"""Reading a snapshot's text cells into typed polars columns, exactly as the row engine reads
them, for the columnar engine.

`SnapshotReader(program, records).frame()` gives one row per record: `customer`, `owner`,
`state`, `pending_owner`, `state_since`, `flag_<code>` and `at_<code>` per stage, and the
policy's fields by name; instants are naive UTC. A cell it cannot read exactly as the row
engine would (a typed cell, an unusual date shape, NaN, a daylight-saving gap), a blank or
repeated customer, or an unknown state raises `Unsupported`: the caller falls back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from itertools import chain

import polars as pl

from rulekit.engine.core.program import Program
from rulekit.engine.input.event_rows import column_index
from rulekit.engine.input.text_columns import clean, instant_parts, shapes
from rulekit.lang.polars_backend import Unsupported
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame


class SnapshotReader:
    """The records of a snapshot as typed columns (see the module's docstring)."""

    def __init__(self, program: Program, records: Table | TextFrame) -> None:
        self.program = program
        self.records = records
        self.codes = [s.code for s in program.stages]
        self.offset: timedelta | None = None  # the zone's offset, if fixed over the dates read

    def raw(self) -> pl.DataFrame:
        """The records as text columns c0..cN."""
        table = self.records
        if isinstance(table, TextFrame):
            return table.frame
        if table.problems:
            raise Unsupported(None, "the table has row problems")
        typed = not table.text_only and set(map(type, chain.from_iterable(table.rows)))
        if typed and typed - {str, type(None)}:
            raise Unsupported(None, "typed cells (not text)")
        try:
            return pl.DataFrame(
                table.rows,
                schema={f"c{i}": pl.String for i in range(len(table.columns))},
                orient="row",
            )
        except (TypeError, ValueError, pl.exceptions.PolarsError):
            raise Unsupported(None, "cells that are not text") from None

    def frame(self) -> pl.DataFrame:
        """One row per record: text, flags, instants (naive UTC) and the policy's fields."""
        program = self.program
        cols = column_index(self.records.columns, program)
        if "customer" not in cols or "state" not in cols:
            raise Unsupported(None, "no customer or state column")
        if program.formats:
            raise Unsupported(None, "a column's date format named in the policy")
        kinds = {n: "text" for n in ("customer", "owner", "state", "pending_owner")}
        kinds["state_since"] = "instant"
        sources = {n: n for n in kinds}
        for code in self.codes:
            kinds[f"flag_{code}"], sources[f"flag_{code}"] = "flag", code
            kinds[f"at_{code}"], sources[f"at_{code}"] = "instant", f"{code}_at"
        for name, kind in program.field_types.items():
            if name not in kinds and name in cols:
                if kind not in ("number", "date", "datetime", "string"):
                    raise Unsupported(None, f"a {kind} field")
                kinds[name] = "instant" if kind in ("date", "datetime") else kind
                sources[name] = name
        raw = self.raw()
        texts = raw.select(
            clean(pl.col(f"c{cols[source]}")).alias(name)
            if source in cols
            else pl.lit(None, dtype=pl.String).alias(name)
            for name, source in sources.items()
        )
        instants = [n for n, k in kinds.items() if k == "instant"]
        lengths = shapes(texts, instants)
        frame = texts.select(
            self.read(pl.col(name), kind, lengths.get(name, set())).alias(name)
            for name, kind in kinds.items()
        )
        frame = self.to_utc(frame, instants)
        self.check_read(texts, frame, sources)
        return frame

    def read(self, cell: pl.Expr, kind: str, lengths: set[int]) -> pl.Expr:
        """A value from its text cell (null where it cannot be read)."""
        if kind == "flag":
            return (
                pl.when(cell.is_null() | (cell == "0"))
                .then(0)
                .when(cell == "1")
                .then(1)
                .otherwise(None)
                .cast(pl.Int8)
            )
        if kind == "instant":
            return self.instant(cell, lengths)
        if kind == "number":
            number = cell.cast(pl.Float64, strict=False)
            # NaN and infinities sort and compare unlike the row engine: leave them unread
            return pl.when(number.is_finite()).then(number)
        return cell

    def instant(self, cell: pl.Expr, lengths: set[int]) -> pl.Expr:
        """A date or date-time text as a struct of its local time (`local`, naive) or, for a
        text with an offset, its UTC time (`utc`, naive); see `instant_parts`."""
        local, utc = instant_parts(cell, lengths)
        nothing = pl.lit(None, dtype=pl.Datetime("us"))
        return pl.struct(
            local=nothing if local is None else local, utc=nothing if utc is None else utc
        )

    def to_utc(self, frame: pl.DataFrame, instants: list[str]) -> pl.DataFrame:
        """The instant columns as naive UTC: local times shifted by the zone's offset when it
        is the same on every day the column names (else converted by polars' zone rules, a
        time in a daylight-saving gap left unread)."""
        zone = getattr(self.program.tz, "key", None)
        if zone is None:
            raise Unsupported(None, "a timezone without an IANA name")
        local = [pl.col(n).struct.field("local") for n in instants]
        low, high = frame.select(
            pl.min_horizontal(c.min() for c in local).alias("low"),
            pl.max_horizontal(c.max() for c in local).alias("high"),
        ).row(0)
        if low is not None and high is not None:
            self.offset = fixed_offset(self.program.tz, low.date(), high.date())

        def convert(name: str) -> pl.Expr:
            naive = pl.col(name).struct.field("local")
            if self.offset is not None:
                utc = naive - pl.lit(self.offset)
            else:
                aware = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
                utc = aware.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            return pl.coalesce(utc, pl.col(name).struct.field("utc")).alias(name)

        return frame.with_columns(convert(n) for n in instants)

    def check_read(self, texts: pl.DataFrame, frame: pl.DataFrame, sources: dict[str, str]) -> None:
        """Every non-blank cell was read, every customer is known once, every state exists."""
        both = pl.concat([texts.rename(lambda n: f"text:{n}"), frame], how="horizontal")
        lost = both.select(
            (pl.col(f"text:{n}").is_not_null() & pl.col(n).is_null()).any().alias(n)
            for n in frame.columns
        ).row(0, named=True)
        for name, missed in lost.items():
            if missed:
                raise Unsupported(None, f"cells of `{sources[name]}` it cannot read")
        if frame["customer"].null_count() or frame["customer"].is_duplicated().any():
            raise Unsupported(None, "blank or repeated customers")
        if not frame["state"].is_in(self.program.states).all():
            raise Unsupported(None, "unknown states")


def fixed_offset(tz: tzinfo, first: date, last: date) -> timedelta | None:
    """The zone's UTC offset if it is the same at every midnight from the day before `first`
    to the day after `last`, else None. Zones change offset at most a few times a year and
    never back within a day, so local times on those days all have that offset (no gap, no
    fold). None also for ranges over 150 years (not worth the check)."""
    if (last - first).days > 150 * 366:
        return None
    day = datetime.combine(first, datetime.min.time()) - timedelta(days=1)
    offset = tz.utcoffset(day)
    stop = datetime.combine(last, datetime.min.time()) + timedelta(days=1)
    while day < stop:
        day += timedelta(days=1)
        if tz.utcoffset(day) != offset:
            return None
    return offset
