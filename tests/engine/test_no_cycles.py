"""A run leaves no cyclic garbage: reference counting frees everything it built once its
result is dropped. The paused collector relies on it (rulekit.engine.core.collector: what a
run built goes to the oldest generation, where a cycle would wait for a full collection)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import rulekit
from rulekit.engine.core.people import People
from rulekit.serve.engine_bridge import LiveEngine
from rulekit.simulate.simulator import simulate
from rulekit.tables import read_table
from tests.conftest import EXAMPLES, generated_history, overlay

POOL = EXAMPLES / "pool-rules"
AS_OF = "2026-06-30"
#: a proposal of the default policy (a dry run replays the history under both)
PROPOSAL = overlay(
    """
    quota: {limit: 3}
    transitions:
      lapse: {after: 10d}
    """
)
RECORDS = [
    {"customer": "C1", "owner": "wang", "state": "OD", "D": "1", "C": "1", "B": "1",
     "A": "1", "O": "1", "state_since": "2026-01-05"},
    {"customer": "C2", "owner": "li", "state": "A", "pending_owner": "li", "D": "1",
     "C": "1", "B": "1", "A": "1", "state_since": "2026-03-01"},
    {"customer": "C3", "state": "L", "state_since": "2026-02-01"},
]  # fmt: skip


def _cyclic_garbage(call: Callable[[], Any]) -> int:
    """The objects `call` leaves that only the cyclic collector would free (its result
    dropped). It is called once before, for the caches it fills on a first call."""
    call()
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        result = call()
        del result
        return gc.collect()
    finally:
        if was_on:
            gc.enable()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated history of the default policy: claims decided, timers fired, refusals."""
    return generated_history(
        tmp_path_factory.mktemp("history") / "h.csv", 2000, 300, reps=8, seed=3
    )


def test_a_replay(history: Path) -> None:
    """The loop specialised to the policy, over the file's columns and over its rows."""
    policy = rulekit.load("4321-dcbao@1")
    table = read_table(history)
    assert _cyclic_garbage(lambda: rulekit.replay(policy, history, as_of=AS_OF)) == 0
    assert _cyclic_garbage(lambda: rulekit.replay(policy, table, as_of=AS_OF).document()) == 0


def test_an_explain(history: Path) -> None:
    """A watched customer: the general loop, the steps noted."""
    assert _cyclic_garbage(lambda: rulekit.explain("4321-dcbao@1", history, "C00015")) == 0


def test_a_dry_run(history: Path, tmp_path: Path) -> None:
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(PROPOSAL, encoding="utf-8")
    call = lambda: rulekit.dry_run("4321-dcbao@1", proposal, history, as_of=AS_OF)  # noqa: E731
    assert _cyclic_garbage(call) == 0


@pytest.mark.parametrize("engine", ["row", "auto"])
def test_a_snapshot_run(engine: str) -> None:
    call = lambda: rulekit.run("4321-dcbao@1", RECORDS, as_of=AS_OF, engine=engine).document()  # noqa: E731
    assert _cyclic_garbage(call) == 0


@pytest.mark.parametrize("family", ["round-robin-routing", "streak-health-alert", "team-pools"])
def test_a_replay_with_rules(family: str) -> None:
    """Routing after events, actions and streaks on sweeps (the rule runner, the router)."""
    folder = POOL / family
    policy = rulekit.load(folder / "policy.yaml")
    people = folder / "people.csv" if (folder / "people.csv").exists() else None
    history = folder / "history.csv"
    call = lambda: rulekit.replay(policy, history, as_of="2027-12-31", people=people).document()  # noqa: E731
    assert _cyclic_garbage(call) == 0


def test_a_simulation() -> None:
    policy = rulekit.load(POOL / "round-robin-routing" / "policy.yaml")
    start = datetime(2026, 1, 1)
    call = lambda: simulate(policy, reps=4, customers=80, start=start, days=60, seed=2)  # noqa: E731
    assert _cyclic_garbage(call) == 0


def test_the_services_engine() -> None:
    """The service's replayer notes its steps in an object of its own, not in itself."""
    policy = rulekit.load(POOL / "round-robin-routing" / "policy.yaml")

    def serve() -> Any:
        live = LiveEngine(policy, People())
        rows = [{"at": f"2026-01-0{i} 10:00", "customer": f"C{i}", "type": "archive",
                 "actor": "wang"} for i in range(1, 6)]  # fmt: skip
        for event in live.parse(rows).events:
            live.apply(event)
        return live.advance(live.instant("2026-03-01")), live.take_touched()

    steps, touched = serve()
    assert touched == {f"C{i}" for i in range(1, 6)}
    assert _cyclic_garbage(serve) == 0
