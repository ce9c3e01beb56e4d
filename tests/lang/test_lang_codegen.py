"""Compiled conditions: values, null semantics, dates and durations, lists, built-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from lang_helpers import NOW, make_scope

from rulekit.lang import (
    NUMBER,
    STRING,
    Condition,
    Function,
    Scope,
    compile_condition,
    compile_expression,
)
from rulekit.source import Span
from rulekit.timeutil import Duration

SHANGHAI = timezone(timedelta(hours=8))


def loc(start: int, end: int) -> Span:
    return Span("p.yaml", 3, start + 5, 3, end + 5)


def cond(text: str, scope: Scope | None = None, **kw: Any) -> Condition:
    c, diags = compile_condition(text, scope or make_scope(), loc, **kw)
    assert diags == [], diags
    assert c is not None
    return c


def expr(text: str, scope: Scope | None = None, **kw: Any) -> Condition:
    c, diags = compile_expression(text, scope or make_scope(), loc, **kw)
    assert diags == [], diags
    assert c is not None
    return c


def env(**values: Any) -> dict[str, Any]:
    return {"now": NOW, "tz": UTC, **values}


def test_policy_example_true_and_false() -> None:
    c = cond("state in [new, D] and days_since(last_activity_at) > 21")
    assert c(env(state="new", last_activity_at=NOW - timedelta(days=22))) is True
    assert c(env(state="new", last_activity_at=NOW - timedelta(days=21, hours=23))) is False
    assert c(env(state="C", last_activity_at=NOW - timedelta(days=40))) is False
    assert c(env(state="D")) is False  # null date: days_since is null, the comparison false
    assert c.names == frozenset({"state", "last_activity_at"})


def test_objects_as_mappings_and_attributes() -> None:
    c = cond("stage != null and state in [D, C, B, A] and days_in_stage > next_stage.target.days")
    nxt = {"target": {"days": 10}}
    assert c(env(stage="S1", state="C", days_in_stage=11, next_stage=nxt)) is True
    assert c(env(stage="S1", state="C", days_in_stage=10, next_stage=nxt)) is False
    assert c(env(stage=None, state="C", days_in_stage=11, next_stage=nxt)) is False
    assert c(env(stage="S1", state="C", days_in_stage=11, next_stage=None)) is False

    class Target:
        days = 3

    class Stage:
        target = Target()

    assert c(env(stage="S1", state="A", days_in_stage=4, next_stage=Stage())) is True


def test_chinese_values() -> None:
    c = cond("event.type == 'archive' and region == '浙江' and industry == '环保设备'")
    assert c(env(event={"type": "archive"}, region="浙江", industry="环保设备")) is True
    assert c(env(event={"type": "archive"}, region="江苏", industry="环保设备")) is False


def test_booleans_and_null_as_false() -> None:
    c = cond("call_recording and needs_form and intent_mark != null")
    assert c(env(call_recording=True, needs_form=True, intent_mark="A")) is True
    assert c(env(call_recording=True, needs_form=None, intent_mark="A")) is False
    assert c(env(call_recording=True, needs_form=True)) is False
    assert cond("not call_recording")(env()) is True
    assert cond("call_recording or needs_form")(env(needs_form=True)) is True


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("region == 'x'", {}, False),
        ("region != 'x'", {}, False),  # a comparison with null is false
        ("region != 'x'", {"region": "y"}, True),
        ("region == null", {}, True),
        ("region != null", {}, False),
        ("null == region", {"region": "a"}, False),
        ("amount > 1", {}, False),
        ("amount <= 1", {}, False),
        ("amount + 1 > 0", {}, False),
        ("state in [new]", {}, False),
        ("state not in [new]", {}, False),
        ("state not in [new]", {"state": "D"}, True),
        ("amount > 1", {"amount": "12"}, False),  # wrong type from data: false, no error
        ("amount / 0 > 1", {"amount": 5}, False),
        ("coalesce(amount, 7) == 7", {}, True),
        ("region == stage", {}, False),
    ],
)
def test_null_semantics(text: str, values: dict[str, Any], expected: bool) -> None:
    assert cond(text)(env(**values)) is expected


def test_arithmetic_values() -> None:
    assert expr("1 + 2 * 3")(env()) == 7
    assert expr("(1 + 2) * 3")(env()) == 9
    assert expr("7 / 2")(env()) == 3.5
    assert expr("-amount")(env(amount=4)) == -4
    assert expr("renewals + 1")(env(renewals=2)) == 3
    assert expr("renewals + 1")(env()) is None
    assert expr("amount / 0")(env(amount=1)) is None
    assert expr("38%")(env()) == 0.38


def test_durations_and_dates() -> None:
    assert expr("now() - last_activity_at")(env(last_activity_at=NOW - timedelta(days=2))) == (
        Duration(seconds=2 * 86400)
    )
    assert expr("last_activity_at + 1mo")(
        env(last_activity_at=datetime(2026, 1, 31, tzinfo=UTC))
    ) == (datetime(2026, 2, 28, tzinfo=UTC))
    assert expr("last_activity_at - 2w")(env(last_activity_at=NOW)) == NOW - timedelta(days=14)
    assert expr("wait * 2")(env(wait=Duration.parse("3d"))) == Duration.parse("6d")
    assert expr("wait / 1d")(env(wait=Duration.parse("2w"))) == 14
    assert cond("now() - last_activity_at > 30d")(env(last_activity_at=NOW - timedelta(days=31)))
    assert not cond("now() - last_activity_at > 30d")(
        env(last_activity_at=NOW - timedelta(days=29))
    )
    assert cond("1mo == 30d")(env())  # durations compare by length (a month is 30 days)
    assert cond("1y > 359d")(env())
    assert cond("wait >= 2w")(env(wait=Duration.parse("14d")))


def test_date_literals_use_the_compile_timezone() -> None:
    c = cond("created_at >= 2026-03-01", tz=SHANGHAI)
    assert c(env(created_at=datetime(2026, 2, 28, 16, 0, tzinfo=UTC)))  # 00:00 in Shanghai
    assert not c(env(created_at=datetime(2026, 2, 28, 15, 59, tzinfo=UTC)))
    value = expr("2026-03-01T09:30", tz=SHANGHAI)(env())
    assert value == datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert expr("2026-03-01T09:30+00:00")(env()).utcoffset() == timedelta(0)


def test_dates_from_data_are_normalised() -> None:
    c = cond("created_at < 2026-03-01")
    assert c(env(created_at=date(2026, 2, 1)))
    assert c(env(created_at=datetime(2026, 2, 1)))  # naive: in the compile timezone
    assert c(env(created_at="2026-02-01"))
    assert not c(env(created_at="not a date"))


def test_in_lists() -> None:
    c = cond("state in [OD, 'O+', new]")
    assert c(env(state="O+")) and c(env(state="OD")) and not c(env(state="X"))
    assert not c(env(state=["unhashable"]))
    assert cond("amount in [1, 2.5]")(env(amount=2.5))
    assert cond("'vip' in tags")(env(tags=["vip", "a"]))
    assert not cond("'vip' in tags")(env(tags=None))
    assert cond("'vip' not in tags")(env(tags=("a",)))
    assert cond("region in [stage, 'x']")(env(region="S", stage="S"))


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("now()", {}, NOW),
        ("today()", {}, datetime(2026, 3, 10, tzinfo=UTC)),
        (
            "today()",
            {"tz": SHANGHAI, "now": datetime(2026, 3, 10, 20, tzinfo=UTC)},
            datetime(2026, 3, 11, tzinfo=SHANGHAI),
        ),
        ("days_since(created_at)", {"created_at": NOW - timedelta(days=3, hours=23)}, 3),
        ("days_since(created_at)", {}, None),
        ("hours_since(created_at)", {"created_at": NOW - timedelta(hours=5, minutes=59)}, 5),
        (
            "days_between(created_at, last_activity_at)",
            {"created_at": NOW, "last_activity_at": NOW + timedelta(days=2)},
            2,
        ),
        ("days(wait)", {"wait": Duration.parse("2w")}, 14),
        ("days(1mo)", {}, 30),
        ("len(tags)", {"tags": ["a", "b"]}, 2),
        ("len(region)", {"region": "浙江"}, 2),
        ("lower(region)", {"region": "AbC"}, "abc"),
        ("upper(region)", {"region": "AbC"}, "ABC"),
        ("contains(region, 'b')", {"region": "abc"}, True),
        ("starts_with(region, 'b')", {"region": "abc"}, False),
        ("coalesce(region, 'none')", {}, "none"),
        ("coalesce(region, 'none')", {"region": "r"}, "r"),
        ("min(amount, 3)", {"amount": 5}, 3),
        ("max(amount, 3)", {"amount": 5}, 5),
        ("abs(amount)", {"amount": -2}, 2),
        ("round(amount)", {"amount": 2.6}, 3),
        ("round(amount, 1)", {"amount": 2.66}, 2.7),
        ("lower(region)", {"region": 3}, None),
    ],
)
def test_builtins(text: str, values: dict[str, Any], expected: Any) -> None:
    e = {"now": NOW, "tz": UTC}
    e.update(values)
    assert expr(text)(e) == expected


def test_engine_function_reads_env() -> None:
    open_leads = Function(
        "open_leads",
        ((STRING,),),
        NUMBER,
        "How many open leads a rep has.",
        lambda env, rep: env["leads"].get(rep, 0),
        uses_env=True,
    )
    scope = make_scope().with_functions(open_leads)
    c = cond("open_leads(customer) > 2", scope)
    assert c(env(customer="li", leads={"li": 3}))
    assert not c(env(customer="wang", leads={"li": 3}))
    assert not c(env(customer="li"))  # the implementation raises KeyError: null, so false


def test_generated_source_is_from_the_tree() -> None:
    c = cond("region == '浙江\\'); import os' and amount > 3")
    assert c.python_source.startswith("lambda env: ")
    assert "env.get('region')" in c.python_source
    assert c(env(region="浙江'); import os", amount=4)) is True
    assert c.fn.__code__.co_filename == "<condition p.yaml:3:5>"


def test_weird_names_are_only_dictionary_keys() -> None:
    scope = Scope(names={"__import__": NUMBER, "env": NUMBER})
    c = cond("__import__ > env", scope)
    assert c({"__import__": 2, "env": 1}) is True


def test_attribute_access_does_not_reach_private_attributes() -> None:
    from rulekit.lang import ANY

    c = expr("x.__class__", Scope(names={"x": ANY}))
    assert c({"x": object()}) is None
    assert expr("x.real", Scope(names={"x": ANY}))({"x": 3}) == 3
