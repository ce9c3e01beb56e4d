"""The polars backend gives the Python backend's values, row by row, nulls included."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.lang import BOOL, DATETIME, NUMBER, STRING, Scope, compile_condition
from rulekit.lang.checker import check
from rulekit.lang.polars_backend import Unsupported, compile_expr
from rulekit.source import Span

TZ = UTC
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SCOPE = Scope(
    names={"a": NUMBER, "b": NUMBER, "s": STRING, "flag": BOOL, "t": DATETIME},
    symbols={"new": "state", "D": "state"},
)
SPAN = Span("t.yaml", 1, 1, 1, 1)


def locate(_s: int, _e: int) -> Span:
    return SPAN


def evaluate_both(text: str, rows: list[dict[str, Any]], as_bool: bool) -> tuple[list, list]:
    cond, diags = compile_condition(text, SCOPE, locate, expect=BOOL if as_bool else None, tz=TZ)
    assert cond is not None, diags
    info, _ = check(cond.node, SCOPE, BOOL if as_bool else None)
    frame = pl.DataFrame(
        {
            "a": [r["a"] for r in rows],
            "b": [r["b"] for r in rows],
            "s": [r["s"] for r in rows],
            "flag": [r["flag"] for r in rows],
            "t": [r["t"].replace(tzinfo=None) if r["t"] else None for r in rows],
        },
        schema={"a": pl.Float64, "b": pl.Float64, "s": pl.String, "flag": pl.Boolean,
                "t": pl.Datetime("us")},
    )  # fmt: skip
    columns = {name: pl.col(name) for name in ("a", "b", "s", "flag", "t")}
    expr = compile_expr(cond.node, info, columns, now=NOW, tz=TZ, as_bool=as_bool)
    got = frame.with_columns(expr.alias("x"))["x"].to_list()
    want = [cond({**r, "now": NOW, "tz": TZ}) for r in rows]
    return want, got


def same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, int | float) and isinstance(y, int | float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    return bool(x == y)


numbers = st.one_of(st.none(), st.integers(-5, 5).map(float))
texts = st.one_of(st.none(), st.sampled_from(["new", "D", "浙江", "abc", ""]))
instants = st.one_of(
    st.none(), st.integers(-400, 400).map(lambda d: NOW - timedelta(days=d, hours=d % 7))
)
rows = st.lists(
    st.fixed_dictionaries(
        {"a": numbers, "b": numbers, "s": texts, "flag": st.one_of(st.none(), st.booleans()),
         "t": instants}
    ),
    min_size=1,
    max_size=20,
)  # fmt: skip

NUM_EXPR = st.recursive(
    st.sampled_from(["a", "b", "1", "2.5", "0", "null", "days_since(t)", "abs(a)"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        inner.map(lambda x: f"-{x}"),
    ),
    max_leaves=6,
)
ATOM = st.one_of(
    st.tuples(NUM_EXPR, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), NUM_EXPR).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    ),
    st.sampled_from(
        [
            "s in [new, D]", "s not in [new, '浙江']", "s == null", "s != null", "s == 'abc'",
            "flag", "not flag", "flag == true", "t < 2026-01-01", "t >= 2025-06-30T12:00",
            "t == null", "contains(s, 'b')", "starts_with(s, 'a')", "lower(s) == 'abc'",
            "days_since(t) > 30",
        ]
    ),
)  # fmt: skip
CONDITIONS = st.recursive(
    ATOM,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda x: f"not ({x})"),
    ),
    max_leaves=5,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(CONDITIONS, rows)
def test_conditions_agree(text: str, data: list[dict[str, Any]]) -> None:
    want, got = evaluate_both(text, data, as_bool=True)
    assert got == want, text


@SETTINGS
@given(NUM_EXPR, rows)
def test_values_agree(text: str, data: list[dict[str, Any]]) -> None:
    want, got = evaluate_both(text, data, as_bool=False)
    assert all(same(w, g) for w, g in zip(want, got, strict=True)), (text, want, got)


@pytest.mark.parametrize(
    "text", ["round(a) > 1", "days(30d) > 1", "len(s) > 1 and t + 30d > now()"]
)
def test_what_it_cannot_compile_is_refused(text: str) -> None:
    with pytest.raises(Unsupported):
        evaluate_both(text, [{"a": 1.0, "b": 2.0, "s": "x", "flag": True, "t": NOW}], True)


def test_a_coalesce_of_constants_beside_a_column() -> None:
    """`coalesce` of two constants is one value for every row (found by the property test)."""
    data: list[dict[str, Any]] = [{"a": None, "b": None, "s": None, "flag": None, "t": None}] * 2
    want, got = evaluate_both("coalesce(1, (a + null)) == coalesce(a, 1)", data, as_bool=True)
    assert got == want == [True, True]
