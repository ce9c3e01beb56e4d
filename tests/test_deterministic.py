"""Every command prints the same bytes whatever the hash seed: every ordering is total."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

T = EXAMPLES / "tutorial"
P, PROP, H, PEOPLE = (str(T / n) for n in ("policy.yaml", "proposal.yaml", "crm-export.xlsx",
                                            "people.csv"))  # fmt: skip
AS_OF = ["--as-of", "2026-06-30"]
COMMANDS = {
    "validate": ["validate", P, PROP],
    "replay": ["replay", P, H, "--people", PEOPLE, *AS_OF],
    "replay-json": ["replay", P, H, "--people", PEOPLE, *AS_OF, "--format", "json", "--alerts"],
    "explain": ["explain", PROP, H, "--customer", "C00015", "--people", PEOPLE, *AS_OF],
    "dry-run": ["dry-run", "--baseline", P, "--candidate", PROP, H, "--people", PEOPLE, *AS_OF],
    "diff": ["diff", P, PROP],
    "show": ["show", PROP],
    "coverage": ["coverage", PROP, H, "--people", PEOPLE, *AS_OF],
    "test": ["test", str(T / "proposal-tests.yaml")],
}


def run(args: list[str], seed: str, cwd: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "100", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "rulekit.cli.main", *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout + b"\n--stderr--\n" + done.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_same_bytes_under_two_hash_seeds(name: str, tmp_path: Path) -> None:
    args = COMMANDS[name]
    assert run(args, "1", tmp_path) == run(args, "2024", tmp_path)


def test_run_and_the_html_report_under_two_hash_seeds(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.csv"
    run(["replay", P, H, "--people", PEOPLE, *AS_OF, "--format", "json", "--out", str(snapshot)],
        "0", tmp_path)  # fmt: skip
    args = ["run", P, str(snapshot), "--people", PEOPLE, *AS_OF, "--lang", "zh"]
    assert run(args, "1", tmp_path) == run(args, "2024", tmp_path)
    pages = []
    for seed in ("1", "2024"):
        page = tmp_path / f"report-{seed}.html"
        run(["dry-run", "--baseline", P, "--candidate", PROP, H, "--people", PEOPLE, *AS_OF,
             "--format", "json", "--html", str(page)], seed, tmp_path)  # fmt: skip
        pages.append(page.read_bytes())
    assert pages[0] == pages[1]
