"""The names a condition reads, as polars expressions over a frame of customers.

A frame of customers has `customer`, `state`, `owner`, `pending_owner`, `state_since`,
`flag_<code>` and `at_<code>` per stage, and the policy's fields by name (instants naive UTC):
the columnar engine reads a snapshot into one (`SnapshotReader`), the replay's alerts make
one from the row engine's customers (`world_alerts`). `Columns.names` maps every name and
dotted path the polars backend may compile (`days_in_stage`, `next_stage.target.days`) to
an expression over those columns; `Columns.expr` compiles a condition against them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import polars as pl

from rulekit.engine.core.program import Program
from rulekit.lang import Condition
from rulekit.lang.checker import check
from rulekit.lang.polars_backend import Unsupported, compile_expr
from rulekit.names import scope_for

_STAGE_ATTRS = ("code", "name", "title", "capability", "index")
_TARGETS = ("count", "reach", "days", "cost")
_DAY_US = 86_400_000_000


class Columns:
    """The expressions of the names of `program`'s conditions at the instant `now`."""

    def __init__(self, program: Program, now: datetime) -> None:
        self.program = program
        self.now = now
        self.now_utc = now.astimezone(UTC).replace(tzinfo=None)
        self.scope = scope_for(program.policy.model)
        self.codes = [s.code for s in program.stages]

    def names(self, present: Collection[str]) -> dict[str, pl.Expr]:
        """Every name the backend may read, for a frame whose columns are `present` (a
        field is a name only where its column is)."""
        program, codes = self.program, self.codes
        flags = [pl.col(f"flag_{c}") for c in codes]
        run = pl.lit(0, dtype=pl.Int64)
        for flag in reversed(flags):  # length of the unbroken run of 1s from the first stage
            run = pl.when(flag == 1).then(run + 1).otherwise(0)
        stage_index = pl.when(run > 0).then(run).otherwise(None)
        state_stage = pl.col("state").replace_strict(
            {c: i for i, c in enumerate(codes, start=1)}, default=None, return_dtype=pl.Int64
        )
        dates = [pl.col(f"at_{c}") for c in codes]
        stage_date = pl.lit(None, dtype=pl.Datetime("us"))
        for i, at in enumerate(dates, start=1):
            stage_date = pl.when(run == i).then(at).otherwise(stage_date)
        stage_since = pl.coalesce(stage_date, pl.col("state_since"))
        days = (pl.lit(self.now_utc) - stage_since).dt.total_microseconds() // _DAY_US
        days_state = (pl.lit(self.now_utc) - pl.col("state_since")).dt.total_microseconds()
        columns: dict[str, pl.Expr] = {
            "customer": pl.col("customer"),
            "state": pl.col("state"),
            "owner": pl.col("owner"),
            "pending_owner": pl.col("pending_owner"),
            "pending": pl.col("pending_owner").is_not_null()
            & pl.col("state").is_in(sorted(self.program.approval_from)),
            "state_since": pl.col("state_since"),
            "stage_index": stage_index,
            "stage": stage_index.replace_strict(
                {i: c for i, c in enumerate(codes, start=1)}, default=None, return_dtype=pl.String
            ),
            "stage_since": stage_since,
            "days_in_stage": days,
            "days_in_state": days_state // _DAY_US,
        }
        for name, value in program.params.items():  # plain parameters are constants
            if isinstance(value, bool | int | float | str):
                columns[f"params.{name}"] = pl.lit(value)
        for name in program.field_types:
            if name in present and name not in columns:
                default = program.field_defaults.get(name)
                col = pl.col(name)
                columns[name] = col.fill_null(default) if default is not None else col
        objects = {
            "this_stage": stage_index,
            "next_stage": pl.coalesce(stage_index, pl.lit(0)) + 1,
            "first_stage": pl.lit(1),
            "last_stage": pl.lit(len(codes)),
            "stage_of_state": state_stage,
            "stage_after_state": pl.coalesce(state_stage, pl.lit(0)) + 1,
        }
        for obj, index in objects.items():
            columns.update(self.stage_paths(obj, index, flags, dates))
        for code, i in zip(codes, range(1, len(codes) + 1), strict=True):
            columns.update(self.stage_paths(f"stages.{code}", pl.lit(i), flags, dates))
        return columns

    def stage_paths(
        self, obj: str, index: pl.Expr, flags: list[pl.Expr], dates: list[pl.Expr]
    ) -> dict[str, pl.Expr]:
        stages = self.program.stages
        out: dict[str, pl.Expr] = {}
        for attr in _STAGE_ATTRS:
            values = {s.index: getattr(s, attr) for s in stages}
            out[f"{obj}.{attr}"] = index.replace_strict(values, default=None)
        for attr in _TARGETS:
            values = {s.index: getattr(s.target, attr) for s in stages}
            out[f"{obj}.target.{attr}"] = index.replace_strict(
                values, default=None, return_dtype=pl.Float64
            )
        flag = pl.lit(None, dtype=pl.Int8)
        date = pl.lit(None, dtype=pl.Datetime("us"))
        for i, (f, d) in enumerate(zip(flags, dates, strict=True), start=1):
            flag = pl.when(index == i).then(f).otherwise(flag)
            date = pl.when(index == i).then(d).otherwise(date)
        out[f"{obj}.flag"] = flag
        out[f"{obj}.at"] = date
        return out

    def expr(self, condition: Condition, columns: dict[str, pl.Expr], as_bool: bool) -> pl.Expr:
        """`condition` compiled over `columns` (raises `Unsupported`)."""
        info, problems = check(condition.node, self.scope, None)
        if problems:
            raise Unsupported(condition.node, "the condition does not check on its own")
        return compile_expr(
            condition.node, info, columns, now=self.now, tz=self.program.tz, as_bool=as_bool
        )
