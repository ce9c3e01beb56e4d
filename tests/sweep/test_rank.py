"""`--rank-by`: arithmetic over objectives, parsed (never evaluated as Python), with errors at
their column; ranking is a total order, ties broken by grid index."""

from __future__ import annotations

import pytest

from rulekit.sweep.errors import OptionError
from rulekit.sweep.rank import parse
from rulekit.sweep.result import Row, SweepResult

STATES = ["new", "D", "E", "L"]
REASONS = ["quota_exceeded", "not_owner"]
VALUES = {"lapses": 4.0, "expected_signings": 10.0, "refused": 20.0, "states.E": 3.0}


def score(text: str) -> float | None:
    return parse(text, STATES, REASONS).score(VALUES)


def test_arithmetic_and_precedence() -> None:
    assert score("-lapses") == -4
    assert score("expected_signings - 0.1*refused") == pytest.approx(8.0)
    assert score("expected_signings - 0.1 * refused * 2") == pytest.approx(6.0)
    assert score("(expected_signings - refused) / 2") == -5
    assert score("--lapses + +1") == 5
    assert score("2 * -lapses") == -8
    assert score("states.E + rejected.quota_exceeded") == 3  # absent counts 0
    assert score("lapses / (refused - 20)") is None  # division by zero: unranked
    assert score("1e2 + .5") == 100.5


@pytest.mark.parametrize(
    ("text", "column", "message", "hint"),
    [
        ("lapse", 1, "unknown objective `lapse`", "did you mean `lapses`?"),
        ("-lapses + states.X", 11, "unknown objective `states.X`", None),
        ("lapses +", 9, "ends early", "expected_signings - 0.1*refused"),
        ("(lapses", 8, "missing `)`", None),
        ("lapses lapses", 8, "unexpected `lapses`", None),
        ("lapses ** 2", 9, "unexpected `*`", None),
        ("__import__('os')", 12, "unexpected `'`", None),
        ("__import__", 1, "unknown objective `__import__`", None),
        ("lapses; 1", 7, "unexpected `;`", None),
        ("", 1, "ends early", None),
    ],
)
def test_errors_have_a_column_and_a_hint(
    text: str, column: int, message: str, hint: str | None
) -> None:
    with pytest.raises(OptionError) as caught:
        parse(text, STATES, REASONS)
    assert caught.value.column == column, caught.value.lines()
    assert message in caught.value.message
    assert caught.value.hint and (hint is None or hint in caught.value.hint)


def _summary(lapses: int) -> dict[str, object]:
    counts = {"events": 1, "applied": 1, "rejected": 0, "timers": 0}
    return {"counts": counts, "states": {}, "rejected": {}, "expected_signings": 0.0,
            "lapses": lapses}  # fmt: skip


def test_ranking_is_a_total_order_with_grid_index_breaking_ties() -> None:
    rows = [
        Row(0, {"a": 1}, _summary(5), 0),
        Row(1, {"a": 2}, None, None),
        Row(2, {"a": 3}, _summary(3), 0),
        Row(3, {"a": 4}, _summary(5), 0),
        Row(4, {"a": 5}, _summary(3), 0),
    ]
    result = SweepResult(["a"], _summary(0), rows, "2026-01-01T00:00:00+08:00")
    result.rank(parse("-lapses", STATES, REASONS))
    assert [r.index for r in result.ranked()] == [2, 4, 0, 3, 1]
    result.rank(None)
    assert [r.index for r in result.ranked()] == [0, 1, 2, 3, 4]
