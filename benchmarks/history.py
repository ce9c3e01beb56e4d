"""A fast seeded generator of large event histories for benchmarks (default policy's events).

Each customer follows a plausible path (archive, promotions, maybe signing, renewals,
releases, claims with approvals, activities), with a few wrong events mixed in; customers are
interleaved in time. Not a simulator of a sales team (see `rulekit simulate`): a load.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

STAGES = ("D", "C", "B", "A", "O")
COLUMNS = ["at", "customer", "type", "actor", "stage", "to"]


def generate(
    events: int,
    customers: int,
    reps: int = 100,
    seed: int = 0,
    *,
    start: datetime | None = None,
    span_days: int = 365,
) -> list[list[str]]:
    """About `events` rows over `customers` customers and `reps` reps, sorted by time.

    Customers are archived at random over `span_days` from `start`; each one's later events
    follow it by 1 hour to 20 days each. `start` defaults to 2025-01-01 09:00.
    """
    rng = random.Random(seed)
    if start is None:
        start = datetime(2025, 1, 1, 9, 0)
    per = max(1, events // customers)
    rows: list[tuple[datetime, list[str]]] = []
    names = [f"rep{r:03d}" for r in range(reps)]
    for c in range(customers):
        cid = f"C{c:07d}"
        rep = rng.choice(names)
        t = start + timedelta(minutes=rng.randrange(0, span_days * 24 * 60))
        out: list[tuple[str, str, str, str]] = []
        if rng.random() < 0.8:
            out.append(("archive", rep, "", ""))
            owner = rep
        else:
            out.append(("archive", "admin", "", ""))
            out.append(("claim", rep, "", ""))
            out.append(("approve", "admin", "", ""))
            owner = rep
        for stage in STAGES:
            if len(out) >= per or rng.random() < 0.25:
                break
            out.append(("promote", owner, stage, ""))
            if rng.random() < 0.3:
                out.append(("activity", owner, "", ""))
        while len(out) < per:
            roll = rng.random()
            if roll < 0.4:
                out.append(("activity", rng.choice(names), "", ""))
            elif roll < 0.6:
                out.append(("renew", owner, "", ""))
            elif roll < 0.7:
                out.append(("reassign", "admin", "", rng.choice(names)))
            elif roll < 0.8:
                out.append(("release", owner, "", ""))
            elif roll < 0.9:
                out.append(("claim", rng.choice(names), "", ""))
            else:
                out.append(("promote", owner, rng.choice(STAGES), ""))
        for kind, actor, stage, to in out:
            t += timedelta(hours=rng.randrange(1, 24 * 20))
            rows.append((t, [t.strftime("%Y-%m-%d %H:%M"), cid, kind, actor, stage, to]))
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


def write_csv(path: str, rows: list[list[str]]) -> None:
    """Write rows under the contract's header."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows)
