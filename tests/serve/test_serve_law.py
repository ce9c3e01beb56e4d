"""The consistency law and race safety, against real `serve` processes on SQLite and Postgres.

Law: after a seeded concurrent workload (two processes on one ledger), `rulekit ledger
export` replayed offline with `rulekit replay` at the snapshot's instant gives the customers,
reps and refusals of `GET /v1/snapshot`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import history_generator
from tests.serve.helpers import POLICY, cli, replay_export, serving, snapshot, write_tokens
from tests.serve.test_serve_crash import import_signed_customer, timer_entries
from tests.serve.workload import Tally, race_setup, race_worker, random_worker, run_threads

REPS = [f"r{i:02d}" for i in range(8)]
TRIES = 4  # claims per racing rep (benchmarks/serve_load.py runs more)


def seeded_history(path: Path) -> Path:
    """A small back-dated history (timers fire while it is imported)."""
    generator = history_generator()
    generate, write_csv = generator.generate, generator.write_csv
    start = datetime.now() - timedelta(days=300)
    rows = generate(600, 60, reps=6, seed=7, start=start, span_days=120)
    rows = [
        r for r in rows if r[0] < (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    ]
    write_csv(str(path), rows)
    return path


def test_consistency_law_after_a_concurrent_workload(db_url: str, tmp_path: Path) -> None:
    history = seeded_history(tmp_path / "history.csv")
    done = cli("ledger", "import", POLICY, str(history), "--db", db_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    tokens = write_tokens(tmp_path / "tokens.csv", [*REPS, "rep000", "rep001"])
    customers = [f"C{i:07d}" for i in range(60)] + [f"N{i:03d}" for i in range(30)]
    tally = Tally()
    with serving(db_url, tokens, tmp_path, n=2) as servers:
        bases = [s.base for s in servers]
        due = import_signed_customer(bases[1], seconds=4)  # its timer falls due during the load
        workers = [
            threading.Thread(target=random_worker, args=(bases, REPS, customers, seed, 25, tally))
            for seed in range(8)
        ]
        run_threads(workers)
        while datetime.now(UTC) < due + timedelta(seconds=2.5):  # the schedulers' turn
            time.sleep(0.2)
        fired = timer_entries(bases[0])
        live = snapshot(bases[0])
        other = snapshot(bases[1])
    assert tally.errors == 0 and set(tally.statuses) == {200}
    assert live["counts"]["timers"] > 0, "the imported history fires timers"
    offline = replay_export(db_url, live["as_of"], tmp_path)
    assert offline["customers"] == live["customers"]
    assert offline["reps"] == live["reps"]
    assert offline["rejected"] == live["rejected"]
    assert offline["counts"] == live["counts"]
    assert other["customers"] == live["customers"], "both processes see one ledger"
    assert len(fired) == 1 and datetime.fromisoformat(fired[0]["at"]) == due, fired


def test_race_for_the_pool_and_the_last_slots(db_url: str, tmp_path: Path) -> None:
    reps = [f"q{i:02d}" for i in range(50)]
    tokens = write_tokens(tmp_path / "tokens.csv", reps)
    tally = Tally()
    with serving(db_url, tokens, tmp_path, n=2) as servers:
        bases = [s.base for s in servers]
        pool = race_setup(bases[0], reps, held=49, pool=100)
        workers = [
            threading.Thread(target=race_worker, args=(bases, rep, pool, seed, TRIES, tally))
            for seed, rep in enumerate(reps)
        ]
        run_threads(workers)
        doc = snapshot(bases[1])
    assert tally.errors == 0 and tally.statuses == {200: 50 * TRIES}
    slots = {r["rep"]: r["slots_used"] for r in doc["reps"]}
    assert max(slots.values()) == 50 and all(slots[r] <= 50 for r in reps)
    claimed = Counter(c["pending_owner"] for c in doc["customers"] if c["pending_owner"])
    assert all(n == 1 for n in claimed.values()), "a rep took two slots past 49"
    refusals = Counter(r["reason"] for r in doc["rejected"])
    assert set(refusals) <= {"quota_exceeded", "claim_pending"}
    applied = 50 * TRIES - sum(refusals.values())
    assert applied == len(claimed) == sum(1 for c in doc["customers"] if c["pending_owner"])
    offline = replay_export(db_url, doc["as_of"], tmp_path)
    assert offline["customers"] == doc["customers"] and offline["reps"] == doc["reps"]
