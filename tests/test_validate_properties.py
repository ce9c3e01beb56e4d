"""Property tests: whatever the text, `validate` returns diagnostics and never raises."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.api import validate_text
from rulekit.diagnostics import CODES
from tests.conftest import DEFAULT_POLICY, EXAMPLES

BASE_TEXT = DEFAULT_POLICY.read_text(encoding="utf-8")
OVERLAY_TEXT = (EXAMPLES / "acme-valves" / "policy.yaml").read_text(encoding="utf-8")
BASE_DATA = yaml.safe_load(BASE_TEXT)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["30d", "0d", "12mo", "100%", "1.0.0", "state in [new, D]", "L", "admin"]),
)
keys = st.one_of(
    st.text(min_size=1, max_size=12),
    st.sampled_from(list(BASE_DATA) + ["from", "to", "on", "after", "when", "limit", "target"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)
TOKENS = list("abcdeDCBAO_ ()[],.'\"=!<>+-*/%0123456789") + [
    "浙江",
    "负责人",
    " and ",
    " or ",
    " not ",
    " in ",
    "null",
    "30d",
    "2026-03-01",
    "state",
    "days_since(",
    "next_stage.target.days",
]
condition_chars = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(text: str) -> None:
    diags = validate_text(text, "fuzz.yaml")
    assert isinstance(diags, list)
    for d in diags:
        assert d.code in CODES
        assert d.message
        if d.span is not None:
            assert d.span.line >= 1 and d.span.column >= 1


@SETTINGS
@given(documents)
def test_arbitrary_yaml_documents(doc: object) -> None:
    check(yaml.safe_dump(doc, allow_unicode=True))


@SETTINGS
@given(documents)
def test_arbitrary_documents_with_a_policy_head(doc: object) -> None:
    body = {"rulekit": 1, "id": "x", "version": "1.0.0"}
    if isinstance(doc, dict):
        body.update(doc)
    check(yaml.safe_dump(body, allow_unicode=True))


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    check(text)


@SETTINGS
@given(condition_chars, st.sampled_from(["when", "message"]))
def test_arbitrary_condition_strings_in_an_overlay(condition: str, key: str) -> None:
    quoted = condition.replace("\\", "\\\\").replace('"', '\\"')
    extra = '    when: "true"\n' if key == "message" else ""
    check(OVERLAY_TEXT + f'  fuzz:\n    {key}: "{quoted}"\n' + extra)


@SETTINGS
@given(st.data())
def test_mutated_default_policy(data: st.DataObject) -> None:
    lines = BASE_TEXT.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    action = data.draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
    if action == "delete":
        del lines[i]
    elif action == "duplicate":
        lines.insert(i, lines[i])
    else:
        piece = data.draw(st.text(max_size=20))
        j = data.draw(st.integers(0, len(lines[i])))
        end = j + (data.draw(st.integers(0, 5)) if action == "replace" else 0)
        lines[i] = lines[i][:j] + piece + lines[i][end:]
    check("\n".join(lines) + "\n")
