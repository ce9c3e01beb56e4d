"""`rulekit validate --format gitlab`: a GitLab code quality report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.conftest import DEFAULT_POLICY

jsonschema = pytest.importorskip("jsonschema")

#: The shape GitLab reads (docs.gitlab.com: "Code Quality report format").
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

BAD = """\
rulekit: 1
id: demo
version: 1.0.0
events:
  open: {}
states:
  new: {}
  done: {}
  orphan: {}
transitions:
  open: {from: start, on: open, to: new}
  close: {from: new, on: close, to: done, wehn: "x"}
"""


def report(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(cli, ["validate", "--format", "gitlab", *args])
    return result.exit_code, json.loads(result.output)


def test_report_has_gitlabs_shape(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text(BAD, encoding="utf-8")
    code, issues = report(str(bad))
    assert code == 1
    jsonschema.validate(issues, CODE_QUALITY)
    assert issues and all(i["location"]["path"] == str(bad) for i in issues)
    unknown = next(i for i in issues if i["check_name"] == "RK101")
    assert unknown["severity"] == "major" and unknown["location"]["lines"]["begin"] == 12
    assert "RK101" in unknown["description"]


def test_warnings_are_minor(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(BAD.replace(', wehn: "x"', ""), encoding="utf-8")
    _, issues = report(str(policy))
    jsonschema.validate(issues, CODE_QUALITY)
    assert {i["severity"] for i in issues if i["check_name"] == "RK302"} == {"minor"}


def test_fingerprints_are_stable_and_distinct(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text(BAD, encoding="utf-8")
    _, first = report(str(bad))
    _, second = report(str(bad))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]
    assert len({i["fingerprint"] for i in first}) == len(first)


def test_a_valid_policy_gives_an_empty_report() -> None:
    code, issues = report(str(DEFAULT_POLICY))
    assert code == 0 and issues == []
