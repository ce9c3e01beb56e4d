"""The pool-rules examples: each family validates strictly, is formatted, its tests pass."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import EXAMPLES

POOL = EXAMPLES / "pool-rules"
FAMILIES = sorted(p.name for p in POOL.iterdir() if (p / "policy.yaml").exists())


def test_every_family_is_in_the_readme() -> None:
    readme = (POOL / "README.md").read_text(encoding="utf-8")
    assert len(FAMILIES) >= 7
    for family in FAMILIES:
        assert f"]({family}/policy.yaml)" in readme, family


@pytest.mark.parametrize("family", FAMILIES)
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
