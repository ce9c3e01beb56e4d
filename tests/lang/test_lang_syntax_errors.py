"""Syntax errors: the sentence, the hint and the exact offsets for each common mistake."""

from __future__ import annotations

import pytest

from rulekit.lang.parser import parse

CASES = [
    # text, start, end, message
    ("state ==", 6, 8, "a comparison needs a value on its right"),
    ("state == and x", 9, 12, "`and` needs a condition on both sides"),
    ("and x", 0, 3, "`and` needs a condition on both sides"),
    ("x and", 2, 5, "`and` needs a condition on both sides"),
    ("x or", 2, 4, "`or` needs a condition on both sides"),
    ("(a and b", 0, 1, "this bracket is never closed"),
    ("x in [a, b", 5, 6, "this bracket is never closed"),
    ("f(x", 1, 2, "this bracket is never closed"),
    ("region == '浙江", 10, 11, "this string is never closed (a quote is missing)"),
    ('x == "abc', 5, 6, "this string is never closed (a quote is missing)"),
    ("x = 1", 2, 3, "use `==` to compare (a single `=` is not an operator)"),
    ("state in [OD, O+, R]", 15, 16, "`+` is an operator and needs a value on its right"),
    ("a @ b", 2, 3, "unexpected character `@`"),
    ("a b", 2, 3, "two values follow each other without an operator between them"),
    ("负责人 张三", 4, 6, "two values follow each other without an operator between them"),
    ("", 0, 0, "the condition is empty"),
    ("   ", 0, 3, "the condition is empty"),
    ("a < b < c", 6, 7, "comparisons cannot be chained"),
    ("()", 0, 2, "empty brackets: put a condition or value inside"),
    ("a)", 1, 2, "this bracket has no matching opening bracket"),
    ("(a]", 2, 3, "this bracket does not match the opening one"),
    ("not", 0, 3, "`not` needs a condition after it"),
    ("x in", 2, 4, "`in` needs a list on its right"),
    ("a.", 1, 2, "a name must follow the `.`"),
    ("a, b", 1, 2, "a comma can only separate list items [a, b] or function arguments"),
    ("x > 1 +", 6, 7, "`+` needs a value on both sides"),
    ("== x", 0, 2, "a comparison needs a value on its left"),
    ("x，y", 1, 2, "unexpected character `，`"),
    ("[a,, b]", 3, 4, "a value must come before the comma"),
]


@pytest.mark.parametrize(("text", "start", "end", "message"), CASES)
def test_syntax_error(text: str, start: int, end: int, message: str) -> None:
    node, problems = parse(text)
    assert node is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.message == message
    assert (problem.start, problem.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("state in [OD, O+, R]", "`O+` is not a plain name; quote it: 'O+'"),
        ("state in [OD, O+]", "`O+` is not a plain name; quote it: 'O+'"),
        ("O- == state", "`O-` is not a plain name; quote it: 'O-'"),
        ("state is new", "write `==`"),
        ("a AND b", "write `and`"),
        (
            "x > 30days",
            "write a number and a unit: 30d (days), 2w (weeks), 12h, 12mo (months) or 1y",
        ),
        ("x > 1.5mo", "months and years must be whole numbers: 1mo, 2y"),
        ("x，y", "this is a full-width character; type the plain `,` instead"),
        ("x ! y", "write `!=` for 'is not equal to', or `not` before a condition to negate it"),
        ("a && b", "write `and`"),
        ("state == O#1", "`O#1` is not a plain name; quote it: 'O#1'"),
        ("a < b < c", "join them with `and`: a < b and b < c"),
    ],
)
def test_hints(text: str, hint: str) -> None:
    node, problems = parse(text)
    assert node is None
    assert problems[0].hint == hint


def test_error_offset_is_a_code_point_column_in_cjk_text() -> None:
    _, problems = parse("区域 == '浙江' 和 x")
    assert problems[0].start == 11  # the `和`
    assert problems[0].end == 12


@pytest.mark.parametrize(
    "text",
    ["((((", "[[[", "'", '"', "\\", "}", "%", "1e", "2026-", "a..b", "x not", "not in x", "\x00"],
)
def test_odd_input_gives_one_problem(text: str) -> None:
    node, problems = parse(text)
    assert node is None
    assert len(problems) == 1
    assert 0 <= problems[0].start <= problems[0].end <= len(text)
    assert problems[0].message
