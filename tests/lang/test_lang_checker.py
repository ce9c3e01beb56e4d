"""The checker: names, attributes, functions and types, each problem with its code and offsets."""

from __future__ import annotations

import pytest

from rulekit.lang import ANY, BOOL, NUMBER, Scope
from rulekit.lang.checker import check
from rulekit.lang.parser import parse
from rulekit.lang.types import DATETIME, DURATION, LIST, STRING, Kind


def run(text: str, scope: Scope, expect=BOOL):  # type: ignore[no-untyped-def]
    node, problems = parse(text)
    assert node is not None, problems
    return check(node, scope, expect)


def one(text: str, scope: Scope, expect=BOOL):  # type: ignore[no-untyped-def]
    _, problems = run(text, scope, expect)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "state in [new, D] and days_since(last_activity_at) > 21",
        "stage != null and state in [D, C, B, A] and days_in_stage > next_stage.target.days",
        "event.type == 'archive' and region == '浙江' and industry == '环保设备'",
        "call_recording and needs_form and intent_mark != null",
        "now() - last_activity_at > 30d",
        "负责人 == '张三'",
        "last_activity_at < 2026-03-01",
        "2026-03-01T09:30 >= created_at",
        "last_activity_at + 2w < now()",
        "wait * 2 > 30d and wait / 2 < 1y and wait / 1d > 3",
        "days(wait) > 3 and len(tags) > 0 and 'vip' in tags",
        "coalesce(renewals, 0) + 1 > 2",
        "contains(lower(region), 'zhe') or starts_with(upper(customer), 'A')",
        "round(amount / 3, 2) > min(1, max(2, abs(-3)))",
        "stage == S1 and state not in [OD]",
        "region == null",
        "null == region",
        "renewals > 38%",
    ],
)
def test_valid(text: str, scope: Scope) -> None:
    info, problems = run(text, scope)
    assert problems == []
    assert info.root == BOOL


def test_names_read_and_symbols(scope: Scope) -> None:
    info, _ = run("state in [new, D] and event.type == 'x' and days_since(created_at) > 1", scope)
    assert info.names == {"state", "event", "created_at"}
    assert sorted(info.symbols.values()) == ["state", "state"]


def test_a_name_wins_over_a_symbol(scope: Scope) -> None:
    scope.symbols["region"] = "state"
    info, problems = run("region == 'x'", scope)
    assert problems == [] and info.names == {"region"} and info.symbols == {}


def test_unknown_name(scope: Scope) -> None:
    p = one("stat == new", scope)
    assert (p.start, p.end, p.code) == (0, 4, "RK202")
    assert p.message == "unknown name `stat`"
    assert p.hint == "did you mean `state`?"


def test_unknown_name_lists_fields(scope: Scope) -> None:
    p = one("zzz == 1", Scope(names={"amount": NUMBER, "region": STRING}))
    assert p.code == "RK202"
    assert p.hint == "known names: `amount` or `region`; to write text, quote it: 'zzz'"


def test_function_used_as_a_name(scope: Scope) -> None:
    p = one("now > created_at", scope)
    assert p.hint == "`now` is a function; write `now()`"


def test_glued_operator_names(scope: Scope) -> None:
    p = one("state == O+R", scope)
    assert (p.start, p.end, p.code) == (9, 12, "RK202")
    assert p.hint == "`O+R` is not a plain name; quote it: 'O+R'"


def test_unknown_attribute(scope: Scope) -> None:
    p = one("next_stage.target.dayz > 1", scope)
    assert (p.start, p.end, p.code) == (18, 22, "RK206")
    assert p.message == "`next_stage.target` has no attribute `dayz`"
    assert p.hint == "did you mean `days`?"


def test_attribute_of_text(scope: Scope) -> None:
    p = one("region.name == 'x'", scope)
    assert (p.start, p.end, p.code) == (7, 11, "RK206")
    assert p.message == "`region` is text and has no attribute `name`"


