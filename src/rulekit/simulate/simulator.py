"""The simulator's calendar: the daily rounds that set the actors to work; `simulate()` keeps
the rows in memory, `Simulator.chunks()` hands them out as they come (for a file of any size)."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from rulekit.compiler import CompiledPolicy
from rulekit.simulate.noise import Noise
from rulekit.simulate.world import Simulation

#: the most rows the generator holds before handing them out
_CHUNK = 4096


class Simulator(Noise):
    """One run: `chunks()` yields the rows as they are made; then `refusals()`, `archived`,
    `n_rows` and `end` describe what was written. Memory grows with the customers archived
    (the engine's record of each, which every later choice reads), not with the rows."""

    def refusals(self) -> Counter[str]:
        """The engine's refusals so far, by reason."""
        return Counter(+self.produced)

    def simulation(self, rows: list[dict[str, Any]]) -> Simulation:
        """The summary of a finished run, with `rows` (all of them, or none when streamed)."""
        return Simulation(
            rows,
            self.people_rows,
            self.columns,
            self.start,
            self.end,
            self.refusals(),
            self.archived,
        )

    # -- daily rounds -----------------------------------------------------------------------
    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        """Simulate day after day, yielding the rows in time order: each day's when it is
        over (a busy day's in parts of at most a few thousand); the rows are not kept.
        `days_done` counts the days simulated."""
        r = self.rng
        first = self.start.date()
        workdays = [
            first + timedelta(days=d)
            for d in range(self.days)
            if (first + timedelta(days=d)).weekday() < 5
        ] or [first]
        per_day = self.target / len(workdays)
        done_days = 0
        for d in range(self.days):
            day = first + timedelta(days=d)
            weekday = day.weekday() < 5
            saturday = day.weekday() == 5
            intents: list[tuple[datetime, int, Callable[[datetime], None]]] = []

            def add(
                at: datetime, fn: Callable[[datetime], None], intents: list[Any] = intents
            ) -> None:
                self.seq += 1
                intents.append((at, self.seq, fn))

            if weekday:
                done_days += 1
            # archives: keep on course for the target number of customers
            due = round(per_day * done_days) if d < self.days - 1 else self.target
            last = d == self.days - 1
            want = max(0, due - self.archived) if weekday or saturday or last else 0
            if weekday and want > 0 and not last:
                want = max(0, want + r.choice((-1, 0, 0, 1)))
            for _ in range(want):
                add(self.work_time(day), self.do_archive)
            # a look at every known customer: activities, the pool, lapsed ones, claims
            self.replayer.advance(self.at_minute(day, 0))
            pool: list[str] = []
            lapsed: list[str] = []
            pending: list[str] = []
            busy = 1.0 if weekday else (0.25 if saturday else 0.08)
            for cid in self.known:
                c = self.world.customers.get(cid)
                if c is None:
                    continue
                if c.pending is not None:
                    pending.append(cid)
                elif c.state in self.roles.public:
                    pool.append(cid)
                    if r.random() < 0.002 * busy:
                        add(self.work_time(day), _bind(self.do_activity, cid, "pool"))
                elif c.state in self.roles.publish:
                    lapsed.append(cid)
                if c.owner is not None:
                    p = 0.11 if c.state in self.roles.presale else 0.025
                    if r.random() < p * busy:
                        add(self.work_time(day), _bind(self.do_activity, cid, "owner"))
            if weekday:
                # claims from the pool, first come first served
                for cid in pool:
                    if r.random() < 0.013:
                        add(self.work_time(day), _bind(self.do_claim, cid))
                # admins: publish the lapsed in a batch twice a week
                if lapsed and day.weekday() in (1, 4):
                    at = self.at_minute(day, 16 * 60 + r.randrange(0, 60))
                    add(at, _bind(self.do_publish, tuple(lapsed)))
                # a reassignment now and then
                if self.roles.reassign and r.random() < 0.2:
                    add(self.work_time(day), self.do_reassign)
                # other events the policy has: tried now and then, as the state allows
                for kind in self.roles.others:
                    if r.random() < 0.05:
                        add(self.work_time(day), _bind(self.do_other, kind))
            # noise: a share of deliberately wrong events
            n_noise = sum(1 for _ in range(len(intents)) if r.random() < self.noise)
            for _ in range(n_noise):
                add(self.work_time(day), self.do_noise)
            # today's intents and the planned steps falling due today (even those planned
            # today), in time order
            heapq.heapify(intents)
            end_of_day = self.at_minute(day, 23 * 60 + 59)
            while intents or (self.plans and self.plans[0][0] <= end_of_day):
                if len(self.rows) >= _CHUNK:  # a busy day is handed out in parts
                    yield self.take_rows()
                if self.plans and self.plans[0][0] <= end_of_day:
                    if not intents or self.plans[0][:2] < intents[0][:2]:
                        at, _, kind, cid, token = heapq.heappop(self.plans)
                        if self.token.get(cid) == token:
                            self.run_plan(kind, cid, at)
                        continue
                at, _, fn = heapq.heappop(intents)
                fn(at)
            self.days_done = d + 1
            yield self.take_rows()
        self.replayer.advance(self.end)


def _bind(fn: Callable[..., None], *args: Any) -> Callable[[datetime], None]:
    def call(at: datetime) -> None:
        fn(*args, at)

    return call


def simulate(
    policy: CompiledPolicy,
    *,
    reps: int = 20,
    customers: int = 2000,
    start: datetime | None = None,
    days: int = 365,
    seed: int = 0,
    admins: Sequence[str] = ("admin",),
    noise: float = 0.03,
) -> Simulation:
    """Generate a seeded event history for `policy` (see the package's docstring).

    Args:
        policy: The compiled policy whose events, stages, lifecycle and quota drive it.
        reps: How many reps (ids rep01...; Chinese names in `people`).
        customers: How many distinct customers are archived over the period.
        start: The first instant (a naive datetime is in the policy's timezone);
            default 2026-01-01 00:00.
        days: How many days to simulate; the history ends before `start + days`.
        seed: The seed of the one random generator: the same seed gives the same rows.
        admins: The admins' ids.
        noise: The share of deliberately wrong events (refused by the engine).
    """
    begin = start if start is not None else datetime(2026, 1, 1)
    sim = Simulator(policy, reps, customers, begin, days, seed, admins, noise)
    return sim.simulation([row for rows in sim.chunks() for row in rows])
