"""The shipped examples stay valid, their policy tests pass, their proposals dry-run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import EXAMPLES

CLIENTS = sorted(p.name for p in EXAMPLES.iterdir() if any(p.glob("history*")))
TUTORIAL = EXAMPLES / "tutorial"


def test_three_clients_ship() -> None:
    assert len(CLIENTS) >= 3


@pytest.mark.parametrize("client", CLIENTS)
def test_client_validates_and_its_tests_pass(client: str) -> None:
    folder = EXAMPLES / client
    files = [str(folder / "policy.yaml"), str(folder / "proposal.yaml")]
    result = CliRunner().invoke(cli, ["validate", "--strict", *files])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


@pytest.mark.parametrize("client", CLIENTS)
def test_proposal_dry_run(client: str) -> None:
    folder = EXAMPLES / client
    history = next(p for p in sorted(folder.glob("history*")) if p.suffix in (".csv", ".xlsx"))
    result = CliRunner().invoke(
        cli,
        [
            "dry-run", "--baseline", str(folder / "policy.yaml"),
            "--candidate", str(folder / "proposal.yaml"), str(history),
            "--people", str(folder / "people.csv"), "--as-of", "2027-01-01", "--format", "json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["baseline"]["counts"]["events"] == doc["candidate"]["counts"]["events"] > 10_000
    assert doc["changed"], "a proposal that changes nothing is not a useful example"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert f"{len(doc['changed']):,}" in readme, "the README's dry-run numbers are stale"


def test_example_histories_are_real_files() -> None:
    for client in CLIENTS:
        assert any(Path(EXAMPLES / client).glob("history*"))


def test_tutorial_files_work_as_the_tutorial_says() -> None:
    runner = CliRunner()
    files = [str(TUTORIAL / "policy.yaml"), str(TUTORIAL / "proposal.yaml")]
    assert runner.invoke(cli, ["validate", *files]).exit_code == 0
    result = runner.invoke(cli, ["test", str(TUTORIAL / "proposal-tests.yaml")])
    assert result.exit_code == 0 and "3 passed" in result.output
    result = runner.invoke(
        cli,
        [
            "dry-run", "--baseline", files[0], "--candidate", files[1],
            str(TUTORIAL / "crm-export.xlsx"), "--people", str(TUTORIAL / "people.csv"),
            "--as-of", "2026-06-30", "--format", "json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["changed"]) == 44  # the number docs/tutorial.md explains
    assert doc["candidate"]["rejected"]["quota_exceeded"] == 38


def test_shipped_yaml_is_fmt_clean() -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("*/*.yaml"))
    assert any(f.endswith("tests.yaml") for f in files)
    result = CliRunner().invoke(cli, ["fmt", "--check", *files])
    assert result.exit_code == 0, result.output


def test_wps_export_replays_as_it_comes() -> None:
    folder = EXAMPLES / "wps-export"
    raw = (folder / "history.csv").read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16 LE with its BOM, as "Unicode text" saves
    text = raw.decode("utf-16")
    assert text.startswith("时间\t客户编号\t事件") and "\n2026/1/1 " in text
    result = CliRunner().invoke(
        cli,
        [
            "replay", str(folder / "policy.yaml"), str(folder / "history.csv"),
            "--people", str(folder / "people.csv"), "--as-of", "2027-01-01", "-v",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "read as UTF-16 (with its BOM), separated by tab, 20,556 data rows" in result.stderr
