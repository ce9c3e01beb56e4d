"""Overlays: entries merge by name, null deletes, positions follow the file that set a value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import rulekit
from rulekit.api import PolicyError
from tests.conftest import overlay


def test_overlay_changes_numbers_and_rules_without_touching_the_rest(
    write: Callable[..., Path],
) -> None:
    path = write(
        overlay(
            """
            quota: {limit: 30}
            transitions:
              lapse: {after: 60d}
              claim: {approval: null}
            rules:
              recycle:
                when: "state in [new, D] and days_since(last_activity_at) > 21"
                do: release
            """
        )
    )
    policy = rulekit.load(path)
    base = rulekit.load("4321-dcbao@1")
    assert policy.id == "client" and policy.version == "1.0.0"
    assert policy.model.quota is not None and policy.model.quota.limit == 30
    assert str(policy.model.transitions["lapse"].after) == "60d"
    assert policy.model.transitions["lapse"].to == "E"  # kept from the base
    assert policy.model.transitions["claim"].approval is None
    assert base.model.transitions["claim"].approval == "admin"
    assert "recycle" in policy.model.rules and "overdue" in policy.model.rules
    assert policy.files[1].endswith("4321-dcbao.yaml")


def test_null_deletes_an_entry(write: Callable[..., Path]) -> None:
    path = write(overlay("rules:\n  overdue: null\n"))
    assert "overdue" not in rulekit.load(path).model.rules


def test_error_in_overlay_points_at_the_overlay(write: Callable[..., Path]) -> None:
    path = write(overlay("transitions:\n  lapse: {after: sixty}\n"))
    with pytest.raises(PolicyError) as err:
        rulekit.load(path)
    [d] = err.value.diagnostics
    assert d.code == "RK104"
    assert d.span is not None and (d.span.file, d.span.line) == (str(path), 6)


def test_error_caused_by_overlay_in_base_value_points_at_the_base(
    write: Callable[..., Path],
) -> None:
    # deleting the state `E` leaves the base's `lapse` and `publish` transitions dangling
    path = write(overlay("states:\n  E: null\n"))
    with pytest.raises(PolicyError) as err:
        rulekit.load(path)
    codes = {(d.code, Path(d.span.file).name) for d in err.value.diagnostics if d.span}
    assert ("RK301", "4321-dcbao.yaml") in codes


def test_relative_path_extends_and_cycles(write: Callable[..., Path]) -> None:
    write("rulekit: 1\nid: a\nversion: 1.0.0\nextends: b.yaml\n", "a.yaml")
    b = write("rulekit: 1\nid: b\nversion: 1.0.0\nextends: a.yaml\n", "b.yaml")
    codes = [d.code for d in rulekit.validate([b])]
    assert codes == ["RK502"]


def test_extends_picks_highest_version_of_the_major(write: Callable[..., Path]) -> None:
    base = "rulekit: 1\nid: base\nversion: {v}\ntitle: v{v}\nstates: {{s: {{terminal: true}}}}\n"
    base += "transitions: {{t: {{from: start, on: e, to: s}}}}\nevents: {{e: {{}}}}\n"
    for v in ("1.0.0", "1.2.0", "2.0.0"):
        write(base.format(v=v), f"lib/base-{v}.yaml")
    child = write("rulekit: 1\nid: child\nversion: 0.1.0\nextends: base@1\n", "client/policy.yaml")
    policy = rulekit.load(child, policy_path=[child.parent.parent / "lib"])
    assert policy.title == "v1.2.0"
    missing = write("rulekit: 1\nid: c\nversion: 0.1.0\nextends: base@3\n", "client/c.yaml")
    [d] = rulekit.validate([missing], policy_path=[child.parent.parent / "lib"])
    assert d.code == "RK501" and "1.0.0" in (d.hint or "")


def test_policy_path_from_environment(
    write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = write(
        "rulekit: 1\nid: envbase\nversion: 1.0.0\nstates: {s: {terminal: true}}\n"
        "events: {e: {}}\ntransitions: {t: {from: start, on: e, to: s}}\n",
        "envlib/envbase.yaml",
    ).parent
    monkeypatch.setenv("RULEKIT_POLICY_PATH", str(lib))
    assert rulekit.load("envbase@1").id == "envbase"
