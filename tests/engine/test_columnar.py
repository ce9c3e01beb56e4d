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
from rulekit.engine.columnar import NotColumnar, run_columnar
from rulekit.engine.people import People
from rulekit.tables import Table
from tests.conftest import overlay

POLICY = rulekit.load("4321-dcbao@1")
COLUMNS = ["customer", "owner", "state", "D", "C", "B", "A", "O", "D_at", "C_at", "B_at",
           "A_at", "O_at", "state_since", "lapses", "renewals", "pending_owner"]  # fmt: skip
STATES = ["new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L"]
DATES = st.one_of(
    st.just(""),
    st.builds(
        lambda d, h, bare: f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}"
        + ("" if bare else f" {h:02d}:30"),
        st.integers(0, 28 * 6 - 1),
        st.integers(0, 23),
        st.booleans(),
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
    """The row engine's document, and the columnar engine's (which must not fall back)."""
    table = Table("<rows>", None, COLUMNS, rows, None)
    at = _instant(as_of, policy)
    row = runner.run(policy, table, at, engine="row").document()
    col = run_columnar(policy, table, at, People()).document()
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
