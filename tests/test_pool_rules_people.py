"""The pool-rules examples of people, memory and targets: each validates strictly, is
formatted, and its tests pass; the README's table links it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import EXAMPLES

POOL = EXAMPLES / "pool-rules"
MINE = ("previous-owner-cooldown", "team-pools", "resume-furthest-stage")


@pytest.mark.parametrize("family", MINE)
def test_family_validates_is_formatted_and_passes(family: str) -> None:
    folder = POOL / family
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--strict", str(folder / "policy.yaml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["fmt", "--check", str(folder / "policy.yaml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["test", str(folder)])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output
    readme = (POOL / "README.md").read_text(encoding="utf-8")
    assert f"]({family}/policy.yaml)" in readme
