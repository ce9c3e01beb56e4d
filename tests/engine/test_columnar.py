"""The columnar engine gives the row engine's `run` document, value for value, or falls back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.api import _instant
from rulekit.engine import runner
from rulekit.engine.columnar.engine import NotColumnar, run_columnar
from rulekit.engine.core.people import People
from rulekit.tables import Table
from tests.conftest import overlay

POLICY = rulekit.load("4321-dcbao@1")
COLUMNS = ["customer", "owner", "state", "D", "C", "B", "A", "O", "D_at", "C_at", "B_at",
           "A_at", "O_at", "state_since", "lapses", "renewals", "pending_owner"]  # fmt: skip
STATES = ["new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L"]
TIMES = ["", " {h:02d}:30", "T{h:02d}:30", " {h:02d}:30:15", "T{h:02d}:30:15",
         "T{h:02d}:30:15+08:00", " {h:02d}:30:15+05:00"]  # fmt: skip
DATES = st.one_of(
    st.just(""),
    st.builds(
        lambda d, h, time: f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}" + time.format(h=h),
        st.integers(0, 28 * 6 - 1),
        st.integers(0, 23),
        st.sampled_from(TIMES),
    ),
)  # fmt: skip


@st.composite
def record(draw: Any, n: int) -> list[str]:
    state = draw(st.sampled_from(STATES))
    flags = draw(st.lists(st.sampled_from(["1", "0", ""]), min_size=5, max_size=5))
    owner = "" if state == "L" else draw(st.sampled_from(["wang", "li", "zhao", ""]))
    pending = draw(st.sampled_from(["", "", "li"])) if state == "L" else ""
    dates = [draw(DATES) for _ in range(5)]
    return [f"C{n:03d}", owner, state, *flags, *dates, draw(DATES),
            draw(st.sampled_from(["0", "1", ""])), "0", pending]  # fmt: skip


snapshots = st.integers(1, 30).flatmap(
    lambda n: st.tuples(*(record(i) for i in range(n))).map(list)
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both(policy: Any, rows: list[list[str]], as_of: str = "2026-06-30") -> tuple[dict, dict]:
    """The row engine's document, and the columnar engine's (which must not fall back); the
    customer rows the columnar result makes from its frame must be the row engine's too."""
    table = Table("<rows>", None, COLUMNS, rows, None)
    at = _instant(as_of, policy)
    by_row = runner.run(policy, table, at, engine="row")
    by_column = run_columnar(policy, table, at, People())
    row, col = by_row.document(), by_column.document()  # the frame's document first
    assert by_column.customers == by_row.customers
    assert by_column.customer_table() == by_row.customer_table()
    return row, col


@SETTINGS
@given(snapshots, st.sampled_from(["2026-03-01", "2026-06-30T12:00", "2026-12-31"]))
def test_same_document_as_the_row_engine(rows: list[list[str]], as_of: str) -> None:
    row, col = both(POLICY, rows, as_of)
    assert col == row


@pytest.fixture(scope="module")
def tailored(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("p") / "p.yaml"
    path.write_text(
        overlay("quota: {limit: 2}\ntransitions: {deliver: {after: 20d}, lapse: {after: 60d}}\n")
    )
    return rulekit.load(path)


@SETTINGS
@given(rows=snapshots)
def test_same_document_under_an_overlay(tailored: Any, rows: list[list[str]]) -> None:
    row, col = both(tailored, rows)
    assert col == row


def test_falls_back_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["C1", "wang", "D", "1", "0", "0", "0", "0", "2026-01-01T09:00Z", "", "", "",
             "", "2026-01-01", "0", "0", ""]]  # fmt: skip
    table = Table("<rows>", None, COLUMNS, rows, None)
    at = _instant("2026-06-30", POLICY)
    with pytest.raises(NotColumnar):  # `Z`: the columnar reader leaves it alone
        run_columnar(POLICY, table, at, People())
    col = runner.run(POLICY, table, at, engine="columnar").document()
    assert col == runner.run(POLICY, table, at, engine="row").document()
    assert "using the row engine" in capsys.readouterr().err


