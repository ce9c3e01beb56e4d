"""The columnar engine: `run` evaluated with polars over the whole snapshot at once.

The policy's conditions are compiled by `rulekit.lang.polars_backend`; the timers fire as a
vectorised fixed point; ranks come from one sort and a window over owners. Whatever it cannot
do exactly as the row engine does — a cell it cannot read, a condition the backend refuses, a
calendar-month timer, a timer with a `when` — raises `Unsupported`, and the caller falls back
to the row engine. The results are the row engine's `Result`, value for value.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import polars as pl

from rulekit.compiler import CompiledPolicy
from rulekit.engine.columnar.alerts import FrameAlerts, NotColumnar, calls
from rulekit.engine.columnar.names import Columns
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program, build
from rulekit.engine.input.record_frame import SnapshotReader
from rulekit.engine.replay.refusals import Refusals
from rulekit.engine.result.customer_frame import CustomerFrame
from rulekit.engine.result.result import NO_STAGE, Result
from rulekit.engine.result.rows import RepRow, run_rep
from rulekit.lang import Condition, ast
from rulekit.lang.polars_backend import Unsupported
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame

_TIME_NAMES = frozenset({"days_in_state", "days_in_stage", "now"})
_TIME_FUNCTIONS = frozenset({"now", "today", "days_since", "hours_since"})


def run_columnar(
    policy: CompiledPolicy, records: Table | TextFrame, as_of: datetime, people: People
) -> Result:
    """Evaluate `records` at `as_of` with polars; raise NotColumnar to fall back."""
    model = policy.model
    if model.quotas or model.metrics:
        raise NotColumnar("named quotas and metrics are computed by the row engine")
    try:
        return _Run(policy, records, as_of, people).result()
    except Unsupported as exc:
        raise NotColumnar(exc.reason) from None


class _Run:
    def __init__(
        self, policy: CompiledPolicy, records: Table | TextFrame, as_of: datetime, people: People
    ) -> None:
        self.policy = policy
        self.program: Program = build(policy)
        self.records = records
        self.now = as_of
        self.now_utc = as_of.astimezone(UTC).replace(tzinfo=None)
        self.people = people
        self.columns = Columns(self.program, as_of)
        self.codes = self.columns.codes

    # -- names ----------------------------------------------------------------------------
    def names(self, frame: pl.DataFrame) -> dict[str, pl.Expr]:
        return self.columns.names(frame.columns)

    def expr(self, condition: Condition, columns: dict[str, pl.Expr], as_bool: bool) -> pl.Expr:
        return self.columns.expr(condition, columns, as_bool)

    def timeless(self, condition: Condition | None, what: str) -> None:
        """Refuse a condition whose value depends on the instant it is evaluated at: the row
        engine evaluates it at each timer's due instant, this engine only at as-of."""
        if condition is None:
            return
        if condition.names & _TIME_NAMES or calls(condition.node) & _TIME_FUNCTIONS:
            raise Unsupported(condition.node, f"{what} depends on the time it is evaluated")

    # -- timers ---------------------------------------------------------------------------
    def fire_timers(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        program = self.program
        moves = {}
        for state, timers in program.timers_from.items():
            move = timers[0]
            if move.when is not None or move.after is None or move.after.months:
                raise Unsupported(None, "a timer with a condition or in months")
            moves[state] = move
        fired = 0
        for _ in range(len(moves) * 4 + 4):
            due = pl.lit(None, dtype=pl.Datetime("us"))
            target = pl.lit(None, dtype=pl.String)
            for state, move in moves.items():
                assert move.after is not None
                if move.choose is not None:
                    raise Unsupported(None, "a timer whose target depends on the customer")
                when = pl.col("state") == state
                due = (
                    pl.when(when)
                    .then(
                        pl.col("state_since")
                        + pl.duration(microseconds=int(move.after.seconds * 1e6))
                    )
                    .otherwise(due)
                )
                target = pl.when(when).then(pl.lit(move.target or state)).otherwise(target)
            frame = frame.with_columns(
                _due=due, _to=target, _fires=(due <= pl.lit(self.now_utc)).fill_null(False)
            )
            n = int(frame["_fires"].sum())
            if not n:
                break
            fired += n
            columns = self.names(frame)
            updates: dict[str, pl.Expr] = {}
            for state, move in moves.items():
                for name, value in move.sets:
                    if isinstance(value, Condition):
                        self.timeless(value, f"timer `{move.name}`'s `set`")
                    if name in ("owner", "pending_owner") or not isinstance(value, Condition):
                        raise Unsupported(None, "a timer setting an owner or a constant")
                    new = self.expr(value, columns, as_bool=False)
                    hit = pl.col("_fires") & (pl.col("state") == state)
                    base = updates.get(name, pl.col(name) if name in frame.columns else None)
                    if base is None:
                        raise Unsupported(None, f"a timer setting `{name}`")
                    updates[name] = pl.when(hit).then(new).otherwise(base)
            frame = frame.with_columns(**updates).with_columns(
                state=pl.when(pl.col("_fires")).then(pl.col("_to")).otherwise(pl.col("state")),
                state_since=pl.when(pl.col("_fires"))
                .then(pl.col("_due"))
                .otherwise(pl.col("state_since")),
            )
        else:
            raise Unsupported(None, "timers that do not settle")
        frame = frame.with_columns(_due=due, _to=target)  # the next timer of each customer
        return frame, fired

    # -- results --------------------------------------------------------------------------
    def result(self) -> Result:
        """The steps, in order (benchmarks/profile_columnar.py times each one)."""
        frame, fired = self.fire_timers(SnapshotReader(self.program, self.records).frame())
        return self.build(self.rank(self.measure(frame)), fired)

    def measure(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The stage, gap, slot, overdue and forecast of each customer, and its rank keys."""
        program = self.program
        if program.holds_slot is not None and program.timers_from:
            self.timeless(program.holds_slot.condition, "quota.holds_slot")
        columns = self.names(frame)
        select: dict[str, pl.Expr] = {
            "stage_index": columns["stage_index"],
            "gap": pl.sum_horizontal([pl.col(f"flag_{c}") for c in self.codes])
            > pl.coalesce(columns["stage_index"], pl.lit(0)),
            "holds": self.selects(program.holds_slot, columns) & pl.col("owner").is_not_null(),
        }
        if program.overdue is not None:
            among, value = program.overdue
            select["overdue"] = pl.when(self.selects(among, columns)).then(
                self.expr(value, columns, as_bool=False)
            )
        if program.forecast is not None:
            among, value = program.forecast
            select["forecast"] = pl.when(self.selects(among, columns)).then(
                self.expr(value, columns, as_bool=False)
            )
        if program.rank_among is not None:
            select["ranked"] = (
                self.selects(program.rank_among, columns) & pl.col("owner").is_not_null()
            )
            for i, key in enumerate(program.rank_order):
                select[f"_k{i}"] = self.expr(key.expression, columns, as_bool=False)
        return frame.with_columns(**select)

    def selects(self, selector: Any, columns: dict[str, pl.Expr]) -> pl.Expr:
        if selector is None:
            return pl.lit(False)
        return self.expr(selector.condition, columns, as_bool=True)

    def rank(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Each ranked customer's place in its owner's pool, by the policy's order keys and
        then the customer id."""
        if "ranked" not in frame.columns:
            return frame.with_columns(priority=pl.lit(None, dtype=pl.Int64))
        keys: list[tuple[str, bool]] = []
        for i, key in enumerate(self.program.rank_order):
            node = key.expression.node
            if isinstance(node, ast.Name) and node.name == "customer" and not key.descending:
                break  # the tie-break below; a unique key leaves nothing for later ones
            keys.append((f"_k{i}", key.descending))
        pool = (
            frame.select("owner", "ranked", "customer", *(k for k, _ in keys))
            .with_row_index("_i")
            .filter(pl.col("ranked"))
        )
        order_by = integer_sort_key(pool, keys) if keys else None
        if order_by is not None:
            pool = pool.with_columns(_key=order_by).sort("_key", "customer")
        else:
            pool = pool.sort(
                [*(k for k, _ in keys), "customer"],
                descending=[*(d for _, d in keys), False],
                nulls_last=True,
            )
        ranked = pool.select("_i", priority=pl.int_range(1, pl.len() + 1).over("owner"))
        empty = pl.repeat(None, frame.height, dtype=pl.Int64, eager=True)
        return frame.with_columns(empty.scatter(ranked["_i"], ranked["priority"]).alias("priority"))

    def build(self, frame: pl.DataFrame, fired: int) -> Result:
        program, codes = self.program, self.codes
        measured = frame
        fields = [n for n in program.field_types if n in frame.columns]
        stage = pl.col("stage_index").replace_strict(
            dict(enumerate(codes, start=1)), default=None, return_dtype=pl.String
        )
        frame = frame.with_columns(
            pl.col(n).dt.replace_time_zone("UTC")
            for n, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        )
        out = frame.select(
            "customer",
            "state",
            "owner",
            "pending_owner",
            *(f"flag_{c}" for c in codes),
            *(f"at_{c}" for c in codes),
            "state_since",
            *(pl.col(n).alias(f"field.{n}") for n in fields),
            stage=stage,
            lapses=self.count(frame, "lapses"),
            renewals=self.count(frame, "renewals"),
            holds_slot=pl.col("holds") | pl.col("pending_owner").is_not_null(),
            priority=pl.col("priority"),
            overdue_days=_whole_days(frame, "overdue"),
            due_to=pl.col("_to"),
            due_at=pl.col("_due"),
            stage_skipped=pl.col("gap").fill_null(False),
            _holds=pl.col("holds").fill_null(False),
            _forecast=_numbers(frame, "forecast"),
        )
        reps = self.reps(out.select("owner", "pending_owner", "stage", "_holds", "_forecast"))
        customers = CustomerFrame(
            out.drop("_holds", "_forecast"), codes, [f"field.{n}" for n in fields], program.tz
        )
        columns = self.names(measured)
        alerts = FrameAlerts(
            program, self.people, self.now, measured,
            lambda when: self.expr(when, columns, as_bool=True), customers,
        )  # fmt: skip
        return Result(
            "run", program.policy.id, program.policy.version, self.now, program.tz,
            reps, Refusals([]), 0, 0, fired, frame=customers,
            program=program, people=self.people, alert_source=alerts,
        )  # fmt: skip

    def count(self, frame: pl.DataFrame, name: str) -> pl.Expr:
        """`lapses` or `renewals`: the field, else its default, else 0 (as the row engine)."""
        default = pl.lit(self.program.field_defaults.get(name, 0))
        return pl.coalesce(pl.col(name), default) if name in frame.columns else default

    def reps(self, out: pl.DataFrame) -> list[RepRow]:
        """Slots used, expected signings and funnel of every rep (people, owners, pending)."""
        used: Counter[str] = Counter()
        # a pending move of the owner's own (a sign awaiting approval) holds one slot, not two
        own = (pl.col("_holds") & (pl.col("owner") == pl.col("pending_owner"))).fill_null(False)
        for column, held in (("owner", pl.col("_holds")), ("pending_owner", ~own)):
            counts = out.filter(held & pl.col(column).is_not_null()).group_by(column).len()
            used.update(dict(counts.iter_rows()))
        funnel: defaultdict[str, Counter[str]] = defaultdict(Counter)
        owned = out.filter(pl.col("owner").is_not_null())
        tallies = owned.group_by("owner", "stage").len()
        for owner, stage, n in tallies.iter_rows():
            funnel[owner][stage or NO_STAGE] += n
        # summed in input order (the frame's), one by one, as the row engine sums them: a
        # running sum is sequential, where polars' `sum` may add in another order
        sums = (
            owned.filter(pl.col("_forecast").is_not_null())
            .group_by("owner")
            .agg(pl.col("_forecast").cast(pl.Float64).cum_sum().last())
        )
        signings: dict[str, float] = dict(sums.iter_rows())
        names = set(self.people.reps())
        for column in ("owner", "pending_owner"):
            names.update(out.get_column(column).drop_nulls().unique().to_list())
        labels = [NO_STAGE, *self.codes]
        limit = self.program.limit_for
        return [
            run_rep(
                name,
                used.get(name, 0),
                limit(self.people.team(name)),
                signings.get(name, 0.0),
                funnel.get(name, {}),
                labels,
            )
            for name in sorted(names)
        ]


def integer_sort_key(pool: pl.DataFrame, keys: list[tuple[str, bool]]) -> pl.Series | None:
    """One integer per row that sorts as the keys do (nulls last), or None if it does not
    fit in 62 bits: sorting one integer column is several times faster than sorting by many
    columns. Each key becomes its dense rank; the ranks are the digits of a mixed radix."""
    key: pl.Series | None = None
    total = 1
    for name, descending in keys:
        rank = pool[name].rank("dense", descending=descending)
        top = int(rank.max() or 0)  # type: ignore[arg-type]
        total *= top + 2
        if total >= 2**62:
            return None
        digit = rank.fill_null(top + 1).cast(pl.Int64)  # nulls last, either direction
        key = digit if key is None else key * (top + 2) + digit
    return key


def _numbers(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A computed column as numbers, null where it is not one (as `isinstance(v, int | float)`
    reads it in the row engine)."""
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    dtype = frame.schema[name]
    if dtype.is_numeric() or dtype == pl.Boolean:
        return pl.col(name).cast(pl.Float64) if dtype == pl.Boolean else pl.col(name)
    return pl.lit(None, dtype=pl.Float64)


def _whole_days(frame: pl.DataFrame, name: str) -> pl.Expr:
    """max(0, int(value)) of a number column, null elsewhere."""
    return _numbers(frame, name).cast(pl.Int64, strict=False).clip(lower_bound=0)


__all__ = ["NotColumnar", "integer_sort_key", "run_columnar"]
