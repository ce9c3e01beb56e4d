"""`replay`, `run` and `explain` through the CLI: JSON on stdout only, text, exit codes, --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from rulekit.tables import read_table

HISTORY = """at,customer,type,actor,stage,to
2026-01-01 09:00,C1,archive,wang,,
2026-01-02,C1,promote,wang,D,
2026-01-03,C2,archive,admin,,
2026-01-04,C2,claim,li,,
2026-01-05,C2,approve,admin,,
2026-01-06,C1,promote,wang,B,
2026-01-07,C3,promote,li,D,
"""

RECORDS = """customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at,state_since,lapses,renewals
C1,wang,D,1,0,0,0,0,2026-01-01,,,,,2026-01-01,0,0
C2,wang,C,1,0,1,0,0,2026-01-01,,2026-01-05,,,2026-01-05,0,0
C3,li,OD,1,1,1,1,1,2026-01-01,2026-01-02,2026-01-03,2026-01-04,2026-05-01,2026-05-01,0,0
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    return path


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="gb18030")
    return path


def test_replay_json_is_the_contract_document(history: Path) -> None:
    code, out, err = invoke(
        "replay", "4321-dcbao@1", str(history), "--as-of", "2026-02-01", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"policy", "as_of", "customers", "reps", "rejected", "counts"}
    assert doc["policy"] == {"id": "4321-dcbao", "version": "1.0.0"}
    assert doc["as_of"] == "2026-02-01T00:00:00+08:00"
    assert set(doc["customers"][0]) == {
        "customer", "state", "owner", "pending_owner", "flags", "stage",
        "state_since", "lapses", "renewals", "holds_slot",
    }  # fmt: skip
    assert [(r["row"], r["reason"]) for r in doc["rejected"]] == [
        (6, "stage_skipped"),
        (7, "unknown_customer"),
    ]
    assert doc["counts"] == {"events": 7, "applied": 5, "rejected": 2, "timers": 0}


def test_replay_text_and_out_file(history: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "customers.xlsx"
    code, out, err = invoke(
        "replay", "4321-dcbao@1", str(history), "--as-of", "2026-02-01", "--out", str(out_file)
    )
    assert code == 0, err
    assert "refused 2 of 7 events" in out and "stage_skipped 1" in out
    table = read_table(out_file)
    assert [row[0] for row in table.rows] == ["C1", "C2"]
    assert "state" in table.columns and "D" in table.columns


def test_malformed_rows_fail_listing_every_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HISTORY + "2026-13-01,C4,archive,wang,,\n2026-01-08,,archive,wang,,\n"
        "2026-01-09,C5,promote,wang,Z,\n2026-01-10,C5,fly,wang,,\n2026-01-11,C1,reassign,admin,,\n",
        encoding="utf-8",
    )
    code, out, err = invoke("replay", "4321-dcbao@1", str(bad), "--as-of", "2026-02-01")
    assert code == 1 and out == ""
    for row, column in ((8, "at"), (9, "customer"), (10, "stage"), (11, "type"), (12, "to")):
        assert f"{bad}: data row {row} (line {row + 1}), column {column}:" in err
    code, out, err = invoke(
        "replay", "4321-dcbao@1", str(bad), "--as-of", "2026-02-01",
        "--skip-bad-rows", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert [r["row"] for r in doc["rejected"] if r["reason"] == "bad_row"] == [8, 9, 10, 11, 12]
    assert doc["counts"]["events"] == doc["counts"]["applied"] + doc["counts"]["rejected"]


def test_run_reads_gb18030_and_adds_snapshot_fields(records: Path) -> None:
    code, out, err = invoke(
        "run", "4321-dcbao@1", str(records), "--as-of", "2026-06-30", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    rows = {c["customer"]: c for c in doc["customers"]}
    assert rows["C2"]["stage"] == "D" and rows["C2"]["violations"] == ["stage_skipped"]
    assert rows["C1"]["priority"] == 1 and rows["C2"]["priority"] == 2
    assert rows["C1"]["overdue_days"] == 180 - 39
    assert rows["C3"]["state"] == "R"
    assert rows["C3"]["due"] == {"to": "E", "at": "2026-08-29T00:00:00+08:00"}
    assert doc["counts"] == {"events": 0, "applied": 0, "rejected": 0, "timers": 1}
    wang = next(r for r in doc["reps"] if r["rep"] == "wang")
    assert wang["funnel"] == {"new": 0, "D": 2, "C": 0, "B": 0, "A": 0, "O": 0}
    assert wang["expected_signings"] == round(0.06 / 1.0 + 0.06 / 0.38, 6)


def test_usage_errors_exit_2(history: Path, tmp_path: Path) -> None:
    code, _, err = invoke("replay", "4321-dcbao@1", str(tmp_path / "none.csv"), "--as-of", "2026")
    assert code == 2
    code, _, err = invoke("replay", "4321-dcbao@1", str(history), "--as-of", "yesterday")
    assert code == 2 and "--as-of" in err
    odd = tmp_path / "history.doc"
    odd.write_text("x")
    code, _, err = invoke("replay", "4321-dcbao@1", str(odd), "--as-of", "2026-01-01")
    assert code == 2 and "history.doc" in err


def test_invalid_policy_exits_1(history: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "rulekit: 1\nid: x\nversion: 1.0.0\nextends: 4321-dcbao@1\nquota: {limit: x}\n"
    )
    code, out, err = invoke("replay", str(policy), str(history), "--as-of", "2026-02-01")
    assert code == 1 and "RK103" in err and out == ""


def test_explain_text_and_json(history: Path) -> None:
    code, out, _ = invoke(
        "explain", "4321-dcbao@1", str(history), "--customer", "C1", "--as-of", "2026-02-01"
    )
    assert code == 0
    assert "transition contact" in out and "stage_skipped" in out
    code, out, _ = invoke(
        "explain", "4321-dcbao@1", str(history), "--customer", "C2",
        "--as-of", "2026-02-01", "--format", "json",
    )  # fmt: skip
    doc = json.loads(out)
    assert [s["transition"] for s in doc["steps"]] == ["archive-public", "claim", "claim"]
    assert doc["final"]["owner"] == "li"


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet", "xlsx"])
def test_out_formats_are_snapshots_run_can_read(history: Path, tmp_path: Path, ext: str) -> None:
    out_file = tmp_path / f"snapshot.{ext}"
    code, _, err = invoke(
        "replay", "4321-dcbao@1", str(history), "--as-of", "2026-02-01", "--out", str(out_file),
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = invoke(
        "run", "4321-dcbao@1", str(out_file), "--as-of", "2026-02-01", "--format", "json"
    )
    assert code == 0, err
    rows = {
        c["customer"]: (c["state"], c["owner"], c["stage"]) for c in json.loads(out)["customers"]
    }
    assert rows == {"C1": ("D", "wang", "D"), "C2": ("new", "li", None)}


def test_library_frames(history: Path) -> None:
    import rulekit

    result = rulekit.replay("4321-dcbao@1", history, as_of="2026-02-01")
    customers = result.customers_frame()
    assert customers["customer"].to_list() == ["C1", "C2"]
    assert customers["D"].to_list() == [1, 0]
    assert result.reps_frame()["slots_used"].to_list() == [1, 1]
    assert result.rejected_frame()["reason"].to_list() == ["stage_skipped", "unknown_customer"]
