"""docs/profile.md shows the example clients' real profiles: every `$ rulekit profile ...`
block there is run again and must print exactly what the page shows."""

from __future__ import annotations

import os
import re
import shlex

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import ROOT

PAGE = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```\n\$ rulekit (profile [^\n]*)\n(.*?)\n```", PAGE, re.S)


def test_the_page_shows_the_three_example_clients() -> None:
    shown = {re.search(r"examples/([\w-]+)/", cmd).group(1) for cmd, _ in BLOCKS}  # type: ignore[union-attr]
    assert {"acme-valves", "jinghua-env", "lanxin-saas"} <= shown


@pytest.mark.parametrize(("command", "shown"), BLOCKS, ids=[c[:60] for c, _ in BLOCKS])
def test_each_documented_profile_is_the_real_output(command: str, shown: str) -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, shlex.split(command))
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip() == shown.rstrip()
