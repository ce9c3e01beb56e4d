"""`to:` that depends on the customer: every possible target is in the graph and checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import rulekit
from rulekit.api import validate_text
from tests.conftest import overlay
from tests.engine.helpers import events

POOLS = """
states:
  pool_east: {public: true}
transitions:
  release:
    to: {case: "team(owner)", map: {east: pool_east}, else: L}
  claim: {from: [L, pool_east]}
"""


def test_every_branch_is_an_edge() -> None:
    from rulekit.compiler import compile_text

    policy, _ = compile_text(overlay(POOLS), "<text>")
    assert policy is not None
    edges = {(e.origin, e.target) for e in policy.states.edges if e.transition == "release"}
    assert ("A", "pool_east") in edges and ("A", "L") in edges


def test_undefined_branch_and_choices_that_cannot_choose() -> None:
    text = overlay(
        """
        transitions:
          release: {to: {case: "team(owner)", map: {east: pool_est}, else: L}}
          publish: {to: {map: {x: L}, else: L}}
        """
    )
    found = sorted((d.code, d.message) for d in validate_text(text) if d.is_error)
    assert [c for c, _ in found] == ["RK301", "RK310"]
    assert "`pool_est`" in found[0][1]
    assert "no `case`" in found[1][1]


def test_case_must_be_text() -> None:
    text = overlay('transitions:\n  release: {to: {case: "stage_index", map: {x: L}, else: L}}\n')
    assert [d.code for d in validate_text(text) if d.is_error] == ["RK203"]


def test_timer_with_a_choice_runs_in_the_row_engine(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            """
            transitions:
              lapse: {to: {case: "team(owner)", map: {east: L}, else: E}}
            """
        )
    )
    records = [
        {"customer": "C1", "owner": "wang", "state": "R", "state_since": "2026-01-01"},
        {"customer": "C2", "owner": "li", "state": "R", "state_since": "2026-01-01"},
    ]
    people = [{"id": "wang", "team": "east"}, {"id": "li", "team": "west"}]
    docs = [
        rulekit.run(policy, records, as_of="2026-06-01", people=people, engine=e).document()
        for e in ("row", "columnar")
    ]
    assert docs[0] == docs[1]
    assert [c["state"] for c in docs[0]["customers"]] == ["L", "E"]


def test_release_goes_to_the_owners_team_pool(write: Callable[..., Path]) -> None:
    policy = write(overlay(POOLS))
    people = [{"id": "wang", "team": "east"}, {"id": "li", "team": "west"}]
    history = """
    2026-01-01 C1 archive wang
    2026-01-01 C2 archive li
    2026-01-02 C1 release wang
    2026-01-02 C2 release li
    """
    result = rulekit.replay(policy, events(history), as_of="2026-01-03", people=people)
    assert [(c.customer, c.state, c.owner) for c in result.customers] == [
        ("C1", "pool_east", None),
        ("C2", "L", None),
    ]
