"""The library's public API is listed by dir() and help(), and does what the commands do."""

from __future__ import annotations

import pydoc
from pathlib import Path

from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from tests.conftest import EXAMPLES

TUTORIAL = EXAMPLES / "tutorial"
PUBLIC = ["load", "validate", "replay", "run", "dry_run", "explain", "diff",
          "PolicyError", "InputError", "TableError", "CompiledPolicy", "Diagnostic"]  # fmt: skip


def test_dir_and_help_list_the_public_api() -> None:
    names = dir(rulekit)
    text = pydoc.render_doc(rulekit, renderer=pydoc.plaintext)
    for name in PUBLIC:
        assert name in names and name in rulekit.__all__
        assert name in text, name
        assert getattr(rulekit, name) is not None


def test_error_types_are_the_raised_ones(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("at,customer,type,actor\nyesterday,C1,archive,wang\n", encoding="utf-8")
    for error, call in (
        (rulekit.InputError, lambda: rulekit.replay("4321-dcbao@1", bad)),
        (rulekit.TableError, lambda: rulekit.replay("4321-dcbao@1", tmp_path / "none.csv")),
        (rulekit.PolicyError, lambda: rulekit.load(tmp_path / "none.yaml")),
    ):
        try:
            call()
        except error:
            continue
        raise AssertionError(f"{error.__name__} not raised")


def test_dry_run_explain_and_diff() -> None:
    policy, proposal = TUTORIAL / "policy.yaml", TUTORIAL / "proposal.yaml"
    history, people = TUTORIAL / "crm-export.xlsx", TUTORIAL / "people.csv"
    compared = rulekit.dry_run(policy, proposal, history, as_of="2026-06-30", people=people)
    assert len(compared.changed) == 44
    path = rulekit.explain(proposal, history, "C00015", as_of="2026-06-30", people=people)
    assert path.final() is not None and path.final()["state"] == "L"  # type: ignore[index]
    assert any(s.reason == "quota_exceeded" for s in path.steps)
    changes = rulekit.diff(policy, proposal)
    assert "quota.limit" in {".".join(map(str, c.path)) for c in changes}


def test_explain_of_an_unknown_customer_suggests_one() -> None:
    args = ["explain", str(TUTORIAL / "policy.yaml"), str(TUTORIAL / "crm-export.xlsx"),
            "--as-of", "2026-06-30", "--customer"]  # fmt: skip
    result = CliRunner().invoke(cli, [*args, "c00015"])
    assert result.exit_code == 1
    assert "no customer c00015 in the history; did you mean C00015?" in result.stderr
    result = CliRunner().invoke(cli, [*args, "XYZ"])
    assert result.exit_code == 1
    assert "no customer XYZ in the history (its 301 customers run from C00001" in result.stderr
