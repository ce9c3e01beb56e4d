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
from rulekit.engine.events import column_map
from rulekit.engine.people import People
from rulekit.engine.program import Program, build
from rulekit.engine.result import NO_STAGE, CustomerRow, RepRow, Result
from rulekit.lang import Condition, ast
from rulekit.lang.checker import check
from rulekit.lang.polars_backend import Unsupported, children, compile_expr
from rulekit.names import scope_for
from rulekit.tables import Table

_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?)?$"
_TIME_NAMES = frozenset({"days_in_state", "days_in_stage", "now"})
_TIME_FUNCTIONS = frozenset({"now", "today", "days_since", "hours_since"})
_STAGE_ATTRS = ("code", "name", "title", "capability", "index")
_TARGETS = ("count", "reach", "days", "cost")


class NotColumnar(Exception):
    """The snapshot or the policy needs the row engine; `reason` says why."""


def run_columnar(policy: CompiledPolicy, records: Table, as_of: datetime, people: People) -> Result:
    """Evaluate `records` at `as_of` with polars; raise NotColumnar to fall back."""
    try:
        return _Run(policy, records, as_of, people).result()
    except Unsupported as exc:
        raise NotColumnar(exc.reason) from None


class _Run:
    def __init__(
        self, policy: CompiledPolicy, records: Table, as_of: datetime, people: People
    ) -> None:
        self.policy = policy
        self.program: Program = build(policy)
        self.records = records
        self.now = as_of
        self.now_utc = as_of.astimezone(UTC).replace(tzinfo=None)
        self.people = people
        self.scope = scope_for(policy.model)
        self.codes = [s.code for s in self.program.stages]

    # -- reading ------------------------------------------------------------------------
    def frame(self) -> pl.DataFrame:
        table, program = self.records, self.program
        if table.problems:
            raise Unsupported(None, "the table has row problems")
        cols = column_map(table, program)
        if "customer" not in cols or "state" not in cols:
            raise Unsupported(None, "no customer or state column")
        for row in table.rows:
            if any(cell is not None and type(cell) is not str for cell in row):
                raise Unsupported(None, "typed cells (not text)")
        try:
            raw = pl.DataFrame(
                table.rows,
                schema={f"c{i}": pl.String for i in range(len(table.columns))},
                orient="row",
            )
        except (TypeError, ValueError, pl.exceptions.PolarsError):
            raise Unsupported(None, "cells that are not text") from None

        def text(name: str) -> pl.Expr:
            i = cols.get(name)
            if i is None:
                return pl.lit(None, dtype=pl.String)
            cell = pl.col(f"c{i}").cast(pl.String).str.strip_chars()
            return pl.when(cell == "").then(None).otherwise(cell)

        out: dict[str, pl.Expr] = {
            "customer": text("customer"),
            "owner": text("owner"),
            "state": text("state"),
            "pending_owner": text("pending_owner"),
            "state_since": self.instant(text("state_since")),
        }
        for code in self.codes:
            flag = text(code)
            out[f"flag_{code}"] = (
                pl.when(flag.is_null() | (flag == "0"))
                .then(0)
                .when(flag == "1")
                .then(1)
                .otherwise(None)
                .cast(pl.Int8)
            )
            out[f"at_{code}"] = self.instant(text(f"{code}_at"))
        for name, kind in program.field_types.items():
            if name in out or name not in cols:
                continue
            cell = text(name)
            if kind == "number":
                number = cell.cast(pl.Float64, strict=False)
                # NaN and infinities sort and compare unlike the row engine: leave them unread
                out[name] = pl.when(number.is_finite()).then(number)
            elif kind in ("date", "datetime"):
                out[name] = self.instant(cell)
            elif kind == "string":
                out[name] = cell
            else:
                raise Unsupported(None, f"a {kind} field")
        frame = raw.select(**{k: v for k, v in out.items()})
        self.check_read(raw, frame, cols, text)
        return frame

    def instant(self, cell: pl.Expr) -> pl.Expr:
        # only the shapes the row engine reads the same way; anything else is left unread,
        # which `check_read` turns into a fall-back to the row engine
        cell = pl.when(cell.str.contains(_ISO)).then(cell)
        parsed = pl.coalesce(
            [cell.str.strptime(pl.Datetime("us"), f, strict=False) for f in _FORMATS]
            + [cell.str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Datetime("us"))]
        )
        zone = getattr(self.program.tz, "key", None)
        if zone is None:
            raise Unsupported(None, "a timezone without an IANA name")
        local = parsed.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
        with_offset = pl.coalesce(
            [
                cell.str.strptime(pl.Datetime("us", "UTC"), f, strict=False)
                for f in ("%Y-%m-%dT%H:%M:%S%:z", "%Y-%m-%d %H:%M:%S%:z")
            ]
        )
        utc = pl.coalesce(local.dt.convert_time_zone("UTC"), with_offset)
        return utc.dt.replace_time_zone(None)

    def check_read(
        self, raw: pl.DataFrame, frame: pl.DataFrame, cols: dict[str, int], text: Any
    ) -> None:
        """Every non-blank cell was read, every customer is known once, every state exists."""
        for name in frame.columns:
            source = name.split("_", 1)[1] + "_at" if name.startswith("at_") else name
            source = source.removeprefix("flag_")
            if source not in cols:
                continue
            cells = raw.select(text(source).alias("t"))["t"]
            lost = (cells.is_not_null() & frame[name].is_null()).any()
            if lost:
                raise Unsupported(None, f"cells of `{source}` it cannot read")
        if frame["customer"].null_count() or frame["customer"].is_duplicated().any():
            raise Unsupported(None, "blank or repeated customers")
        if not frame["state"].is_in(self.program.states).all():
            raise Unsupported(None, "unknown states")

    # -- names ----------------------------------------------------------------------------
    def names(self, frame: pl.DataFrame) -> dict[str, pl.Expr]:
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
        for i, date in enumerate(dates, start=1):
            stage_date = pl.when(run == i).then(date).otherwise(stage_date)
        stage_since = pl.coalesce(stage_date, pl.col("state_since"))
        days = (pl.lit(self.now_utc) - stage_since).dt.total_microseconds() // 86_400_000_000
        days_state = (
            pl.lit(self.now_utc) - pl.col("state_since")
        ).dt.total_microseconds() // 86_400_000_000
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
            "days_in_state": days_state,
        }
        for name in program.field_types:
            if name in frame.columns and name not in columns:
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
        info, problems = check(condition.node, self.scope, None)
        if problems:
            raise Unsupported(condition.node, "the condition does not check on its own")
        return compile_expr(
            condition.node, info, columns, now=self.now, tz=self.program.tz, as_bool=as_bool
        )

    def timeless(self, condition: Condition | None, what: str) -> None:
        """Refuse a condition whose value depends on the instant it is evaluated at: the row
        engine evaluates it at each timer's due instant, this engine only at as-of."""
        if condition is None:
            return
        if condition.names & _TIME_NAMES or _calls(condition.node) & _TIME_FUNCTIONS:
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
        program = self.program
        if program.holds_slot is not None and program.timers_from:
            self.timeless(program.holds_slot.condition, "quota.holds_slot")
        frame, fired = self.fire_timers(self.frame())
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
        frame = frame.with_columns(**select)
        frame = self.rank(frame)
        return self.build(frame, fired)

    def selects(self, selector: Any, columns: dict[str, pl.Expr]) -> pl.Expr:
        if selector is None:
            return pl.lit(False)
        return self.expr(selector.condition, columns, as_bool=True)

    def rank(self, frame: pl.DataFrame) -> pl.DataFrame:
        order = self.program.rank_order
        if "ranked" not in frame.columns:
            return frame.with_columns(priority=pl.lit(None, dtype=pl.Int64))
        keys = [f"_k{i}" for i in range(len(order))] + ["customer"]
        ranked = (
            frame.filter(pl.col("ranked"))
            .sort(keys, descending=[k.descending for k in order] + [False], nulls_last=True)
            .with_columns(priority=pl.int_range(1, pl.len() + 1).over("owner"))
            .select("customer", "priority")
        )
        return frame.join(ranked, on="customer", how="left", maintain_order="left")

    def build(self, frame: pl.DataFrame, fired: int) -> Result:
        program, codes = self.program, self.codes
        fields = [n for n in program.field_types if n in frame.columns]
        used: Counter[str] = Counter()
        signings: dict[str, float] = {}
        funnel: defaultdict[str, Counter[str]] = defaultdict(Counter)
        rows: list[CustomerRow] = []
        instants = [n for n, t in frame.schema.items() if isinstance(t, pl.Datetime)]
        frame = frame.with_columns(pl.col(n).dt.replace_time_zone("UTC") for n in instants)
        names = frame.columns
        for values in frame.iter_rows():
            r = dict(zip(names, values, strict=True))
            owner, pending = r["owner"], r["pending_owner"]
            if r["holds"]:
                used[owner] += 1
            if pending is not None:
                used[pending] += 1
            stage = codes[r["stage_index"] - 1] if r["stage_index"] else None
            if owner is not None:
                funnel[owner][stage or NO_STAGE] += 1
                f = r.get("forecast")
                if isinstance(f, int | float):
                    signings[owner] = signings.get(owner, 0.0) + f
            overdue = r.get("overdue")
            fields_now = {n: r[n] for n in fields if r[n] is not None}
            defaults = program.field_defaults
            rows.append(
                CustomerRow(
                    customer=r["customer"],
                    state=r["state"],
                    owner=owner,
                    pending_owner=pending,
                    flags={c: r[f"flag_{c}"] for c in codes},
                    dates={c: r[f"at_{c}"] for c in codes},
                    stage=stage,
                    state_since=r["state_since"],
                    lapses=_number(fields_now.get("lapses", defaults.get("lapses", 0))),
                    renewals=_number(fields_now.get("renewals", defaults.get("renewals", 0))),
                    holds_slot=bool(r["holds"]) or pending is not None,
                    priority=r.get("priority"),
                    overdue_days=max(0, int(overdue)) if isinstance(overdue, int | float) else None,
                    due=(r["_to"], r["_due"]) if r["_due"] is not None else None,
                    violations=["stage_skipped"] if r["gap"] else [],
                    fields=fields_now,
                )
            )
        rows.sort(key=lambda c: c.customer)
        reps = self.reps(used, signings, funnel, rows)
        return Result(
            "run", program.policy.id, program.policy.version, self.now, program.tz,
            rows, reps, [], 0, 0, fired,
        )  # fmt: skip

    def reps(
        self,
        used: Counter[str],
        signings: dict[str, float],
        funnel: dict[str, Counter[str]],
        rows: list[CustomerRow],
    ) -> list[RepRow]:
        names = set(self.people.reps())
        for c in rows:
            names.update(n for n in (c.owner, c.pending_owner) if n is not None)
        labels = [NO_STAGE, *self.codes]
        out = []
        for name in sorted(names):
            limit = self.program.limit_for(self.people.team(name))
            row = RepRow(name, used.get(name, 0), limit)
            row.expected_signings = round(signings.get(name, 0.0), 6)
            tally = funnel.get(name, Counter())
            row.funnel = {label: tally.get(label, 0) for label in labels}
            if limit is not None and row.slots_used > limit:
                row.violations.append("over_quota")
            out.append(row)
        return out


def _calls(node: Any) -> set[str]:
    """The names of the functions a condition tree calls."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call):
            found.add(item.func)
        stack.extend(children(item))
    return found


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
