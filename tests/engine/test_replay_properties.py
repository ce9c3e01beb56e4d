"""Properties of replay on generated histories: determinism, accounting, quota, snapshot parity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.engine.core import program as programs
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.replay.replayer import Replayer

POLICY = rulekit.load("4321-dcbao@1")
START = datetime(2026, 1, 1, 9, 0)
TYPES = ["archive", "claim", "approve", "reject", "promote", "renew", "release", "publish",
         "reassign", "activity"]  # fmt: skip
ACTORS = ["wang", "li", "zhao", "admin"]
STAGES = ["D", "C", "B", "A", "O"]

steps = st.lists(
    st.tuples(
        st.integers(0, 400),  # hours after the previous event
        st.integers(0, 5),  # customer
        st.sampled_from(TYPES),
        st.sampled_from(ACTORS),
        st.sampled_from(STAGES),
        st.sampled_from(ACTORS[:3]),
    ),
    max_size=60,
)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def history(raw: list[tuple[int, int, str, str, str, str]]) -> list[dict[str, Any]]:
    rows, t = [], START
    for hours, cust, kind, actor, stage, to in raw:
        t += timedelta(hours=hours)
        row = {"at": t.isoformat(), "customer": f"C{cust}", "type": kind, "actor": actor}
        if kind == "promote":
            row["stage"] = stage
        if kind == "reassign":
            row["to"] = to
        rows.append(row)
    return rows


def as_of(raw: list[Any]) -> str:
    return (START + timedelta(hours=sum(r[0] for r in raw) + 24 * 200)).isoformat()


@SETTINGS
@given(steps)
def test_accounting_and_determinism(raw: list[Any]) -> None:
    rows = history(raw)
    doc = rulekit.replay(POLICY, rows, as_of=as_of(raw)).document()
    counts = doc["counts"]
    assert counts["events"] == len(rows) == counts["applied"] + counts["rejected"]
    assert sum(r["slots_used"] for r in doc["reps"]) == sum(
        c["holds_slot"] for c in doc["customers"] if c["owner"] or c["pending_owner"]
    )
    assert rulekit.replay(POLICY, rows, as_of=as_of(raw)).document() == doc


@SETTINGS
@given(steps, st.integers(1, 3))
def test_no_rep_goes_past_the_limit(raw: list[Any], limit: int) -> None:
    program = programs.build(POLICY)
    program.limit = limit
    replayer = Replayer(program, People())
    for n, row in enumerate(history(raw), start=1):
        at = datetime.fromisoformat(row["at"]).replace(tzinfo=program.tz)
        event = Event(n, at, row["customer"], row["type"], row["actor"], row.get("stage"),
                      row.get("to"))  # fmt: skip
        replayer.advance(at)
        replayer.apply(event)
        assert max(replayer.world.ledger.used.values(), default=0) <= limit


@SETTINGS
@given(steps)
def test_snapshot_of_a_replay_runs_to_the_same_state(raw: list[Any]) -> None:
    when = as_of(raw)
    replayed = rulekit.replay(POLICY, history(raw), as_of=when)
    columns, table = replayed.customer_table()
    records = [
        {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in zip(columns, row, strict=True)
        }
        for row in table
    ]
    ran = rulekit.run(POLICY, records, as_of=when).document() if records else None
    doc = replayed.document()
    if ran is None:
        assert doc["customers"] == []
        return
    keep = set(doc["customers"][0])
    assert [{k: c[k] for k in keep} for c in ran["customers"]] == doc["customers"]
    assert ran["counts"]["timers"] == 0
    slots = {r["rep"]: r["slots_used"] for r in doc["reps"] if r["slots_used"]}
    assert {r["rep"]: r["slots_used"] for r in ran["reps"] if r["slots_used"]} == slots


def test_output_is_the_same_across_hash_seeds(tmp_path: Path) -> None:
    rows = history([(h % 97, h % 5, TYPES[h % 10], ACTORS[h % 4], STAGES[h % 5], "li")
                    for h in range(300)])  # fmt: skip
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    outputs = set()
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "rulekit.cli.main", "replay", "4321-dcbao@1", str(path),
             "--as-of", "2027-06-30", "--format", "json"],
            capture_output=True, env=env, check=True,
        )  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1
