"""The replay loop specialised to a policy (rulekit.engine.replay.fast) gives, document for
document, what the general loop gives: under the default policy on generated histories with
a tight quota, and under every pool-rules example on its own history and on simulated ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import rulekit
from rulekit.engine import runner
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.history import read_events
from rulekit.engine.replay.replayer import Replayer
from rulekit.simulate.simulator import simulate
from rulekit.tables import read_table
from rulekit.tables.fastcsv import read_table_fast
from tests.conftest import EXAMPLES, generated_history, overlay

POOL = EXAMPLES / "pool-rules"
FAMILIES = sorted(p.name for p in POOL.iterdir() if (p / "policy.yaml").exists())

#: a quota that refuses often, and timers that fire within the generated year
TIGHT = overlay(
    """
    quota: {limit: 3}
    transitions:
      deliver: {after: 5d}
      lapse: {after: 10d}
    """
)


class _General(Replayer):
    """A replayer that never takes the specialised loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, specialised=False, **kwargs)


def _both(monkeypatch: pytest.MonkeyPatch, replay: Any) -> tuple[Any, Any]:
    """(specialised, general) results of `replay()`."""
    fast = replay()
    with monkeypatch.context() as patch:
        patch.setattr(runner, "Replayer", _General)
        general = replay()
    return fast, general


def _same(fast: Any, general: Any) -> None:
    assert fast.document() == general.document()
    assert fast.world.taken == general.world.taken
    assert fast.world.refused == general.world.refused
    assert fast.world.rejected == general.world.rejected


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("tight", [False, True], ids=["default", "tight"])
@pytest.mark.parametrize("columns", [False, True], ids=["events", "columns"])
def test_default_policy_generated_histories(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed: int, tight: bool, columns: bool
) -> None:
    """`columns`: the history is given as its CSV file, read column-wise (the loop reads the
    log's columns); else as a table read row by row (the loop reads its Events)."""
    policy: Any = "4321-dcbao@1"
    if tight:
        (tmp_path / "tight.yaml").write_text(TIGHT, encoding="utf-8")
        policy = rulekit.load(tmp_path / "tight.yaml")
    path = generated_history(tmp_path / "history.csv", 3000, 400, reps=8, seed=seed)
    source: Any = path if columns else read_table(path)
    fast, general = _both(monkeypatch, lambda: rulekit.replay(policy, source, as_of="2026-06-30"))
    assert fast.rejected and fast.applied  # refusals and applied events both exercised
    if tight:  # archives refused at the quota: admitted before the customer is made
        assert ("archive", "quota_exceeded") in {(r.type, r.reason) for r in fast.rejected}
    _same(fast, general)


@pytest.mark.parametrize("family", FAMILIES)
def test_pool_rules_examples(monkeypatch: pytest.MonkeyPatch, family: str) -> None:
    folder = POOL / family
    policy = rulekit.load(folder / "policy.yaml")
    history = read_table(folder / "history.csv")
    people = read_table(folder / "people.csv") if (folder / "people.csv").exists() else None
    fast, general = _both(
        monkeypatch,
        lambda: rulekit.replay(policy, history, as_of="2027-12-31", people=people),
    )
    _same(fast, general)
    for seed in (5, 6):
        sim = simulate(
            policy, reps=6, customers=250, start=datetime(2026, 1, 1), days=200, seed=seed
        )
        fast, general = _both(
            monkeypatch,
            lambda sim=sim: rulekit.replay(policy, sim.rows, as_of=sim.end, people=sim.people),
        )
        _same(fast, general)


def test_a_progress_bar_takes_the_same_loop(tmp_path: Path) -> None:
    """A replay with a progress callback (the command line in a terminal) goes through the
    specialised loop over the log's columns, ticks once per event, and ends as without one."""
    path = generated_history(tmp_path / "history.csv", 2000, 300, reps=8, seed=4)
    program = programs.build(rulekit.load("4321-dcbao@1"))
    as_of = datetime(2026, 6, 30, tzinfo=program.tz)
    ticks: list[int] = []
    results = []
    for progress in (None, lambda done, total: ticks.append(done)):
        log = read_events(read_table_fast(path), program, as_of)
        assert log.columns is not None  # read column-wise: no Event made per row
        results.append(
            runner.replay_log(program, People(), log, str(path), as_of, progress=progress)
        )
        assert log.columns is not None  # and none made by the loop
    assert ticks and ticks[-1] == len(log)
    assert results[0].document() == results[1].document()
