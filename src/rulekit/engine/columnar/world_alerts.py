"""The alerts of a row-engine result (a replay) counted with polars, for the text report.

Which customers a rule's alert fires for is what its `when` gives over a frame of the world's
customers at as-of, compiled as the columnar engine compiles `run`'s conditions (`Columns`).
The frame holds only the columns the compiled conditions read, made from the customers'
own values: instants as naive UTC, numbers as floats. What a column could not hold exactly
as the row engine reads it — a rule the polars backend refuses (an event, a previous owner,
a function it does not compile), a field of another type, an instant without a zone, a
field default that is not a plain value — makes `stubs` evaluate every customer one by one
with the row engine instead (`firing`, as before). The messages are always the row
engine's: the result keeps its world.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import chain
from typing import Any

import polars as pl

from rulekit.engine.columnar.alerts import NotColumnar
from rulekit.engine.columnar.names import Columns
from rulekit.engine.core.alerts import Stubs, firing, message
from rulekit.engine.core.rules import Alert
from rulekit.engine.input.record_frame import fixed_offset
from rulekit.engine.replay.world import World
from rulekit.engine.result.customer_states import CustomerStates
from rulekit.lang.polars_backend import Unsupported

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TEXT = ("customer", "state", "owner", "pending_owner")
_MAX_EXACT = 2**53  # the largest integer a float holds exactly


class WorldAlerts:
    """The `AlertSource` of a row-engine result (see the module's docstring); `columnar`
    says, once `stubs` has run, whether polars counted them."""

    def __init__(self, world: World, states: CustomerStates, as_of: datetime) -> None:
        self.world = world
        self.states = states  # the result's customers, in customer order
        self.as_of = as_of
        self.columnar: bool | None = None

    def stubs(self) -> Stubs:
        """Every alert, in the row engine's order (customer, then rule), messages empty."""
        program = self.world.program
        try:
            found = self._counted()
        except NotColumnar:
            self.columnar = False
            return firing(program, program.rules, self.world.customers, self.as_of)
        self.columnar = True
        return found

    def messages(self, found: list[Alert]) -> list[str]:
        """The messages of some of `stubs`, rendered by the row engine."""
        program, customers = self.world.program, self.world.customers
        rules = {r.name: r for r in program.rules}
        return [
            a.message
            if a.customer is None or a.message
            else message(program, rules[a.rule], customers[a.customer], self.as_of)
            for a in found
        ]

    def _counted(self) -> Stubs:
        program = self.world.program
        rules = [r for r in program.rules if r.alert is not None and r.when is not None]
        out = Stubs()
        if not rules:
            return out
        names = Columns(program, self.as_of)
        fields = _plain_fields(program.field_types, program.field_defaults)
        present = {*_TEXT, "pending", "state_since", *fields}
        present |= {f"{p}_{c}" for p in ("flag", "at") for c in names.codes}
        columns = names.names(present)
        columns["pending"] = pl.col("pending")  # a replay's pending claim is its own
        try:
            tests = [names.expr(r.when, columns, as_bool=True) for r in rules]  # type: ignore[arg-type]
        except Unsupported as exc:
            raise NotColumnar(exc.reason) from None
        frame = _Frame(self.states, self.world, fields).of(
            {n for t in tests for n in t.meta.root_names()}
        )
        hit = frame.select("_i", *(t.alias(f"_r{k}") for k, t in enumerate(tests)))
        found = pl.concat(
            hit.filter(f"_r{k}").select("_i", _rule=pl.lit(k, dtype=pl.Int32))
            for k in range(len(rules))
        ).sort("_i", "_rule")
        if found.height:
            index = found.get_column("_rule").to_list()
            ids = self.states.column("customer")
            out.customer = list(map(ids.__getitem__, found.get_column("_i").to_list()))
            out.rule = list(map([r.name for r in rules].__getitem__, index))
            out.level = list(map([r.alert or "" for r in rules].__getitem__, index))
            out.group = [None] * found.height
            out.message = [""] * found.height
        return out


def _plain_fields(types: dict[str, str], defaults: dict[str, Any]) -> dict[str, str]:
    """The fields a column can hold (numbers, text, instants), by name: kind; a default
    that is not a plain number or text leaves its field out (the row engine evaluates)."""
    out = {}
    for name, kind in types.items():
        default = defaults.get(name)
        if kind == "number" and (default is None or _exact_number(default)):
            out[name] = kind
        elif kind == "string" and (default is None or isinstance(default, str)):
            out[name] = kind
        elif kind in ("date", "datetime") and default is None:
            out[name] = "instant"
    return out


class _Frame:
    """The columns of a result's customers, made as they are asked for."""

    def __init__(self, states: CustomerStates, world: World, fields: dict[str, str]) -> None:
        self.states = states
        self.world = world
        self.fields = fields
        self._stages: dict[str, pl.Series] | None = None

    def of(self, names: Iterable[str]) -> pl.DataFrame:
        """A frame of these columns and `_i`, each customer's place."""
        data = {"_i": pl.int_range(0, len(self.states), dtype=pl.Int64, eager=True)}
        try:
            for name in sorted(names):
                data[name] = self.column(name)
        except (TypeError, AttributeError, ValueError, OverflowError, pl.exceptions.PolarsError):
            raise NotColumnar("values a column cannot hold as the row engine does") from None
        return pl.DataFrame(data)

    def column(self, name: str) -> pl.Series:
        states = self.states
        if name in _TEXT:
            return pl.Series(name, states.column(name), dtype=pl.String, strict=True)
        if name == "pending":
            customers = self.world.customers
            pending = [customers[c].pending is not None for c in states.column("customer")]
            return pl.Series(name, pending, dtype=pl.Boolean)
        if name in self.fields:
            return self.field(name)
        if self._stages is None:
            self._stages = self.stages()
        return self._stages[name]

    def stages(self) -> dict[str, pl.Series]:
        """`state_since`, and `flag_<code>` and `at_<code>` of every stage (the instants read
        at once: one look at the zone's offsets)."""
        states, codes = self.states, self.states.codes
        index, sets = states.flag_sets()
        if any(v.__class__ is not int for values in sets for v in values):
            raise TypeError("a stage flag that is not an integer")
        place = pl.Series(index, dtype=pl.Int64)
        since = states.column("state_since")
        instants = _instants("at", [*since, *chain.from_iterable(states.stage_dates())], states.tz)
        out = {"state_since": instants.head(len(since)).alias("state_since")}
        dates = instants.slice(len(since))
        for k, code in enumerate(codes):
            flags = pl.Series(f"flag_{code}", [values[k] for values in sets], dtype=pl.Int8)
            out[f"flag_{code}"] = flags.gather(place)
            out[f"at_{code}"] = dates.gather_every(len(codes), offset=k).alias(f"at_{code}")
        return out

    def field(self, name: str) -> pl.Series:
        kind = self.fields[name]
        values = self.states.field(name)
        if kind == "instant":
            return _instants(name, values, self.states.tz)
        if kind == "number":
            if not all(v is None or _exact_number(v) for v in values):
                raise TypeError(f"`{name}` holds other values than numbers")
            return pl.Series(name, values, dtype=pl.Float64, strict=True)
        if not all(v is None or isinstance(v, str) for v in values):
            raise TypeError(f"`{name}` holds other values than text")
        return pl.Series(name, values, dtype=pl.String, strict=True)


def _exact_number(value: Any) -> bool:
    """A number a float column holds as the row engine compares it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= _MAX_EXACT


def _instants(name: str, values: list[Any], tz: tzinfo) -> pl.Series:
    """Aware instants as naive UTC (a naive one, or a date, raises TypeError).

    Instants in `tz` (all of a replay's) are read as their wall-clock time, which skips the
    zone's rules (a subtraction of two datetimes of one tzinfo is the naive one, twice as
    fast), then moved by the zone's offset when it is the same over all of them (as
    `SnapshotReader` reads a snapshot's); any other instant, or a zone whose offset changes
    over them, is read with the zone's rules, one by one."""
    base = datetime(1970, 1, 1, tzinfo=tz)
    try:
        wall = [None if v is None else (v - base) // _MICROSECOND if v.tzinfo is tz else _other()
                for v in values]  # fmt: skip
    except _OtherZone:
        wall = None
    if wall is not None:
        local = pl.Series(name, wall, dtype=pl.Int64, strict=True).cast(pl.Datetime("us"))
        low, high = local.min(), local.max()
        offset = None
        if isinstance(low, datetime) and isinstance(high, datetime):
            offset = fixed_offset(tz, low.date(), high.date())
        if offset is not None or low is None:
            return local - (offset or timedelta(0))
    micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
    return pl.Series(name, micros, dtype=pl.Int64, strict=True).cast(pl.Datetime("us"))


class _OtherZone(Exception):
    """An instant in another zone than the policy's."""


def _other() -> int:
    raise _OtherZone