def test_cli_engine_option(tmp_path: Path, write: Callable[..., Path]) -> None:
    from click.testing import CliRunner

    from rulekit.cli.main import cli

    records = tmp_path / "r.csv"
    records.write_text(
        ",".join(COLUMNS) + "\nC1,wang,OD,1,1,1,1,1,,,,,2026-01-01,2026-01-01,0,0,\n"
    )
    outs = [
        CliRunner().invoke(
            cli, ["run", "4321-dcbao@1", str(records), "--as-of", "2026-06-30",
                  "--format", "json", "--engine", engine],
        ).stdout
        for engine in ("row", "columnar")
    ]  # fmt: skip
    assert outs[0] == outs[1] and '"state": "E"' in outs[0]


def policy_of(tmp_path: Path, body: str) -> Any:
    path = tmp_path / "p.yaml"
    path.write_text(overlay(body), encoding="utf-8")
    return rulekit.load(path)


ROW = ["C1", "wang", "OD", "1", "1", "1", "1", "1", "", "", "", "", "", "2026-01-01", "0", "0", ""]


@pytest.mark.parametrize(
    "body",
    [
        'quota: {holds_slot: "state in [new, D, C, B, A] or days_in_state < 40"}\n',
        'transitions: {lapse: {set: {lapses: "days_since(state_since)"}}}\n',
    ],
)
def test_time_dependent_conditions_fall_back(tmp_path: Path, body: str) -> None:
    policy = policy_of(tmp_path, body)
    table = Table("<rows>", None, COLUMNS, [ROW], None)
    at = _instant("2026-12-31", policy)
    with pytest.raises(NotColumnar, match="depends on the time"):
        run_columnar(policy, table, at, People())
    row = runner.run(policy, table, at).document()
    assert runner.run(policy, table, at, engine="columnar").document() == row


def test_a_pending_owner_counts_as_pending_only_where_claims_wait(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, 'quota: {holds_slot: "pending"}\n')
    rows = [["C1", "wang", "D", "1", "0", "0", "0", "0", "2026-01-01", "", "", "", "",
             "2026-01-01", "0", "0", "li"]]  # fmt: skip
    row, col = both(policy, rows)
    assert col == row


@pytest.mark.parametrize("cell", ["nan", "inf"])
def test_numbers_that_are_not_finite_fall_back(cell: str) -> None:
    rows = [[*ROW[:14], cell, "0", ""]]
    table = Table("<rows>", None, COLUMNS, rows, None)
    with pytest.raises(NotColumnar):
        run_columnar(POLICY, table, _instant("2026-06-30", POLICY), People())


def test_a_typed_cell_anywhere_falls_back() -> None:
    rows = [[f"C{i:04d}", *ROW[1:]] for i in range(1500)]
    rows[-1][14] = 1e-07  # type: ignore[call-overload]
    table = Table("<rows>", None, COLUMNS, rows, None)
    with pytest.raises(NotColumnar):
        run_columnar(POLICY, table, _instant("2026-06-30", POLICY), People())


def test_daylight_saving_gaps_fall_back(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "timezone: America/New_York\n")
    rows = [[*ROW[:13], "2026-03-08 02:30", "0", "0", ""]]  # no such local time
    table = Table("<rows>", None, COLUMNS, rows, None)
    at = _instant("2026-12-31", policy)
    with pytest.raises(NotColumnar):
        run_columnar(policy, table, at, People())
    assert (
        runner.run(policy, table, at, engine="columnar").document()
        == runner.run(policy, table, at).document()
    )


