"""Property tests: any text compiles or explains itself; generated trees round-trip; no crashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lang_helpers import NOW, make_scope

from rulekit.diagnostics import CODES
from rulekit.lang import ANY, compile_condition, compile_expression
from rulekit.lang import ast as A
from rulekit.lang.ast import unparse
from rulekit.lang.compiler import INTERNAL
from rulekit.lang.parser import parse
from rulekit.source import Span
from rulekit.timeutil import Duration

SCOPE = make_scope()
KEYWORDS = {"and", "or", "not", "in", "null", "true", "false"}


def loc(start: int, end: int) -> Span:
    return Span("p.yaml", 1, start + 1, 1, end + 1)


PIECES = [
    "(",
    ")",
    "[",
    "]",
    "'",
    '"',
    "==",
    "=",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    ".",
    ",",
    "%",
    "and",
    "or",
    "not",
    "in",
    "null",
    "true",
    "false",
    "30d",
    "2w",
    "12mo",
    "1y",
    "2026-03-01",
    "2026-03-01T09:30",
    "38%",
    "3",
    "4.5",
    "'浙江'",
    '"环保"',
    "state",
    "stage",
    "region",
    "amount",
    "renewals",
    "new",
    "D",
    "O+",
    "负责人",
    "event",
    "next_stage",
    ".target",
    ".days",
    "days_since(",
    "now()",
    "coalesce(",
    "len(",
    "@",
    "\\",
    "，",
    "\n",
    " ",
    "{",
    "}",
]

texts = st.one_of(
    st.text(max_size=60),
    st.text(
        alphabet=st.sampled_from(
            list("()[]'\"=<>!+-*/.,%{}@\\ \t\nabdnortiy0123456789浙江负责人_")
        ),
        max_size=60,
    ),
    st.lists(st.sampled_from(PIECES), max_size=14).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
)


@settings(
    max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(texts)
def test_compile_never_raises(text: str) -> None:
    for compile_fn in (compile_condition, compile_expression):
        condition, diags = compile_fn(text, SCOPE, loc)
        assert (condition is None) == bool(diags)
        for d in diags:
            assert d.code in CODES
            assert d.message and d.message != INTERNAL, d.note
            assert d.span is not None
            assert 1 <= d.span.column <= d.span.end_column <= len(text) + 1


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
    st.dates(),
    st.builds(Duration, st.integers(-30, 30), st.floats(-1e6, 1e6)),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.sampled_from(["type", "target", "days", "name"]), st.integers(), max_size=3),
)


OPERANDS = [
    "state",
    "stage",
    "region",
    "amount",
    "renewals",
    "days_in_stage",
    "created_at",
    "wait",
    "last_activity_at",
    "tags",
    "call_recording",
    "event.type",
    "next_stage.target.days",
    "new",
    "3",
    "4.5",
    "38%",
    "'浙江'",
    "null",
    "true",
    "30d",
    "1mo",
    "2026-03-01",
    "now()",
    "days_since(created_at)",
    "coalesce(amount, 1)",
    "len(tags)",
    "lower(region)",
    "amount / renewals",
    "now() - created_at",
    "created_at + wait",
    "-amount",
    "[new, D]",
]
OPS = ["==", "!=", "<", ">=", "in", "not in", "+", "-", "*", "/"]
simple = st.builds(
    lambda a, op, b: f"{a} {op} {b}",
    st.sampled_from(OPERANDS),
    st.sampled_from(OPS),
    st.sampled_from(OPERANDS),
)
conditions = st.recursive(
    simple | st.sampled_from(OPERANDS),
    lambda inner: (
        st.builds(
            lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["and", "or", "=="]), inner
        )
        | inner.map(lambda c: f"not ({c})")
    ),
    max_leaves=4,
)


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(conditions, st.data())
def test_compiled_code_never_raises_on_odd_data(text: str, data: st.DataObject) -> None:
    condition, _ = compile_expression(text, SCOPE, loc)
    if condition is None:
        return
    env: dict[str, Any] = {name: data.draw(values) for name in condition.names}
    env.update(now=NOW, tz=UTC)
    condition(env)
    as_condition, _ = compile_condition(text, SCOPE, loc)
    if as_condition is not None:
        assert as_condition(env) in (True, False)


# --- generated trees ------------------------------------------------------------------------

names = st.from_regex(r"[^\W\d]\w{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
literals = st.one_of(
    st.just(A.Literal(None, "null")),
    st.booleans().map(lambda b: A.Literal(b, "bool")),
    st.integers(0, 10**12).map(lambda n: A.Literal(n, "number")),
    st.floats(0, 1e20, allow_nan=False, allow_infinity=False).map(lambda f: A.Literal(f, "number")),
    st.text(max_size=8).map(lambda s: A.Literal(s, "string")),
    st.integers(0, 10**6).map(lambda n: A.Literal(Duration(seconds=float(n)), "duration")),
    st.integers(0, 100).map(lambda n: A.Literal(Duration(months=n), "duration")),
    st.dates(date(1000, 1, 1), date(8999, 12, 31)).map(lambda d: A.Literal(d.isoformat(), "date")),
    st.datetimes(datetime(1000, 1, 1), datetime(8999, 1, 1)).map(
        lambda d: A.Literal(d.isoformat(timespec="minutes"), "datetime")
    ),
)
leaves = st.one_of(literals, names.map(A.Name))


def _extend(inner: st.SearchStrategy[A.Node]) -> st.SearchStrategy[A.Node]:
    small = st.lists(inner, max_size=3).map(tuple)
    return st.one_of(
        st.builds(A.Attr, inner, names),
        st.builds(A.Call, names, small),
        st.builds(A.Unary, st.just("-"), inner),
        st.builds(A.Binary, st.sampled_from("+-*/"), inner, inner),
        st.builds(A.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), inner, inner),
        st.builds(A.InList, st.booleans(), inner, inner),
        st.builds(A.ListExpr, small),
        st.builds(
            A.BoolOp,
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3).map(tuple),
        ),
        st.builds(A.Not, inner),
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=500, deadline=None, database=None)
@given(trees)
def test_unparse_parse_round_trip(tree: A.Node) -> None:
    text = unparse(tree)
    parsed, problems = parse(text)
    assert problems == [], (text, problems)
    assert parsed == tree, text
    assert unparse(parsed) == text


@settings(max_examples=200, deadline=None, database=None)
@given(trees)
def test_any_tree_checks_and_compiles_without_raising(tree: A.Node) -> None:
    from rulekit.lang import Scope

    scope = Scope(names={}, symbols={})
    text = unparse(tree)
    condition, diags = compile_expression(text, scope, loc)
    assert condition is not None or diags
    open_scope = Scope(names={n: ANY for n in _names(tree)})
    condition, diags = compile_expression(text, open_scope, loc, tz=UTC)
    if condition is not None:
        env = {n: None for n in condition.names}
        env.update(now=NOW + timedelta(0), tz=UTC)
        condition(env)


def _names(tree: A.Node) -> set[str]:
    found = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Name):
            found.add(node.name)
        stack.extend(A.children(node))
    return found
