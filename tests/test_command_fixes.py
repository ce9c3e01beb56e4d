"""Issue 14's command fixes: coverage accounts for every refusal; --format has help texts."""

from __future__ import annotations

import json
import re

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
