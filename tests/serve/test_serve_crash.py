"""kill -9 of `rulekit serve` under load, then a restart: every answered event is in the log,
nothing is half-applied, and the timers that fell due while it was down fire once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from rulekit.serve.database import driver_url
from tests.serve.helpers import Server, replay_export, snapshot, token, write_tokens
from tests.serve.workload import Tally, post

REPS = [f"k{i}" for i in range(6)]
DUE_IN = 15  # seconds from the import until the OD -> R timer is due


def import_signed_customer(base: str, seconds: int = DUE_IN) -> datetime:
    """A customer signed 30 days minus `seconds` ago: its OD -> R timer is due in `seconds`."""
    now = datetime.now(UTC).replace(microsecond=0)
    signed = now - timedelta(days=30) + timedelta(seconds=seconds)
    events: list[dict[str, Any]] = [
        {
            "customer": "T1",
            "type": "archive",
            "actor": "k0",
            "at": (now - timedelta(days=40)).isoformat(),
        }
    ]
    events += [
        {"customer": "T1", "type": "promote", "stage": s, "actor": "k0", "at": signed.isoformat()}
        for s in "DCBAO"
    ]
    answer = httpx.post(
        base + "/v1/events:batch", headers=token("import"), json={"events": events}, timeout=60
    )
    answer.raise_for_status()
    assert all(r["applied"] for r in answer.json()["results"])
    return signed + timedelta(days=30)


def load(base: str, worker: int, stop: threading.Event, tally: Tally) -> None:
    with httpx.Client() as client:
        for i in range(300):
            if stop.is_set():
                return
            rep = REPS[worker % len(REPS)]
            post(client, base, rep, {"customer": f"W{worker}-{i:03d}", "type": "archive"}, tally)


def timer_entries(base: str) -> list[dict[str, Any]]:
    entries = httpx.get(base + "/v1/log?limit=1000", headers=token("admin"), timeout=60).json()
    return [e for e in entries["entries"] if e["kind"] == "timer" and e["customer"] == "T1"]


def test_kill_during_load_then_restart(db_url: str, tmp_path: Path) -> None:
    tokens = write_tokens(tmp_path / "tokens.csv", REPS)
    server = Server(db_url, tokens, tmp_path).start()
    try:
        due = import_signed_customer(server.base)
        tally, stop = Tally(), threading.Event()
        workers = [
            threading.Thread(target=load, args=(server.base, w, stop, tally)) for w in range(6)
        ]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 30
        while len(tally.acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # kill -9 while requests are in flight
        stop.set()
        for w in workers:
            w.join(30)
        assert datetime.now(UTC) < due, "the server died before the timer was due"
        while datetime.now(UTC) < due + timedelta(seconds=1):
            time.sleep(0.2)
    finally:
        server.stop()
    assert tally.acked, "some events were answered before the kill"
    again = Server(db_url, tokens, tmp_path).start()
    try:
        doc = snapshot(again.base)
        log = httpx.get(again.base + "/v1/log?limit=1000", headers=token("admin"), timeout=60)
        by_seq = {e["seq"]: e for e in log.json()["entries"]}
        fired = timer_entries(again.base)
    finally:
        again.stop()
    for seq, customer, kind in tally.acked:  # every answered event is in the log
        assert by_seq[seq]["customer"] == customer and by_seq[seq]["type"] == kind
    states = {c["customer"]: c for c in doc["customers"]}
    assert states["T1"]["state"] == "R" and len(fired) == 1
    assert datetime.fromisoformat(fired[0]["at"]) == due
    assert datetime.fromisoformat(states["T1"]["state_since"]) == due
    engine = sa.create_engine(driver_url(db_url))  # the state tables agree with the log
    with engine.connect() as conn:
        table = {
            r.customer: (r.state, r.owner) for r in conn.execute(sa.text("SELECT * FROM customers"))
        }
        events = conn.execute(sa.text("SELECT count(*) FROM log WHERE kind = 'event'")).scalar()
    engine.dispose()
    assert table == {c: (s["state"], s["owner"]) for c, s in states.items()}
    assert events == doc["counts"]["events"]
    offline = replay_export(db_url, doc["as_of"], tmp_path)
    assert offline["customers"] == doc["customers"] and offline["reps"] == doc["reps"]
    third = Server(db_url, tokens, tmp_path).start()  # a later start fires nothing twice
    try:
        assert len(timer_entries(third.base)) == 1
    finally:
        third.stop()
