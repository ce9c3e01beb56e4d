"""Seeded generators of benchmark inputs: customer snapshots and event histories.

    from data import snapshot, history
    columns, rows = snapshot(100_000, reps=1_000, seed=1)   # text cells, as a CSV gives them
    columns, rows = history(1_000_000, 100_000, reps=1_000, seed=1)

A snapshot looks like a CRM export of the default policy's records at `AS_OF`: about half the
customers pre-sale (`new`..`A`) with consistent flags and promotion dates, ~3% of those with a
skipped stage, a fifth signed (`OD`, `O+`, `R`, `E`) of whom many have timers due by as-of,
the rest in the public pool (`L`), a tenth of those with a claim pending. Dates are local
(the policy's timezone), mostly `YYYY-MM-DD HH:MM:SS`, some bare `YYYY-MM-DD`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from history import generate

AS_OF = "2026-06-30"  # the snapshot's as-of (00:00 in the policy's timezone)
STAGES = ("D", "C", "B", "A", "O")
SNAPSHOT_COLUMNS = [
    "customer",
    "owner",
    "state",
    *STAGES,
    *(f"{s}_at" for s in STAGES),
    "state_since",
    "lapses",
    "renewals",
    "pending_owner",
    "last_activity_at",
]
HISTORY_COLUMNS = ["at", "customer", "type", "actor", "stage", "to"]
HISTORY_START = datetime(2021, 1, 1, 9, 0)
HISTORY_AS_OF = "2026-12-31"  # after the last event a history's customers can have
# the overlay the dry-run benchmarks compare with the default policy
CANDIDATE = """\
rulekit: 1
extends: 4321-dcbao@1
id: bench-candidate
version: 1.0.0
title: "benchmark candidate: quota 30, lapse after 60 days"
quota: {limit: 30}
transitions:
  lapse: {after: 60d}
"""

_DAYS = 5 * 365  # the window of dates: five years before as-of
_STATES = ("new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L")
_WEIGHTS = (12, 15, 11, 7, 5, 5, 3, 6, 6, 30)
_PRE_SALE = {"new": 0, "D": 1, "C": 2, "B": 3, "A": 4}


def snapshot(n: int, reps: int = 100, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """`n` customer records owned by `reps` reps: (columns, rows of text cells)."""
    rng = random.Random(seed)
    end = date.fromisoformat(AS_OF)
    days = [(end - timedelta(days=_DAYS - i)).isoformat() for i in range(_DAYS)]
    index = {d: i for i, d in enumerate(days)}
    names = [f"rep{r:04d}" for r in range(reps)]
    rand, randrange, choice = rng.random, rng.randrange, rng.choice

    def at(day: int) -> str:
        """A date-time text on day index `day` (0 = five years before as-of)."""
        if rand() < 0.15:
            return days[day]
        m = randrange(8 * 60, 20 * 60)
        return f"{days[day]} {m // 60:02d}:{m % 60:02d}:{randrange(60):02d}"

    states = rng.choices(_STATES, _WEIGHTS, k=n)
    rows: list[list[str]] = []
    for i in range(n):
        state = states[i]
        owner = choice(names)
        flags = ["0"] * 5
        dates = [""] * 5
        pending = ""
        lapses = renewals = 0
        last = ""
        if state in _PRE_SALE:
            k = _PRE_SALE[state]
            day = randrange(0, _DAYS - 2)  # archived
            since = at(day)
            for s in range(k):
                day = min(_DAYS - 1, day + randrange(1, 60))
                flags[s] = "1"
                dates[s] = at(day)
                since = dates[s]
            if k >= 3 and rand() < 0.03:  # a skipped stage: a 0 between 1s
                gap = randrange(1, k - 1)
                flags[gap], dates[gap] = "0", ""
            if rand() < 0.01:  # a flag too far for the state (entered by hand)
                flags[k if k < 4 else 4] = "1"
        else:
            # signed at some point: every flag set, the O date the signing
            if state == "OD":  # signed in the last 60 days: half are due for R
                since = at(_DAYS - randrange(1, 60))
                sign = since
            elif state == "O+":  # renewed in the last 60 days
                since = at(_DAYS - randrange(1, 60))
                sign = at(randrange(0, _DAYS - 90))
                renewals = randrange(1, 4)
            elif state == "R":  # entered in the last 150 days: some due for E
                day = _DAYS - randrange(1, 150)
                since = at(day)
                sign = at(day - 30 - randrange(0, 400))
                renewals = randrange(0, 3)
            elif state == "E":
                day = _DAYS - randrange(1, 400)
                since = at(day)
                sign = at(day - 120 - randrange(0, 400))
                lapses = randrange(1, 3)
            else:  # L: released or published, maybe claimed again
                owner = ""
                since = at(randrange(_DAYS - 700, _DAYS - 1))
                sign = at(randrange(0, _DAYS - 700))
                if rand() < 0.1:
                    pending = choice(names)
            flags = ["1"] * 5
            dates[4] = sign
            day = index[sign[:10]]
            for s in range(3, -1, -1):
                day = max(0, day - randrange(1, 40))
                dates[s] = at(day)
            if state == "L" and rand() < 0.5:  # released before signing
                flags[2:] = ["0", "0", "0"]
                dates[2:] = ["", "", ""]
        if rand() < 0.7:
            last = at(randrange(_DAYS - 90, _DAYS))
        rows.append(
            [
                f"C{i:07d}",
                owner,
                state,
                *flags,
                *dates,
                since,
                str(lapses),
                str(renewals),
                pending,
                last,
            ]
        )
    rng.shuffle(rows)  # export order is not id order
    return list(SNAPSHOT_COLUMNS), rows


def history(
    n_events: int, n_customers: int, reps: int = 100, seed: int = 0
) -> tuple[list[str], list[list[str]]]:
    """About `n_events` events over `n_customers` customers and `reps` reps, in time order:
    (columns, rows of text cells). Customers arrive over five years from 2021; each has about
    n_events / n_customers events (see history.generate); all are before HISTORY_AS_OF."""
    rows = generate(n_events, n_customers, reps, seed, start=HISTORY_START, span_days=5 * 365)
    return list(HISTORY_COLUMNS), rows
