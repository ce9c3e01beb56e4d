"""The parser: trees for valid input, precedence, literals, offsets, and unparse round trips."""

from __future__ import annotations

from datetime import datetime

import pytest

from rulekit.lang import ast
from rulekit.lang.ast import (
    Attr,
    Binary,
    BoolOp,
    Call,
    Compare,
    InList,
    ListExpr,
    Literal,
    Name,
    Not,
    Unary,
    unparse,
)
from rulekit.lang.parser import MAX_DEPTH, get_parser, parse
from rulekit.timeutil import Duration


def ok(text: str) -> ast.Node:
    node, problems = parse(text)
    assert problems == [], problems
    assert node is not None
    return node


N = Name


def test_policy_examples() -> None:
    assert ok("state in [new, D] and days_since(last_activity_at) > 21") == BoolOp(
        "and",
        (
            InList(False, N("state"), ListExpr((N("new"), N("D")))),
            Compare(">", Call("days_since", (N("last_activity_at"),)), Literal(21, "number")),
        ),
    )
    assert ok("days_in_stage > next_stage.target.days") == Compare(
        ">", N("days_in_stage"), Attr(Attr(N("next_stage"), "target"), "days")
    )
    assert ok("now() - last_activity_at > 30d") == Compare(
        ">",
        Binary("-", Call("now", ()), N("last_activity_at")),
        Literal(Duration.parse("30d"), "duration"),
    )
    assert ok("call_recording and needs_form and intent_mark != null") == BoolOp(
        "and",
        (
            N("call_recording"),
            N("needs_form"),
            Compare("!=", N("intent_mark"), Literal(None, "null")),
        ),
    )


def test_chinese_identifiers_and_strings() -> None:
    node = ok("event.type == 'archive' and region == '浙江' and 负责人 == \"张三\"")
    assert isinstance(node, BoolOp)
    assert node.items[1] == Compare("==", N("region"), Literal("浙江", "string"))
    assert node.items[2] == Compare("==", N("负责人"), Literal("张三", "string"))
    assert node.items[2].left.end == node.items[2].left.start + 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not a and b", BoolOp("and", (Not(N("a")), N("b")))),
        ("a or b and c", BoolOp("or", (N("a"), BoolOp("and", (N("b"), N("c")))))),
        ("(a or b) and c", BoolOp("and", (BoolOp("or", (N("a"), N("b"))), N("c")))),
        ("a or b or c", BoolOp("or", (N("a"), N("b"), N("c")))),
        (
            "1 + 2 * 3",
            Binary(
                "+", Literal(1, "number"), Binary("*", Literal(2, "number"), Literal(3, "number"))
            ),
        ),
        (
            "1 - 2 - 3",
            Binary(
                "-", Binary("-", Literal(1, "number"), Literal(2, "number")), Literal(3, "number")
            ),
        ),
        ("-x * 2", Binary("*", Unary("-", N("x")), Literal(2, "number"))),
        ("not x == 1", Not(Compare("==", N("x"), Literal(1, "number")))),
        (
            "a + 1 > b * 2",
            Compare(
                ">",
                Binary("+", N("a"), Literal(1, "number")),
                Binary("*", N("b"), Literal(2, "number")),
            ),
        ),
        ("x not in [a]", InList(True, N("x"), ListExpr((N("a"),)))),
        ("x in names", InList(False, N("x"), N("names"))),
        ("not not x", Not(Not(N("x")))),
        ("andy or nothing", BoolOp("or", (N("andy"), N("nothing")))),
        ("True == x", Compare("==", N("True"), N("x"))),
    ],
)
def test_precedence(text: str, expected: ast.Node) -> None:
    assert ok(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("null", None, "null"),
        ("true", True, "bool"),
        ("false", False, "bool"),
        ("42", 42, "number"),
        ("3.25", 3.25, "number"),
        ("38%", 0.38, "number"),
        ("7%", 0.07, "number"),
        ("'it\\'s'", "it's", "string"),
        ('"a\\"b\\n"', 'a"b\n', "string"),
        ("'\\u6d59'", "浙", "string"),
        ("30d", Duration(seconds=30 * 86400), "duration"),
        ("2w", Duration(seconds=14 * 86400), "duration"),
        ("12h", Duration(seconds=12 * 3600), "duration"),
        ("90min", Duration(seconds=90 * 60), "duration"),
        ("10s", Duration(seconds=10), "duration"),
        ("12mo", Duration(months=12), "duration"),
        ("1y", Duration(months=12), "duration"),
        ("2026-03-01", "2026-03-01", "date"),
        ("2026-03-01T09:30", "2026-03-01T09:30", "datetime"),
        ("2026-03-01T09:30:15+08:00", "2026-03-01T09:30:15+08:00", "datetime"),
    ],
)
def test_literals(text: str, value: object, kind: str) -> None:
    node = ok(text)
    assert isinstance(node, Literal)
    assert (node.value, node.kind) == (value, kind)
    assert (node.start, node.end) == (0, len(text))


