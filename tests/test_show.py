"""`rulekit show`: the resolved policy with where each value was set, and its state graph."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import rulekit
from rulekit.analysis.show import dotted
from rulekit.api import validate_text
from rulekit.cli.main import cli
from rulekit.compiler import compile_text
from rulekit.graph.draw import mermaid_id, mermaid_ids
from tests.conftest import EXAMPLES, ROOT

ACME = EXAMPLES / "acme-valves" / "policy.yaml"
STATES = ["new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L"]


def show(*args: str) -> str:
    result = CliRunner().invoke(cli, ["show", str(ACME), *args])
    assert result.exit_code == 0, result.output
    return result.output


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `text` holding `needle` (the line numbers `show` must print)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def base_file() -> str:
    return rulekit.load(ACME).files[1]


def test_text_annotates_each_value_with_the_file_and_line_that_set_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    out = show()
    lines = out.splitlines()
    assert lines[0] == "acme-valves 2.1.0 · 某工业阀门 · tailored 4321"
    assert lines[1].startswith("acme-valves 2.1.0 (examples/acme-valves/policy.yaml) extends ")
    assert "4321-dcbao 1.0.0 (" in lines[1]
    assert "\x1b[" not in out  # no colour when stdout is not a terminal
    overlay_line = line_of(ACME.read_text(encoding="utf-8"), "limit: 30")
    limit = next(line for line in lines if line.strip().startswith("limit:"))
    assert limit.split()[:2] == ["limit:", "30"]
    assert limit.endswith(f"examples/acme-valves/policy.yaml:{overlay_line}")
    # a value the overlay did not touch comes from the base
    base_line = line_of(Path(base_file()).read_text(encoding="utf-8"), "holds_slot:")
    holds = next(line for line in lines if line.strip().startswith("holds_slot:"))
    assert holds.endswith(f"4321-dcbao@1:{base_line}")  # the installed policy by reference
    # the entry the overlay deleted with `null`
    assert any("transitions.claim.approval" in line and line.endswith(":17") for line in lines), out


def test_text_paths_are_relative_under_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    out = show()
    assert f"({ACME})" in out.splitlines()[1]  # not under tmp_path: as given


def test_sections_keep_the_policys_order() -> None:
    out = show()
    sections = [line.split(":")[0] for line in out.splitlines()[3:] if line[:1].isalpha()]
    assert sections == list(rulekit.load(ACME).document.data)


def test_json_lists_every_leaf_with_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    doc = json.loads(show("--format", "json"))
    assert doc["policy"] == {
        "id": "acme-valves",
        "version": "2.1.0",
        "title": "某工业阀门 · tailored 4321",
    }
    assert doc["files"][0] == "examples/acme-valves/policy.yaml"
    assert doc["files"][1] == "4321-dcbao@1" and len(doc["files"]) == 2
    values = {v["path"]: v for v in doc["values"]}
    assert values["quota.limit"] == {
        "path": "quota.limit",
        "value": 30,
        "file": "examples/acme-valves/policy.yaml",
        "line": 13,
        "column": 16,
    }
    assert values["transitions.lapse.after"]["value"] == "60d"
    assert values["transitions.lapse.from"]["file"] == doc["files"][1]
    assert values["transitions.renew.from"]["value"] == ["OD", "O+", "R"]
    assert values["priority.order"]["value"][0] == "stage_index desc"
    assert "transitions.claim.approval" not in values
    assert [r["path"] for r in doc["removed"]] == ["transitions.claim.approval"]
    for v in doc["values"]:
        assert v["file"] in doc["files"] and isinstance(v["line"], int) and v["line"] > 0
    # every leaf, in document order
    policy = rulekit.load(ACME)
    assert [v["path"] for v in doc["values"]] == list(_leaf_paths(policy.document.data))


def _leaf_paths(data: object, prefix: tuple[str | int, ...] = ()) -> list[str]:
    if isinstance(data, dict) and data:
        return [p for k, v in data.items() for p in _leaf_paths(v, (*prefix, k))]
    return [dotted(prefix)]


def test_yaml_is_the_merged_policy_and_compiles_on_its_own() -> None:
    text = show("--format", "yaml")
    merged = rulekit.load(ACME).document.data
    assert yaml.safe_load(text) == merged
    assert list(yaml.safe_load(text)) == list(merged)  # keys in the policy's order
    assert "extends" not in merged
    assert "某工业阀门" in text  # allow_unicode: no \u escapes
    assert [d for d in validate_text(text) if d.is_error] == []
    again, _ = compile_text(text)
    assert again is not None and again.document.data == merged


def test_yaml_quotes_text_that_would_read_back_as_something_else(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "rulekit: 1\nid: quoted\nversion: 1.0.0\ntitle: '1e5'\n"  # plain, 1e5 is a number
        "description: 'null'\nstates: {a: {title: 'true', terminal: true}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["show", str(path), "--format", "yaml"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert (data["title"], data["description"], data["states"]["a"]["title"]) == (
        "1e5",
        "null",
        "true",
    )
    assert [d for d in validate_text(result.output) if d.is_error] == []


def test_mermaid_draws_every_state_and_edge() -> None:
    out = show("--graph", "mermaid")
    lines = out.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> new : archive (by rep)" in lines
    assert "    R --> E : after 60d" in lines  # the overlay's timer
    assert "after 30d" in out
    assert 'state "合约期 Contract period" as OD' in out
    assert 'state "复购 Repurchase" as O_plus' in out
    assert "O+" not in out.replace('"复购 Repurchase"', "")  # never a raw `O+` id
    for state in STATES:
        assert f" as {mermaid_id(state)}" in out
    edges = [line for line in lines if " --> " in line]
    assert len(edges) == len(rulekit.load(ACME).states.edges)
    assert out == show("--graph", "mermaid")  # deterministic


def test_mermaid_ids_are_safe_and_distinct() -> None:
    assert mermaid_ids(["O+", "O_plus", "end", "a-b", "1x", "待定"]) == {
        "O+": "O_plus",
        "O_plus": "O_plus_2",
        "end": "end_",
        "a-b": "a_b",
        "1x": "s_1x",
        "待定": "__",
    }


def _balanced(dot: str) -> bool:
    depth, quoted, escaped = 0, False, False
    for ch in dot:
        if quoted:
            quoted, escaped = (ch != '"' or escaped), (ch == "\\" and not escaped)
        elif ch == '"':
            quoted = True
        elif ch in "{}":
            depth += 1 if ch == "{" else -1
            if depth < 0:
                return False
    return depth == 0 and not quoted


def test_dot_is_a_balanced_digraph_with_dashed_timers(tmp_path: Path) -> None:
    out = show("--graph", "dot")
    assert out.startswith('digraph "acme-valves" {') and _balanced(out)
    assert '"R" -> "E" [label="after 60d", style=dashed];' in out
    assert '"start" [shape=point' in out
    assert '"L" [label="L\\n公开客户 Public pool", shape=ellipse' in out
    for state in STATES:
        assert f'"{state}" [label=' in out
    assert sum(" -> " in line for line in out.splitlines()) == len(rulekit.load(ACME).states.edges)
    assert out == show("--graph", "dot")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed")
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=out.encode(), capture_output=True, check=True
    ).stdout
    assert b"<svg" in svg


def test_graph_and_format_do_not_mix_and_errors_exit_nonzero(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", str(ACME), "--graph", "dot", "--format", "json"])
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["show", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "RK001" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("rulekit: 1\nid: bad\nversion: nope\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["show", str(bad)]).exit_code == 1


def test_show_is_listed_in_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "show" in result.output and "state graph" in result.output