def test_unknown_function(scope: Scope) -> None:
    p = one("dayz_since(created_at) > 1", scope)
    assert (p.start, p.end, p.code) == (0, 10, "RK205")
    assert p.message == "unknown function `dayz_since`"
    assert p.hint == "did you mean `days_since`?"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days_since(created_at, 2) > 1", "`days_since` takes 1 argument, got 2"),
        ("days_between(created_at) > 1", "`days_between` takes 2 arguments, got 1"),
        ("now(1) > created_at", "`now` takes no arguments, got 1"),
        ("round() > 1", "`round` takes 1 to 2 arguments, got 0"),
    ],
)
def test_arity(text: str, message: str, scope: Scope) -> None:
    p = one(text, scope)
    assert (p.start, p.end, p.code, p.message) == (0, text.index(")") + 1, "RK204", message)


@pytest.mark.parametrize(
    ("text", "start", "end", "message"),
    [
        ("region > 3", 0, 6, "`>` compares numbers, dates or durations; `region` is text"),
        (
            "region == 3",
            0,
            11,
            "`==` compares values of the same kind, but `region` is text and `3` is a number",
        ),
        (
            "renewals and state == new",
            0,
            8,
            "`and` joins conditions (true or false); `renewals` is a number",
        ),
        ("not amount", 4, 10, "`not` needs a condition (true or false); `amount` is a number"),
        ("state in region", 9, 15, "`in` needs a list on its right; `region` is text"),
        (
            "state in [new, 3]",
            15,
            16,
            "a list must hold values of one kind; `3` is a number but the first item is text",
        ),
        ("amount in [new, D]", 0, 18, "`amount` is a number but the list holds text"),
        ("renewals", 0, 8, "a condition must be true or false; `renewals` is a number"),
        ("renewals + 1", 0, 12, "a condition must be true or false; this is a number"),
        ("region - 1 > 0", 0, 6, "`-` works on numbers, dates and durations; `region` is text"),
        ("now() - last_activity_at > 30", 0, 29, "`>` cannot compare a duration with a number"),
        ("now() + 3 > created_at", 0, 9, "cannot apply `+` to a date-time and a number"),
        ("-region == 1", 1, 7, "`-` needs a number or a duration; `region` is text"),
        (
            "days_since(region) > 1",
            11,
            17,
            "argument 1 of `days_since` must be a date or a date-time; `region` is text",
        ),
    ],
)
def test_type_errors(text: str, start: int, end: int, message: str, scope: Scope) -> None:
    p = one(text, scope)
    assert (p.start, p.end, p.code, p.message) == (start, end, "RK203", message)


def test_duration_vs_number_hint(scope: Scope) -> None:
    p = one("now() - last_activity_at > 30", scope)
    assert p.hint is not None and "30d" in p.hint


def test_expressions(scope: Scope) -> None:
    info, problems = run("renewals + 1", scope, expect=None)
    assert problems == [] and info.root == NUMBER
    info, problems = run("last_activity_at + 30d", scope, expect=None)
    assert problems == [] and info.root == DATETIME
    info, problems = run("now() - created_at", scope, expect=None)
    assert info.root == DURATION
    info, _ = run("[new, 'x']", scope, expect=None)
    assert info.root == LIST(STRING)
    info, _ = run("coalesce(null, region)", scope, expect=None)
    assert info.root == STRING
    p = one("region", scope, expect=NUMBER)
    assert p.message == "expected a number; `region` is text"


def test_any_is_compatible_with_everything() -> None:
    scope = Scope(names={"x": ANY, "n": NUMBER})
    for text in ["x > 1", "x and n > 1", "x == 'a'", "x.y.z == 1", "x + 1 > n", "n in x", "x"]:
        _, problems = run(text, scope)
        assert problems == [], text


def test_several_problems_in_order(scope: Scope) -> None:
    _, problems = run("stat == new and regoin == 'x'", scope)
    assert [(p.start, p.code) for p in problems] == [(0, "RK202"), (16, "RK202")]


def test_types_are_recorded(scope: Scope) -> None:
    node, _ = parse("amount + 1 > 2")
    assert node is not None
    info, _ = check(node, scope, BOOL)
    assert info.type_of(node.left).kind is Kind.NUMBER  # type: ignore[union-attr]
