"""The default policy's snapshot evaluation written by hand with polars expressions.

Vectorised: timers, stage, overdue days and forecast are column expressions, the priority is
a sort plus a row number `over("owner")`, the per-rep figures are group-bys. No rulekit
import. Dates are parsed as naive local datetimes (see handwritten.py on why that is exact).

frame(columns, rows) -> pl.DataFrame          (text columns, as a CSV reader gives them)
evaluate(df, as_of) -> (customers, reps)      (two DataFrames)
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

STAGES = ("D", "C", "B", "A", "O")
LABELS = ("new", "D", "C", "B", "A", "O")
PRE_SALE = ("new", "D", "C", "B", "A")
NEXT_TARGET = {"new": 0, "D": 39, "C": 10, "B": 24, "A": 27}
REACH = (1.0, 0.38, 0.28, 0.18, 0.06)
FORECAST = {"new": REACH[4] / REACH[0]} | {s: REACH[4] / REACH[i] for i, s in enumerate(STAGES[:4])}
LIMIT = 50
DAY_US = 86_400_000_000  # microseconds


def frame(columns: list[str], rows: list[list[str]]) -> pl.DataFrame:
    """The rows of text cells as a DataFrame of strings."""
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _instant(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    return pl.coalesce(
        text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False),
        text.str.strptime(pl.Datetime("us"), "%Y-%m-%d", strict=False),
    )


def _blank_to_null(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(name)


def evaluate(df: pl.DataFrame, as_of: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Evaluate a snapshot at `as_of` (a naive local datetime)."""
    asof = pl.lit(as_of, dtype=pl.Datetime("us"))
    ones = [(pl.col(s).str.strip_chars() == "1").fill_null(False) for s in STAGES]
    # stage index: length of the unbroken run of 1s from D
    run = [ones[0]]
    for flag in ones[1:]:
        run.append(run[-1] & flag)
    stage = pl.sum_horizontal(*(r.cast(pl.Int8) for r in run)).alias("stage_index")
    gap = pl.any_horizontal(*(ones[i] & ~ones[i - 1] for i in range(1, 5))).alias("gap")
    base = df.select(
        pl.col("customer").str.strip_chars(),
        _blank_to_null("owner"),
        pl.col("state").str.strip_chars(),
        _blank_to_null("pending_owner"),
        _instant("state_since").alias("since0"),
        pl.col("lapses").str.strip_chars().replace("", None).cast(pl.Int64).fill_null(0),
        *(_instant(f"{s}_at").alias(f"{s}_at") for s in STAGES),
        stage,
        gap,
    )
    deliver, lapse = pl.duration(days=30), pl.duration(days=90)
    signed = pl.col("state").is_in(["OD", "O+"])
    to_r = signed & (pl.col("since0") + deliver <= asof)
    base = base.with_columns(
        pl.when(to_r).then(pl.lit("R")).otherwise(pl.col("state")).alias("state1"),
        pl.when(to_r).then(pl.col("since0") + deliver).otherwise(pl.col("since0")).alias("since1"),
        to_r.fill_null(False).alias("to_r"),
    )
    to_e = ((pl.col("state1") == "R") & (pl.col("since1") + lapse <= asof)).fill_null(False)
    state, since = pl.col("state"), pl.col("state_since")
    out = base.with_columns(
        pl.when(to_e).then(pl.lit("E")).otherwise(pl.col("state1")).alias("state"),
        pl.when(to_e)
        .then(pl.col("since1") + lapse)
        .otherwise(pl.col("since1"))
        .alias("state_since"),
        pl.col("lapses") + to_e.cast(pl.Int64),
        (pl.col("to_r").cast(pl.Int64) + to_e.cast(pl.Int64)).alias("timers"),
    )
    pre = state.is_in(PRE_SALE)
    entered = pl.coalesce(
        pl.when(state == "D")
        .then(pl.col("D_at"))
        .when(state == "C")
        .then(pl.col("C_at"))
        .when(state == "B")
        .then(pl.col("B_at"))
        .when(state == "A")
        .then(pl.col("A_at")),
        since,
    )
    days = (asof - entered).dt.total_microseconds() // DAY_US
    target = state.replace_strict(NEXT_TARGET, default=None, return_dtype=pl.Int64)
    at_stage = pl.coalesce(
        pl.when(pl.col("stage_index") == i + 1).then(pl.col(f"{s}_at"))
        for i, s in enumerate(STAGES)
    )
    out = out.with_columns(
        pl.when(pre).then(pl.max_horizontal(days - target, pl.lit(0))).alias("overdue_days"),
        pl.when(signed).then(pl.lit("R")).when(state == "R").then(pl.lit("E")).alias("due_to"),
        pl.when(signed)
        .then(since + deliver)
        .when(state == "R")
        .then(since + lapse)
        .alias("due_at"),
        ((pl.col("owner").is_not_null() & pre) | pl.col("pending_owner").is_not_null()).alias(
            "holds_slot"
        ),
        pl.when(pre)
        .then(state.replace_strict(FORECAST, default=None, return_dtype=pl.Float64))
        .alias("forecast"),
        pl.coalesce(at_stage, since).alias("stage_since"),
        pl.col("stage_index")
        .replace_strict(dict(enumerate(LABELS)), return_dtype=pl.String)
        .alias("funnel"),
    )
    ranked = (
        out.filter(pre & pl.col("owner").is_not_null())
        .select("customer", "owner", "stage_index", "stage_since")
        .with_columns(
            pl.when(pl.col("stage_index") == 0)
            .then(None)
            .otherwise(pl.col("stage_index"))
            .alias("stage_index")
        )
        .sort(
            ["owner", "stage_index", "stage_since", "customer"],
            descending=[False, True, False, False],
            nulls_last=True,
        )
        .select("customer", pl.int_range(1, pl.len() + 1).over("owner").alias("priority"))
    )
    customers = out.join(ranked, on="customer", how="left", maintain_order="left").select(
        "customer",
        "state",
        pl.when(pl.col("stage_index") > 0).then(pl.col("funnel")).alias("stage"),
        "priority",
        "overdue_days",
        pl.when(pl.col("gap"))
        .then(pl.lit(["stage_skipped"]))
        .otherwise(pl.lit([]))
        .alias("violations"),
        "holds_slot",
        "state_since",
        "lapses",
        "due_to",
        "due_at",
        "timers",
    )
    owned = out.filter(pl.col("owner").is_not_null())
    slots = (
        pl.concat(
            [
                out.filter(pl.col("owner").is_not_null() & pre).select(rep=pl.col("owner")),
                out.filter(pl.col("pending_owner").is_not_null()).select(
                    rep=pl.col("pending_owner")
                ),
            ]
        )
        .group_by("rep")
        .len("slots_used")
    )
    funnel = owned.pivot(
        on="funnel", index="owner", values="customer", aggregate_function="len"
    ).rename({"owner": "rep"})
    signings = owned.group_by(rep=pl.col("owner")).agg(
        pl.col("forecast").sum().alias("expected_signings")
    )
    reps = (
        pl.concat([slots.select("rep"), funnel.select("rep")])
        .unique()
        .join(slots, on="rep", how="left")
        .join(signings, on="rep", how="left")
        .join(funnel, on="rep", how="left")
        .with_columns(
            pl.col("slots_used").fill_null(0),
            pl.col("expected_signings").fill_null(0.0).round(6),
            *(
                (pl.col(x) if x in funnel.columns else pl.lit(0)).fill_null(0).alias(x)
                for x in LABELS
            ),
        )
        .with_columns(
            pl.when(pl.col("slots_used") > LIMIT)
            .then(pl.lit(["over_quota"]))
            .otherwise(pl.lit([]))
            .alias("violations")
        )
        .select("rep", "slots_used", "expected_signings", *LABELS, "violations")
        .sort("rep")
    )
    return customers, reps
