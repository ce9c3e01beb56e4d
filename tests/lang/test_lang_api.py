"""The public API: compile_condition / compile_expression / compile_template and diagnostics."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC

from lang_helpers import NOW, make_scope

from rulekit.diagnostics import CODES
from rulekit.lang import (
    BOOL,
    BUILTINS,
    NUMBER,
    compile_condition,
    compile_expression,
    compile_template,
)
from rulekit.source import SourceText, Span


def at(offset_of_string: int):  # type: ignore[no-untyped-def]
    """A locate for a condition that starts at `offset_of_string` in `YAML`."""
    src = SourceText("policy.yaml", "rule:\n  when: stat == new and region > 3\n")

    def loc(start: int, end: int) -> Span:
        return src.span(start + offset_of_string, end + offset_of_string)

    return loc


def test_condition_ok() -> None:
    c, diags = compile_condition("state == new", make_scope(), at(14))
    assert diags == [] and c is not None
    assert c.type == BOOL
    assert c({"state": "new"}) is True
    assert c.text == "state == new"


def test_diagnostics_are_located_in_the_file() -> None:
    c, diags = compile_condition("stat == new and region > 3", make_scope(), at(14))
    assert c is None
    assert [(d.code, d.span.line, d.span.column) for d in diags if d.span] == [
        ("RK202", 2, 9),
        ("RK203", 2, 25),
    ]
    assert all(d.code in CODES and d.is_error for d in diags)
    assert diags[0].hint == "did you mean `state`?"


def test_syntax_error_diagnostic() -> None:
    c, diags = compile_condition("state ==", make_scope(), at(14))
    assert c is None
    assert len(diags) == 1
    d = diags[0]
    assert d.code == "RK201"
    assert d.message == "a comparison needs a value on its right"
    assert d.span == Span("policy.yaml", 2, 15, 2, 17)


def test_expression() -> None:
    c, diags = compile_expression("renewals + 1", make_scope(), at(0))
    assert diags == [] and c is not None
    assert c.type == NUMBER
    assert c({"renewals": 4}) == 5
    _, diags = compile_expression("region", make_scope(), at(0), expect=NUMBER)
    assert [d.code for d in diags] == ["RK203"]


def test_never_raises_on_odd_text() -> None:
    for text in [
        "",
        "(",
        "'",
        "\x00",
        "a" * 20_000,
        "-" * 3000 + "1",
        "[" * 500,
        "{",
        "x" + "+x" * 3000,
    ]:
        c, diags = compile_condition(text, make_scope(), at(0))
        assert c is None and diags and all(d.code in CODES for d in diags)


def test_long_but_shallow_condition_compiles() -> None:
    text = " or ".join(f"amount == {i}" for i in range(300))
    c, diags = compile_condition(text, make_scope(), at(0))
    assert diags == [] and c is not None
    assert c({"amount": 299}) is True


def test_template() -> None:
    tpl, diags = compile_template(
        "{customer}: {days_in_stage} days at {stage} {{ok}}", make_scope(), at(0), tz=UTC
    )
    assert diags == [] and tpl is not None
    assert tpl.render({"customer": "杭州环保", "days_in_stage": 12.0, "stage": "S1"}) == (
        "杭州环保: 12 days at S1 {ok}"
    )
    assert tpl.render({}) == ":  days at  {ok}"
    assert tpl.names == frozenset({"customer", "days_in_stage", "stage"})


def test_template_values() -> None:
    tpl, _ = compile_template(
        "{days_since(created_at)}d {amount / 3} {call_recording} {coalesce(region, '}')}",
        make_scope(),
        at(0),
        tz=UTC,
    )
    assert tpl is not None
    env = {"now": NOW, "created_at": NOW, "amount": 1, "call_recording": True}
    assert tpl.render(env) == "0d 0.333333 true }"


def test_template_errors_are_located_in_the_whole_string() -> None:
    def flat(start: int, end: int) -> Span:
        return Span("t", 1, start + 1, 1, end + 1)

    _, diags = compile_template("hi {stat} and {region > }", make_scope(), flat, tz=UTC)
    assert [(d.code, d.span) for d in diags] == [
        ("RK202", Span("t", 1, 5, 1, 9)),
        ("RK201", Span("t", 1, 23, 1, 24)),
    ]
    _, diags = compile_template("a {b", make_scope(), at(0), tz=UTC)
    assert [(d.code, d.message) for d in diags] == [("RK201", "this `{` is never closed")]
    _, diags = compile_template("a } {}", make_scope(), at(0), tz=UTC)
    assert [d.message for d in diags] == ["this `}` has no opening `{`", "empty `{}` in the text"]


def test_builtins_are_documented() -> None:
    for name, fn in BUILTINS.items():
        assert fn.name == name
        assert fn.doc and "\n" not in fn.doc
        assert fn.signature().startswith(name + "(")
    assert BUILTINS["days_since"].signature() == "days_since(date | date-time) -> number"
    assert BUILTINS["round"].signature() == "round(number, [number]) -> number"


def test_import_is_cheap() -> None:
    code = "import sys, rulekit.lang; print('lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_source_text_line_index() -> None:
    """Lines start after each `\\n` (a `\\r` stays on its line); offsets beyond clamp."""
    for text in ["", "a", "\n", "a\n", "a\nb", "\n\nx\r\ny\n", "一\n二三\n"]:
        src = SourceText("f", text)
        expected = [(1, 1)]
        line, column = 1, 1
        for ch in text:
            line, column = (line + 1, 1) if ch == "\n" else (line, column + 1)
            expected.append((line, column))
        assert [src.position(i) for i in range(len(text) + 1)] == expected
        assert src.position(len(text) + 5) == expected[-1]
        assert [src.line_text(n) for n in range(1, line + 1)] == [
            part.rstrip("\r") for part in text.split("\n")
        ]
