"""The dry-run's changed customers: column against column, as the mapping comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rulekit.analysis.dryrun import Change, End, changes, compare, ends


def _reference(left: dict[str, End], right: dict[str, End]) -> list[Change]:
    """The comparison as it was first written: every customer of either side, sorted."""
    out = []
    for cid in sorted(left.keys() | right.keys()):
        x, y = left.get(cid, (None, None)), right.get(cid, (None, None))
        if x != y:
            out.append(Change(cid, x, y))
    return out


class _Ends:
    """A result's customer columns (all `changes` and `ends` read)."""

    def __init__(self, rows: Sequence[tuple[str, str | None, str | None]]) -> None:
        self.rows = rows

    def customer_column(self, name: str) -> list[Any]:
        i = ("customer", "state", "owner").index(name)
        return [row[i] for row in self.rows]


def _changes(
    left: Sequence[tuple[str, str | None, str | None]],
    right: Sequence[tuple[str, str | None, str | None]],
) -> list[Change]:
    a, b = _Ends(left), _Ends(right)
    found = changes(a, b)  # type: ignore[arg-type]
    assert found == compare(ends(a), ends(b)) == _reference(ends(a), ends(b))  # type: ignore[arg-type]
    return found


def test_same_customers_compared_column_against_column() -> None:
    left = [("C1", "new", "li"), ("C2", "D", "li"), ("C3", "L", None), ("C4", "A", "wang")]
    right = [("C1", "new", "li"), ("C2", "D", "wang"), ("C3", "new", "li"), ("C4", "A", "wang")]
    assert _changes(left, right) == [
        Change("C2", ("D", "li"), ("D", "wang")),
        Change("C3", ("L", None), ("new", "li")),
    ]


def test_customers_out_of_order_come_out_in_customer_order() -> None:
    left = [("C9", "new", "li"), ("C1", "D", "li")]
    right = [("C9", "L", None), ("C1", "C", "li")]
    assert [c.customer for c in _changes(left, right)] == ["C1", "C9"]


def test_a_customer_one_side_lacks_is_unknown_there() -> None:
    left = [("C1", "new", "li"), ("C3", "D", "li")]
    right = [("C1", "new", "li"), ("C2", "new", "wang")]
    assert _changes(left, right) == [
        Change("C2", (None, None), ("new", "wang")),
        Change("C3", ("D", "li"), (None, None)),
    ]


def test_a_customer_unknown_on_both_sides_is_no_change() -> None:
    left: dict[str, End] = {"C1": (None, None)}
    right: dict[str, End] = {"C2": (None, None)}
    assert compare(left, right) == _reference(left, right) == []


def test_ids_polars_cannot_hold_are_compared_as_mappings() -> None:
    left = [("\ud800", "new", "li"), ("C1", "D", "li")]  # a lone surrogate, from a JSON string
    right = [("\ud800", "L", None), ("C1", "D", "li")]
    assert _changes(left, right) == [Change("\ud800", ("new", "li"), ("L", None))]
    numbered: Any = [[(7, "new", "li")], [(7, "D", "li")]]
    assert _changes(*numbered) == [Change(numbered[0][0][0], ("new", "li"), ("D", "li"))]
