"""`--vary PATH=VALUES`: values in the entry's spelling, ranges, the grid's order, usage errors
with their column and a hint, and candidates built as overlays (lists replaced whole)."""

from __future__ import annotations

import pytest

from rulekit import api
from rulekit.sweep.candidates import candidates, overlay_data
from rulekit.sweep.errors import OptionError
from rulekit.sweep.grid import entries, grid, parse_axis
from rulekit.sweep.run import axes


@pytest.fixture(scope="module")
def known() -> dict[str, tuple[str | int, ...]]:
    return entries(api.load("4321-dcbao@1").document)


def values(text: str, known: dict[str, tuple[str | int, ...]]) -> list[object]:
    return list(parse_axis(text, known).values)


def test_values_are_read_in_the_entrys_spelling(known: dict[str, tuple[str | int, ...]]) -> None:
    assert values("quota.limit=30,40,50", known) == [30, 40, 50]
    assert values("transitions.lapse.after=45d, 60d ,90d", known) == ["45d", "60d", "90d"]
    assert values("stages.C.target.reach=0.3,38%", known) == [0.3, "38%"]
    assert values("transitions.claim.approval=admin,null", known) == ["admin", None]


def test_ranges(known: dict[str, tuple[str | int, ...]]) -> None:
    assert values("quota.limit=30..50/5", known) == [30, 35, 40, 45, 50]
    assert values("quota.limit=30..52/5", known) == [30, 35, 40, 45, 50]
    assert values("transitions.lapse.after=30d..120d/15d", known) == [
        "30d", "45d", "60d", "75d", "90d", "105d", "120d",
    ]  # fmt: skip
    assert values("stages.C.target.days=0.5..1.5/0.5", known) == [0.5, 1, 1.5]
    assert values("quota.limit=10,30..40/10", known) == [10, 30, 40]


def test_values_with_commas_as_a_json_list(known: dict[str, tuple[str | int, ...]]) -> None:
    text = 'quota.holds_slot= ["state in [new, D, C]", "state in [D]"] '
    axis = parse_axis(text, known)
    assert axis.values == ("state in [new, D, C]", "state in [D]")
    assert [text[a:b] for a, b in axis.spans] == ['"state in [new, D, C]"', '"state in [D]"']
    assert values("quota.limit=[30, 40]", known) == [30, 40]  # JSON's types: numbers
    assert values('transitions.lapse.after=["45d"]', known) == ["45d"]


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("quota.limit=[]", 13, "empty list"),
        ("quota.limit=[30, 40", 20, "not closed"),
        ("quota.limit=[30 40]", 17, "expected `,` or `]`"),
        ("quota.limit=[30, [40]]", 18, "not one value"),
        ("quota.limit=[30, x]", 18, "not a JSON list"),
        ("quota.limit=[30] 40", 18, "text after the list"),
    ],
)
def test_json_list_errors_point_at_the_column(
    known: dict[str, tuple[str | int, ...]], text: str, column: int, message: str
) -> None:
    with pytest.raises(OptionError) as caught:
        parse_axis(text, known)
    assert caught.value.column == column and message in caught.value.message
    assert '["a,b", "c"]' in (caught.value.hint or "")


def test_the_grid_is_the_product_in_the_order_given() -> None:
    policy = api.load("4321-dcbao@1")
    grid_axes = axes(policy, ["quota.limit=1,2", "transitions.lapse.after=5d,6d,7d"])
    points = grid(grid_axes)
    found = [c.params for c in candidates(policy, grid_axes, points)]
    assert found == [
        {"quota.limit": a, "transitions.lapse.after": b} for a in (1, 2) for b in ("5d", "6d", "7d")
    ]


@pytest.mark.parametrize(
    ("text", "column", "message", "hint"),
    [
        ("quota.limt=3", 1, "no entry `quota.limt`", "did you mean `quota.limit`?"),
        ("quota=3", 1, "`quota` is a section", "quota.limit"),
        ("quota.limit", 12, "expected PATH=VALUES", "quota.limit=30,40,50"),
        ("quota.limit=3,,4", 15, "empty value", "extra comma"),
        ("quota.limit=5..1/1", 13, "is empty", "30..50/5"),
        ("quota.limit=1..5/0", 13, "is empty", "30..50/5"),
        ("transitions.lapse.after=30d..2w/1d", 25, "mixes units", "one unit"),
        ("quota.limit=1..x/1", 16, "`x` is not a number", "START..STOP/STEP"),
        ("quota.limit=1..9", 13, "is not a range", "START..STOP/STEP"),
        ("quota.limit=1..5000/1", 13, "5000 values", "larger step"),
    ],
)
def test_usage_errors_point_at_the_column(
    known: dict[str, tuple[str | int, ...]], text: str, column: int, message: str, hint: str
) -> None:
    with pytest.raises(OptionError) as caught:
        parse_axis(text, known)
    error = caught.value
    assert error.column == column and message in error.message and hint in (error.hint or "")
    lines = error.lines()
    assert lines[0].startswith(f"error: --vary (column {column}): ")
    assert lines[2].index("^") == column + 3  # under the column, after "  | "


def test_a_path_varied_twice_and_a_grid_too_big() -> None:
    policy = api.load("4321-dcbao@1")
    with pytest.raises(OptionError, match="varied twice"):
        axes(policy, ["quota.limit=1", "quota.limit=2"])
    with pytest.raises(OptionError, match="more than 10,000"):
        axes(policy, ["quota.limit=1..200/1", "stages.C.target.days=1..100/1"])


def test_a_list_entry_replaces_the_whole_list_with_one_item_changed() -> None:
    base = {"priority": {"order": ["a", "b", "c"]}, "quota": {"limit": 50, "holds_slot": "x"}}
    data = overlay_data(base, [(("priority", "order", 1), "z"), (("quota", "limit"), 7)])
    assert data == {"priority": {"order": ["a", "z", "c"]}, "quota": {"limit": 7}}
    assert base["priority"]["order"] == ["a", "b", "c"]  # the base is not changed


def test_an_invalid_value_is_reported_at_its_text_in_the_option() -> None:
    policy = api.load("4321-dcbao@1")
    text = "transitions.renew.set.renewals=renewals + 2,nonsense + 1"
    good, bad = candidates(policy, axes(policy, [text]), [(0,), (1,)])
    assert good.valid and good.policy is not None
    assert good.policy.model.transitions["renew"].set["renewals"] == "renewals + 2"
    assert not bad.valid and [d.code for d in bad.diagnostics] == ["RK202"]
    span = bad.diagnostics[0].span
    assert span is not None and span.file == "--vary transitions.renew.set.renewals"
    assert span.column == text.index("nonsense") + 1
