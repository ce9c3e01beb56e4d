"""`rulekit sweep` on the command line: the JSON shape, the text table, invalid candidates,
usage errors (exit 2, no traceback) and the library's DataFrame."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from tests.sweep.conftest import AS_OF

SUMMARY = {"policy", "counts", "states", "rejected", "expected_signings", "lapses"}


def invoke(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture(scope="module")
def swept(history: Path, baseline: Path) -> tuple[int, dict[str, Any], str]:
    code, out, err = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, "--workers", "1",
        "--vary", "quota.limit=4,-2,8", "--vary", "transitions.lapse.after=30d,90d",
        "--format", "json",
    )  # fmt: skip
    return code, json.loads(out), err


def test_json_shape(swept: tuple[int, dict[str, Any], str]) -> None:
    code, document, _ = swept
    assert code == 0
    assert set(document) == {"baseline", "candidates"}
    assert set(document["baseline"]) == SUMMARY
    assert document["baseline"]["policy"] == {"id": "sweep-base", "version": "1.2.0"}
    candidates = document["candidates"]
    assert [c["params"] for c in candidates] == [
        {"quota.limit": q, "transitions.lapse.after": d} for q in (4, -2, 8) for d in ("30d", "90d")
    ]
    for c in candidates:
        if c["params"]["quota.limit"] == -2:
            continue
        assert set(c) == {"params", *SUMMARY, "changed"}
        assert isinstance(c["changed"], int) and isinstance(c["lapses"], int)
        assert isinstance(c["expected_signings"], float)
    assert candidates[0]["states"] != candidates[4]["states"]  # the limit matters
    assert candidates[0]["lapses"] != candidates[1]["lapses"]  # the window matters


def test_an_invalid_candidate_is_reported_and_the_others_run(
    swept: tuple[int, dict[str, Any], str],
) -> None:
    code, document, err = swept
    bad = [c for c in document["candidates"] if c["params"]["quota.limit"] == -2]
    assert len(bad) == 2 and code == 0
    for c in bad:
        assert c["counts"] is None and c["changed"] is None and c["lapses"] is None
        (d,) = c["diagnostics"]
        assert d["file"] == "--vary quota.limit" and d["column"] == 15 and d["code"] == "RK104"
    assert "error[RK104]: quota.limit: must be at least 0" in err
    assert "--> --vary quota.limit:1:15" in err and " 1 | quota.limit=4,-2,8" in err
    assert err.count("error[RK104]") == 1  # once, not once per candidate
    assert "2 of 6 candidates are invalid" in err


def test_text_table_best_first(history: Path, baseline: Path) -> None:
    code, out, err = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, "--workers", "1",
        "--vary", "transitions.lapse.after=20d,60d,120d", "--rank-by", "-lapses",
    )  # fmt: skip
    assert code == 0, err
    assert "ranked by -lapses (best first)" in out
    rows = [line.split("│") for line in out.splitlines() if line.startswith("│")]
    first = [cells[1].strip() for cells in rows].index("base") + 1
    order = [cells[2].strip() for cells in rows[first : first + 3]]
    assert order == ["120d", "60d", "20d"]  # a longer window: fewer lapses


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--vary", "quota.limt=3"], "hint: did you mean `quota.limit`?"),
        (["--vary", "quota.limit=3", "--rank-by", "lapses +"], "(column 9): the expression"),
        (["--vary", "quota.limit=3", "--workers", "2", "--cluster", "x"], "not both"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    history: Path, baseline: Path, args: list[str], needle: str
) -> None:
    code, out, err = invoke("sweep", str(baseline), str(history), "--as-of", AS_OF, *args)
    assert code == 2 and out == "" and needle in err and "Traceback" not in err


def test_an_unreachable_cluster_is_a_usage_error(history: Path, baseline: Path) -> None:
    code, out, err = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, "--vary", "quota.limit=3",
        "--cluster", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "error: --cluster tcp://127.0.0.1:9" in err and "dask scheduler" in err


def test_every_candidate_invalid_exits_1(history: Path, baseline: Path) -> None:
    code, _, err = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, "--vary", "quota.limit=-1",
        "--workers", "1",
    )  # fmt: skip
    assert code == 1 and "error[RK104]" in err


def test_library_returns_one_row_per_candidate(history: Path, baseline: Path) -> None:
    frame = rulekit.sweep(
        str(baseline),
        str(history),
        as_of=AS_OF,
        vary={"quota.limit": [4, 8], "transitions.lapse.after": "30d..90d/60d"},
        workers=1,
        rank_by="expected_signings - 0.1*refused",
    )
    assert frame.height == 4
    assert frame["candidate"].to_list() == [0, 1, 2, 3]
    assert frame["quota.limit"].to_list() == [4, 4, 8, 8]
    assert frame["transitions.lapse.after"].to_list() == ["30d", "90d", "30d", "90d"]
    expected = [
        e - 0.1 * r for e, r in zip(frame["expected_signings"], frame["refused"], strict=True)
    ]
    assert frame["score"].to_list() == pytest.approx(expected)
    with pytest.raises(ValueError, match="no entry `quota.limt`"):
        rulekit.sweep(str(baseline), str(history), as_of=AS_OF, vary={"quota.limt": [1]})


def test_values_with_commas_from_the_command_line_and_the_library(
    history: Path, baseline: Path
) -> None:
    slots = ["state in [new, D, C, B, A]", "state in [new, D]"]
    code, out, err = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, "--workers", "1",
        "--vary", "quota.holds_slot=" + json.dumps(slots), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    candidates = json.loads(out)["candidates"]
    assert [c["params"] for c in candidates] == [{"quota.holds_slot": s} for s in slots]
    assert candidates[0]["changed"] == 0  # the baseline's own value
    assert candidates[1]["states"] != candidates[0]["states"]
    frame = rulekit.sweep(
        str(baseline), str(history), as_of=AS_OF, vary={"quota.holds_slot": slots}, workers=1
    )
    assert frame["quota.holds_slot"].to_list() == slots
    assert frame["changed"].to_list() == [c["changed"] for c in candidates]