def test_date_is_not_subtraction() -> None:
    assert ok("x > 2026-03-01") == Compare(">", N("x"), Literal("2026-03-01", "date"))
    assert ok("2026 - 3") == Binary("-", Literal(2026, "number"), Literal(3, "number"))


def test_offsets() -> None:
    node = ok("a and (b or c)")
    assert isinstance(node, BoolOp)
    assert (node.start, node.end) == (0, 14)
    inner = node.items[1]
    assert (inner.start, inner.end) == (6, 14)  # includes the brackets
    call = ok("  days_since( x )")
    assert (call.start, call.end) == (2, 17)
    attr = ok("event.type")
    assert (attr.start, attr.end) == (0, 10)


def test_list_forms() -> None:
    assert ok("[]") == ListExpr(())
    assert ok("[a, 'b', 3,]") == ListExpr((N("a"), Literal("b", "string"), Literal(3, "number")))
    assert ok("f()") == Call("f", ())


def test_parser_is_built_once() -> None:
    assert get_parser() is get_parser()


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    node, problems = parse("-" * 5000 + "x")
    assert node is None
    assert "nested too deeply" in problems[0].message
    node, problems = parse("not " * (MAX_DEPTH + 5) + "x")
    assert node is None and problems
    assert ok("(" * 300 + "x" + ")" * 300) == N("x")


def test_too_long() -> None:
    node, problems = parse("a and " * 2000 + "b")
    assert node is None
    assert problems[0].start == 10_000
    assert "too long" in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "state in [new, D] and days_since(last_activity_at) > 21",
        "stage != null and state in [D, C, B, A] and days_in_stage > next_stage.target.days",
        "event.type == 'archive' and region == '浙江' and industry == '环保设备'",
        "now() - last_activity_at > 30d",
        "(a or b) and not (c and d)",
        "a - (b - c)",
        "a / (b * c)",
        "-(-x)",
        "(a == b) == c",
        "x > 2026-03-01T09:30",
        "'it\\'s' == x and \"tab\\t\" != y",
        "(1).x",
        "1.5 + 38% * 2",
    ],
)
def test_unparse_round_trip(text: str) -> None:
    node = ok(text)
    again = ok(unparse(node))
    assert again == node
    assert unparse(again) == unparse(node)


def test_unparse_is_canonical() -> None:
    assert unparse(ok("a   and(b or  c)")) == "a and (b or c)"
    assert unparse(ok('x == "q"')) == "x == 'q'"
    assert unparse(ok("x>1")) == "x > 1"
    assert unparse(ok("2w")) == "14d"


def test_date_literals_are_validated() -> None:
    node, problems = parse("x > 2026-02-30")
    assert node is None
    assert problems[0][:3] == (4, 14, "`2026-02-30` is not a valid date")


def test_dates_parse_to_datetimes_later() -> None:
    lit = ok("2026-03-01T09:30")
    assert isinstance(lit, Literal)
    assert datetime.fromisoformat(str(lit.value)) == datetime(2026, 3, 1, 9, 30)
