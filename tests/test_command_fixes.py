"""Issue 14's command fixes: coverage accounts for every refusal; --format has help texts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import EXAMPLES

T = EXAMPLES / "tutorial"
ARGS = [str(T / "proposal.yaml"), str(T / "crm-export.xlsx"), "--as-of", "2026-06-30",
        "--people", str(T / "people.csv")]  # fmt: skip


def test_coverage_accounts_for_every_refusal() -> None:
    text = CliRunner().invoke(cli, ["coverage", *ARGS]).output
    doc = json.loads(CliRunner().invoke(cli, ["coverage", *ARGS, "--format", "json"]).output)
    column = sum(t["refused"] for t in doc["transitions"])
    total = doc["counts"]["rejected"]
    assert f"refused: {column} of the {total} refused events would have taken" in text
    line = next(x for x in text.splitlines() if x.startswith(" refused by reason: "))
    assert sum(int(n) for n in re.findall(r" (\d+)(?: ·|$)", line)) == total


def test_format_options_have_help() -> None:
    for command in ("diff", "test"):
        text = CliRunner().invoke(cli, [command, "--help"]).output
        block = text[text.index("--format") :].split("\n  -")[0]
        assert "json" in block and len(block.split()) > 8, block


def test_diff_shows_what_changed_inside_a_condition() -> None:
    folder = EXAMPLES / "lanxin-saas"
    out = CliRunner().invoke(
        cli, ["diff", str(folder / "policy.yaml"), str(folder / "proposal.yaml")]
    )
    assert out.exit_code == 0
    assert '> 14" (21 → 14)' in out.output


def test_show_paths_relative_and_installed_by_reference(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(EXAMPLES / "jinghua-env")
    out = CliRunner().invoke(cli, ["show", "../acme-valves/policy.yaml"]).output
    assert "(../acme-valves/policy.yaml) extends 4321-dcbao 1.0.0 (4321-dcbao@1)" in out
    assert "src/rulekit/policies" not in out and "4321-dcbao@1:" in out


def test_extends_typo_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("rulekit: 1\nid: x\nversion: 1.0.0\nextends: 4321-dcbo@1\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["validate", str(path)])
    assert out.exit_code == 1 and "did you mean `4321-dcbao@1`?" in out.output


def test_validate_a_folder_and_test_files_as_test_files(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["validate", str(EXAMPLES / "wps-export")])
    assert out.exit_code == 0, out.output
    assert "2 policies and 2 test files valid" in out.output and "tests.yaml" in out.output
    bad = tmp_path / "tests.yaml"
    bad.write_text("policy: policy.yaml\nas_of: 2026-01-01\ntests:\n  a: {evnts: x}\n", "utf-8")
    out = CliRunner().invoke(cli, ["validate", str(bad)])
    assert out.exit_code == 1
    assert "unknown key `evnts`" in out.stderr and "did you mean `events`?" in out.stderr


def test_validate_reports_structure_and_condition_errors_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "rulekit: 1\nid: two\nversion: 1.0.0\nextends: 4321-dcbao@1\nquota: {limit: many}\n"
        'trasitions: {}\nrules:\n  r1:\n    when: "state == A and nosuch > 3"\n'
        "    alert: warning\n    message: x\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(cli, ["validate", "--format", "json", str(path)])
    codes = sorted(d["code"] for d in json.loads(out.output)["diagnostics"])
    assert codes == ["RK101", "RK103", "RK202"]


def test_a_skipped_test_says_why(tmp_path: Path) -> None:
    path = tmp_path / "tests.yaml"
    path.write_text(
        "policy: 4321-dcbao@1\nas_of: 2026-03-31\ntests:\n"
        "  runs:\n    events: |\n      at, customer, type, actor\n"
        "      2026-01-01, C1, archive, wang\n    expect: {customers: {C1: {state: new}}}\n"
        "  later:\n    skip: waiting for the client's quota\n    events: |\n"
        "      at, customer, type, actor\n      2026-01-01, C1, archive, wang\n"
        "    expect: {customers: {C1: {state: D}}}\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(cli, ["test", str(path)])
    assert out.exit_code == 0, out.output
    assert "::later  SKIPPED (waiting for the client's quota)" in out.output
    assert "2 tests, 1 passed, 0 failed, 1 skipped" in out.output
    doc = json.loads(CliRunner().invoke(cli, ["test", str(path), "--format", "json"]).output)
    assert doc["summary"]["skipped"] == 1
    assert [t["skip"] for t in doc["tests"]] == [None, "waiting for the client's quota"]
