"""The JSON Schema of policy files: shipped, current, and right about the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulekit.authoring.schema import DESCRIPTIONS, HEADER, generate, reference_tables, render
from rulekit.cli.main import cli
from rulekit.policy.yamlsrc import parse_yaml
from tests.conftest import DEFAULT_POLICY, EXAMPLES, ROOT

jsonschema = pytest.importorskip("jsonschema")

SHIPPED_SCHEMA = ROOT / "schema" / "policy.schema.json"
SHIPPED = [
    DEFAULT_POLICY,
    *sorted(EXAMPLES.glob("*/policy.yaml")),
    *sorted(EXAMPLES.glob("*/*/policy.yaml")),
]
UNKNOWN_KEYS = sorted((ROOT / "tests" / "invalid").glob("rk101-*.yaml"))


def load(path: Path) -> Any:
    doc, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert doc is not None, problems
    return doc.data


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_is_current() -> None:
    assert SHIPPED_SCHEMA.read_text(encoding="utf-8") == render(generate())


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == SHIPPED_SCHEMA.read_text(encoding="utf-8")
    check = CliRunner().invoke(cli, ["schema", "-o", str(SHIPPED_SCHEMA), "--check"])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_schema_accepts_every_shipped_policy(validator: Any, path: Path) -> None:
    errors = [e.message for e in validator.iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", UNKNOWN_KEYS, ids=lambda p: p.stem)
def test_schema_rejects_unknown_keys(validator: Any, path: Path) -> None:
    errors = list(validator.iter_errors(load(path)))
    assert errors, path
    assert any("was unexpected" in e.message for e in errors)


def test_unknown_key_corpus_is_not_empty() -> None:
    assert len(UNKNOWN_KEYS) >= 3


BASE = {"rulekit": 1, "id": "x", "version": "1.0.0"}


@pytest.mark.parametrize(
    "body",
    [
        {"fields": {"region": "string", "budget": {"type": "number", "default": 0}}},
        {"states": {"new": None, "L": {"public": True}}},
        {"transitions": {"t": {"from": "new", "to": "L", "by": "admin"}}},
        {"transitions": {"t": {"from": ["new", "D"], "after": "30d", "to": "same"}}},
        {"stages": {"D": {"target": {"reach": "38%"}}}, "cycle": "100d"},
        {"stages": {"D": {"target": {"reach": 0.38}}}},
        {"rules": {"r": {"when": "true", "do": "release"}}},
        {"rules": {"r": {"when": "true", "do": {"assign": "team:A"}}}},
    ],
)
def test_shorthands_are_accepted(validator: Any, body: dict[str, Any]) -> None:
    assert [e.message for e in validator.iter_errors({**BASE, **body})] == []


@pytest.mark.parametrize(
    "body",
    [
        {"fields": {"region": "text"}},
        {"transitions": {"t": {"from": "new", "to": "L", "by": "boss"}}},
        {"transitions": {"t": {"from": "new", "after": "30", "to": "L"}}},
        {"rules": {"r": {"when": "true", "alert": "loud"}}},
        {"transitions": {"t": {"from": "new"}}},  # no `to` in a full policy
    ],
)
def test_wrong_values_are_flagged(validator: Any, body: dict[str, Any]) -> None:
    assert list(validator.iter_errors({**BASE, **body}))


def test_overlays_may_leave_keys_out_and_delete_with_null(validator: Any) -> None:
    overlay = {
        **BASE,
        "extends": "4321-dcbao@1",
        "transitions": {"lapse": {"after": "60d"}, "claim": {"approval": None}},
        "rules": {"overdue": None},
    }
    assert [e.message for e in validator.iter_errors(overlay)] == []
    typo = {**overlay, "transitions": {"lapse": {"aftr": "60d"}}}
    assert list(validator.iter_errors(typo))


def test_descriptions_come_from_the_reference() -> None:
    reference = (ROOT / "docs" / "policy-language.md").read_text(encoding="utf-8")
    assert reference_tables(reference) == DESCRIPTIONS
    schema = generate()
    when = schema["$defs"]["TransitionSpec"]["properties"]["when"]
    assert when["title"] == "when"
    assert when["description"] == DESCRIPTIONS[("TransitionSpec", "when")]


def test_static_names_are_enums_and_a_policy_adds_its_own() -> None:
    props = generate()["$defs"]["TransitionSpec"]["properties"]
    assert "start" in json.dumps(props["from"]) and "same" in json.dumps(props["to"])
    result = CliRunner().invoke(cli, ["schema", "--policy", str(DEFAULT_POLICY)])
    assert result.exit_code == 0, result.output
    to = json.loads(result.output)["$defs"]["TransitionSpec"]["properties"]["to"]
    assert {"OD", "O+", "L", "same"} <= set(to["anyOf"][0]["enum"])


def test_header_line_for_editors() -> None:
    assert HEADER == "# yaml-language-server: $schema=policy.schema.json"
