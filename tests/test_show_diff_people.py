"""`show`, `diff`, `show --format yaml` and `fmt` of params and of targets that depend on the
customer."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rulekit.cli.main import cli
from rulekit.compiler import compile_text
from tests.conftest import EXAMPLES

POOLS = EXAMPLES / "pool-rules" / "team-pools" / "policy.yaml"
COOLDOWN = EXAMPLES / "pool-rules" / "previous-owner-cooldown" / "policy.yaml"


def test_show_lists_a_target_choice_and_params_with_their_lines() -> None:
    out = CliRunner().invoke(cli, ["show", str(POOLS)]).stdout
    line = next(row for row in out.splitlines() if row.strip().startswith("east: pool_east"))
    assert "team-pools/policy.yaml:15" in line
    text = CliRunner().invoke(cli, ["show", str(COOLDOWN)]).stdout
    assert any("cooldown_days: 30" in row for row in text.splitlines())


def test_show_yaml_compiles_on_its_own() -> None:
    for path in (POOLS, COOLDOWN):
        result = CliRunner().invoke(cli, ["show", str(path), "--format", "yaml"])
        assert result.exit_code == 0, result.output
        policy, diags = compile_text(result.stdout, "<show>")
        assert policy is not None, [d.message for d in diags]


def test_diff_names_a_changed_param_and_a_new_branch(tmp_path: Path) -> None:
    new = tmp_path / "policy.yaml"
    text = POOLS.read_text(encoding="utf-8").replace(
        "west: pool_west}", "west: pool_west, north: L}"
    )
    new.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(cli, ["diff", str(POOLS), str(new)]).stdout
    assert "transitions.release.to.map.north added: L" in out
    bumped = tmp_path / "cooldown.yaml"
    bumped.write_text(
        COOLDOWN.read_text(encoding="utf-8").replace("cooldown_days: 30", "cooldown_days: 45"),
        encoding="utf-8",
    )
    out = CliRunner().invoke(cli, ["diff", str(COOLDOWN), str(bumped)]).stdout
    assert "params.cooldown_days 30 → 45" in out


def test_fmt_orders_a_target_choice_and_respaces_its_case() -> None:
    from rulekit.authoring.fmt import format_text

    text = (
        "rulekit: 1\nid: x\nversion: 1.0.0\nextends: 4321-dcbao@1\n"
        "params:\n  cooldown_days: 30\n"
        "transitions:\n  release:\n"
        '    to: {else: L, map: {east: L}, case: "team( owner )"}\n'
    )
    out = format_text(text)
    assert '  release: {to: {case: "team(owner)", map: {east: L}, else: L}}\n' in out
    assert "params: {cooldown_days: 30}\n" in out
    assert format_text(out) == out