def test_alerts_need_the_row_engine() -> None:
    table = Table("<rows>", None, COLUMNS, [ROW], None)
    result = run_columnar(POLICY, table, _instant("2026-06-30", POLICY), People())
    with pytest.raises(RuntimeError, match="row engine"):
        _ = result.alerts


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [COLUMNS, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_library_reads_a_csv_file_straight_into_polars(tmp_path: Path) -> None:
    rows = [["C2", "wang", "OD", "1", "1", "1", "1", "1", "", "", "", "", "2026-01-02",
             "2026-05-01 10:00:00", "0", "0", ""],
            ["C1", "li", "B", "1", "1", "1", "0", "0", "2026-01-02", "2026-02-03T10:00",
             "2026-03-04", "", "", "2026-03-04", "", "", ""]]  # fmt: skip
    path = write_csv(tmp_path / "records.csv", rows)
    auto = rulekit.run(POLICY, path, as_of="2026-06-30")  # engine="auto" by default
    assert auto.frame is not None and auto.world is None
    row = rulekit.run(POLICY, path, as_of="2026-06-30", engine="row")
    assert auto.document() == row.document()
    assert [c.state for c in auto.customers] == ["B", "R"]


def test_auto_falls_back_without_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["C1", "wang", "D", "1", "0", "0", "0", "0", "2026-01-01T09:00Z", "", "", "",
             "", "2026-01-01", "0", "0", ""]]  # fmt: skip
    path = write_csv(tmp_path / "records.csv", rows)
    auto = rulekit.run(POLICY, path, as_of="2026-06-30")
    assert auto.world is not None  # the row engine's result
    assert auto.document() == rulekit.run(POLICY, path, as_of="2026-06-30", engine="row").document()
    assert capsys.readouterr().err == ""


VALUES = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=12, max_size=12),
    st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "王", ""])), min_size=12, max_size=12),
    st.lists(st.one_of(st.none(), st.floats(-2, 2, allow_nan=False)), min_size=12, max_size=12),
    st.lists(st.one_of(st.none(), st.booleans()), min_size=12, max_size=12),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(VALUES, st.booleans()), min_size=1, max_size=3))
def test_one_integer_key_sorts_as_the_keys_do(columns: list[tuple[list[Any], bool]]) -> None:
    import polars as pl

    from rulekit.engine.columnar.engine import integer_sort_key

    pool = pl.DataFrame({f"k{i}": values for i, (values, _) in enumerate(columns)})
    keys = [(f"k{i}", descending) for i, (_, descending) in enumerate(columns)]
    want = pool.with_row_index("i").sort(
        [k for k, _ in keys], descending=[d for _, d in keys], nulls_last=True, maintain_order=True
    )["i"]
    key = integer_sort_key(pool, keys)
    assert key is not None
    got = pool.with_row_index("i").with_columns(_key=key).sort("_key", maintain_order=True)["i"]
    assert got.to_list() == want.to_list()


@pytest.mark.parametrize(
    ("zone", "first", "last", "hours"),
    [
        ("Asia/Shanghai", "2020-01-01", "2026-12-31", 8),
        ("Asia/Shanghai", "1986-01-01", "1987-01-01", None),  # summer time 1986-1991
        ("America/New_York", "2026-01-02", "2026-02-27", -5),
        ("America/New_York", "2026-01-02", "2026-03-09", None),  # 8 March 2026: clocks forward
        ("America/New_York", "2026-03-10", "2026-03-20", -4),
        ("UTC", "0001-01-02", "0100-01-01", 0),
        ("UTC", "1800-01-01", "2026-01-01", None),  # over 150 years: not checked
    ],
)
def test_fixed_offset_over_the_days_read(
    zone: str, first: str, last: str, hours: int | None
) -> None:
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from rulekit.engine.input.record_frame import fixed_offset

    got = fixed_offset(ZoneInfo(zone), date.fromisoformat(first), date.fromisoformat(last))
    assert got == (timedelta(hours=hours) if hours is not None else None)
