"""`rulekit validate`: text with carets, JSON per CONTRACT §3, GitHub annotations, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import DEFAULT_POLICY, EXAMPLES, overlay

BAD_CONDITION = """
rules:
  zj:
    when: "region == '浙江' and nosuchfield > 3"
    alert: info
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.output


def test_shipped_policies_are_valid() -> None:
    overlays = sorted(str(p) for p in EXAMPLES.glob("*/policy.yaml"))
    code, out = run(str(DEFAULT_POLICY), *overlays)
    assert code == 0, out
    assert "valid" in out


def test_text_output_has_source_line_and_caret_under_wide_characters(
    write: Callable[..., Path],
) -> None:
    path = write(overlay(BAD_CONDITION))
    code, out = run(str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "error[RK202]: unknown name `nosuchfield`"
    assert lines[1].endswith(f"{path}:7:31")
    source = next(line for line in lines if "nosuchfield >" in line)
    caret = lines[lines.index(source) + 1]
    # `浙江` is two characters but four terminal columns: the caret moves two further right
    prefix = source.index("nosuchfield")
    assert caret.index("^") == prefix + 2
    assert caret.count("^") == len("nosuchfield")
    assert "did you mean" in out or "hint" in out


def test_json_shape_is_the_contract(write: Callable[..., Path]) -> None:
    path = write(overlay(BAD_CONDITION))
    code, out = run("--format", "json", str(path))
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"valid", "diagnostics"} and doc["valid"] is False
    [d] = doc["diagnostics"]
    assert set(d) == {"file", "line", "column", "severity", "code", "message"}
    assert (d["file"], d["line"], d["column"]) == (str(path), 7, 31)
    assert (d["severity"], d["code"]) == ("error", "RK202")


def test_github_annotations(write: Callable[..., Path]) -> None:
    path = write(overlay(BAD_CONDITION))
    code, out = run("--format", "github", str(path))
    assert code == 1
    assert out.startswith(f"::error file={path},line=7,col=31,")
    assert "title=RK202::unknown name `nosuchfield`" in out


def test_misspelled_transitions_gets_did_you_mean(write: Callable[..., Path]) -> None:
    path = write(overlay("trasitions:\n  lapse: {after: 60d}\n"))
    code, out = run("--format", "json", str(path))
    [d] = json.loads(out)["diagnostics"]
    assert code == 1
    assert (d["code"], d["line"], d["column"]) == ("RK101", 5, 1)
    assert "did you mean `transitions`" in d["message"]


def test_warnings_pass_unless_strict(write: Callable[..., Path]) -> None:
    path = write(overlay("stages:\n  C: {target: {days: 41}}\n"))
    code, out = run(str(path))
    assert code == 0 and "warning[RK402]" in out
    code, out = run("--strict", "--format", "json", str(path))
    assert code == 1 and json.loads(out)["valid"] is False


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "missing.yaml"))
    assert code == 2 and "RK001" in out


def test_reference_on_the_policy_path() -> None:
    code, out = run("4321-dcbao@1")
    assert code == 0, out
    code, out = run("4321-dcbao@9")
    assert code == 1 and "RK501" in out


def test_no_file_is_a_usage_error() -> None:
    code, _ = run()
    assert code == 2
