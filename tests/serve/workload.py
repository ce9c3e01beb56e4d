"""Seeded concurrent workloads against running services (tests and benchmarks)."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.serve.helpers import token

STAGES = ("D", "C", "B", "A", "O")


@dataclass
class Tally:
    """Answers of a workload: status codes, latencies, acknowledged results."""

    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    acked: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, customer, type)
    errors: int = 0  # no answer (connection refused or cut)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int | None, seconds: float, body: Any, event: dict[str, Any]) -> None:
        with self.lock:
            if status is None:
                self.errors += 1
                return
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(seconds)
            if status == 200:
                self.acked.append((body["seq"], event["customer"], event["type"]))


def post(client: httpx.Client, base: str, actor: str, event: dict[str, Any], tally: Tally) -> Any:
    start = time.perf_counter()
    try:
        answer = client.post(base + "/v1/events", headers=token(actor), json=event, timeout=60)
    except httpx.HTTPError:
        tally.note(None, 0, None, event)
        return None
    body = answer.json()
    tally.note(answer.status_code, time.perf_counter() - start, body, event)
    return body


def random_worker(
    bases: list[str], reps: list[str], customers: list[str], seed: int, n: int, tally: Tally
) -> None:
    """`n` random events of every kind by random reps and the admin (refusals welcome)."""
    rng = random.Random(seed)
    with httpx.Client() as client:
        for _ in range(n):
            base = rng.choice(bases)
            cid = rng.choice(customers)
            roll = rng.random()
            actor = rng.choice(reps)
            if roll < 0.15:
                event = {"customer": cid, "type": "archive"}
                actor = "admin" if rng.random() < 0.4 else actor
            elif roll < 0.30:
                event = {"customer": cid, "type": "claim"}
            elif roll < 0.55:
                event = {"customer": cid, "type": "promote", "stage": rng.choice(STAGES)}
            elif roll < 0.65:
                event = {"customer": cid, "type": rng.choice(["approve", "reject"])}
                actor = "admin"
            elif roll < 0.72:
                event = {"customer": cid, "type": "release"}
            elif roll < 0.78:
                event = {"customer": cid, "type": "renew"}
            elif roll < 0.84:
                event = {"customer": cid, "type": "reassign", "to": rng.choice(reps)}
                actor = "admin"
            elif roll < 0.88:
                event = {"customer": cid, "type": "publish"}
                actor = "admin"
            else:
                event = {"customer": cid, "type": "activity"}
            post(client, base, actor, event, tally)


def run_threads(workers: list[threading.Thread], limit: float = 120) -> None:
    for w in workers:
        w.start()
    deadline = time.monotonic() + limit
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def race_setup(base: str, reps: list[str], held: int, pool: int) -> list[str]:
    """Each rep holding `held` customers, `pool` customers in the public pool (by import)."""
    events: list[dict[str, Any]] = [
        {"customer": f"H-{r}-{i:03d}", "type": "archive", "actor": r}
        for r in reps
        for i in range(held)
    ]
    pooled = [f"P{i:04d}" for i in range(pool)]
    events += [{"customer": c, "type": "archive", "actor": "admin"} for c in pooled]
    with httpx.Client() as client:
        for start in range(0, len(events), 1000):
            answer = client.post(
                base + "/v1/events:batch",
                headers=token("import"),
                json={"events": events[start : start + 1000]},
                timeout=120,
            )
            answer.raise_for_status()
            assert all(r["applied"] for r in answer.json()["results"])
    return pooled


def race_worker(
    bases: list[str], rep: str, pool: list[str], seed: int, tries: int, tally: Tally
) -> None:
    """A rep claiming pool customers in a random order, `tries` times."""
    rng = random.Random(seed)
    order = rng.sample(pool, min(tries, len(pool)))
    with httpx.Client() as client:
        for i, cid in enumerate(order):
            post(client, bases[i % len(bases)], rep, {"customer": cid, "type": "claim"}, tally)
