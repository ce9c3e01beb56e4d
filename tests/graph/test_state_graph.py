"""The state graph: edges of the default policy, the networkx view, and the checks' semantics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import rulekit
from tests.conftest import overlay

MINI = """
rulekit: 1
id: mini
version: 1.0.0
events: {{go: {{}}, stop: {{}}}}
states:
  a: {{}}
  b: {{}}
  c: {{terminal: true}}
transitions:
  enter: {{from: start, on: go, to: a}}
{extra}
"""


def codes(path: Path) -> list[str]:
    return sorted(d.code for d in rulekit.validate([path]))


def test_default_policy_graph_has_every_state_and_timer_edges() -> None:
    policy = rulekit.load("4321-dcbao@1")
    g = policy.graph
    assert set(g.nodes) == {"start", "new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L"}
    lapse = g.edges["R", "E", "lapse"]
    assert lapse["kind"] == "timer" and str(lapse["after"]) == "90d"
    assert g.edges["A", "OD", "sign"]["trigger"].argument == "O"
    # `to: same` is a self loop on every source state; `from: any` leaves every state
    assert g.has_edge("OD", "OD", "reassign") and not g.has_edge("L", "L", "reassign")
    assert all(g.has_edge(s, s, "activity") for s in g.nodes if s != "start")


def test_default_policy_has_no_diagnostics() -> None:
    assert rulekit.validate(["4321-dcbao@1"]) == []


def test_reachable_dead_end_and_terminal(write: Callable[..., Path]) -> None:
    ok = write(
        MINI.format(extra="  finish: {from: a, on: stop, to: c}\n  b-out: {from: b, on: go, to: c}")
    )
    assert codes(ok) == ["RK302"]  # b is unreachable, but has a way out
    dead = write(MINI.format(extra="  finish: {from: a, on: stop, to: b}"), "dead.yaml")
    assert "RK303" in codes(dead)  # b has no way out and is not terminal


def test_roles_separate_transitions_on_the_same_trigger(write: Callable[..., Path]) -> None:
    disjoint = write(
        MINI.format(
            extra="  x: {from: a, on: stop, to: c, by: rep}\n"
            "  y: {from: a, on: stop, to: b, by: admin}\n"
            "  z: {from: b, on: go, to: c}"
        )
    )
    assert "RK304" not in codes(disjoint)
    overlapping = write(
        MINI.format(
            extra="  x: {from: a, on: stop, to: c, by: owner}\n"
            "  y: {from: a, on: stop, to: b, by: admin}\n"
            "  z: {from: b, on: go, to: c}"
        ),
        "overlap.yaml",
    )
    assert "RK304" in codes(overlapping)
    guarded = write(
        MINI.format(
            extra='  x: {from: a, on: stop, to: c, when: "state == a"}\n'
            "  y: {from: a, on: stop, to: b}\n  z: {from: b, on: go, to: c}"
        ),
        "guarded.yaml",
    )
    assert "RK304" not in codes(guarded)


def test_zero_duration_timer_cycle(write: Callable[..., Path]) -> None:
    path = write(
        MINI.format(
            extra="  ab: {from: a, after: 0d, to: b}\n  ba: {from: b, after: 0d, to: a}\n"
            "  out: {from: a, on: stop, to: c}"
        )
    )
    [d] = [d for d in rulekit.validate([path]) if d.code == "RK305"]
    assert "a → b → a" in d.message
    nonzero = write(
        MINI.format(
            extra="  ab: {from: a, after: 0d, to: b}\n  ba: {from: b, after: 1d, to: a}\n"
            "  out: {from: a, on: stop, to: c}"
        ),
        "nonzero.yaml",
    )
    assert "RK305" not in codes(nonzero)


def test_targets_warnings(write: Callable[..., Path]) -> None:
    path = write(
        overlay(
            """
            stages:
              C: {target: {days: 41}}
              B: {target: {reach: 40%}}
            """
        )
    )
    assert codes(path) == ["RK401", "RK402"]
    policy = rulekit.load(path)  # warnings do not stop loading
    assert {d.code for d in policy.warnings} == {"RK401", "RK402"}
