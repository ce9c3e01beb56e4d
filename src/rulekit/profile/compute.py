"""Compute capability profiles from promotions: per rep, per team and for the whole run.

- count: the promotions into a stage whose instant falls in the cycle (see `cycles`).
- target: the stage's `target.count` per rep; a team's is that times its reps.
- attainment: count / target.
- conversion: count / the previous stage's count in the same cycle, against the target
  ratio reach(stage) / reach(previous stage) (19/50 = 38% for C in the default policy).
- reach: count / the first stage's count, against the stage's `target.reach`.
- median days: the median of the days (24 hours each, fractional) from the previous
  promotion of the same customer to this one, over the promotions whose previous date is
  known, against `target.days`. For the first stage, from when the customer entered the
  state it was promoted from (known in a replay only).
- weakest: the stage with the lowest attainment below 1 (100%) among the stages with a
  target count above 0; on a tie the earlier stage of the path. None when every stage is at
  or above its target.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from rulekit.profile.cycles import Cycle, cycle_of
from rulekit.profile.model import CycleProfiles, Profile, StageFigure, StagePlan

DAY = 86400.0


class Tally:
    """Promotions of one subject in one cycle: counts and days per stage."""

    __slots__ = ("counts", "days")

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.days: dict[str, list[float]] = defaultdict(list)

    def add(self, stage: str, at: datetime, since: datetime | None) -> None:
        self.counts[stage] += 1
        if since is not None and since <= at:
            self.days[stage].append((at - since).total_seconds() / DAY)

    def merge(self, other: Tally) -> None:
        for stage, n in other.counts.items():
            self.counts[stage] += n
        for stage, values in other.days.items():
            self.days[stage].extend(values)


def _ratio(a: float, b: float | None) -> float | None:
    return a / b if b else None


def figures(plan: Sequence[StagePlan], tally: Tally, reps: int) -> list[StageFigure]:
    """The figures of every stage of `plan` for a subject of `reps` reps."""
    out = []
    first = tally.counts.get(plan[0].code, 0) if plan else 0
    for i, s in enumerate(plan):
        count = tally.counts.get(s.code, 0)
        target = s.count * reps if s.count is not None else None
        prev = plan[i - 1] if i else None
        conv_target = None
        if prev is not None and s.reach is not None and prev.reach:
            conv_target = s.reach / prev.reach
        days = tally.days.get(s.code, [])
        out.append(
            StageFigure(
                s.code,
                count,
                target,
                _ratio(count, target) if target else None,
                _ratio(count, tally.counts.get(prev.code, 0)) if prev is not None else None,
                conv_target,
                _ratio(count, first) if i else (1.0 if count else None),
                s.reach,
                statistics.median(days) if days else None,
                s.days,
                len(days),
            )
        )
    return out


def weakest(stages: Iterable[StageFigure]) -> str | None:
    """The stage furthest below its target count (lowest attainment < 1), the earlier on a
    tie; None when no stage with a target is below it."""
    found: tuple[float, str] | None = None
    for f in stages:
        if f.attainment is None or f.attainment >= 1:
            continue
        if found is None or f.attainment < found[0]:
            found = (f.attainment, f.stage)
    return found[1] if found else None


def profile(
    kind: str,
    pid: str,
    plan: Sequence[StagePlan],
    tally: Tally,
    reps: int,
    *,
    name: str | None = None,
    team: str | None = None,
) -> Profile:
    """One subject's profile."""
    stages = figures(plan, tally, reps)
    return Profile(kind, pid, name, team, reps, stages, weakest(stages))


def compute(
    plan: Sequence[StagePlan],
    found: Sequence[Cycle],
    promotions: Iterable[tuple[str | None, str, datetime, datetime | None]],
    reps: Sequence[str],
    teams: dict[str, str | None],
    names: dict[str, str | None],
) -> list[CycleProfiles]:
    """Profiles per cycle from (rep, stage, at, since) promotions.

    Every rep of `reps` gets a profile in every cycle (zeros included); a promotion with no
    rep is counted as unattributed; a promotion of a stage the plan does not have is ignored.
    """
    codes = {s.code for s in plan}
    tallies: dict[tuple[int, str], Tally] = {}
    loose: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rep, stage, at, since in promotions:
        if stage not in codes:
            continue
        k = cycle_of(at, list(found))
        if k is None:
            continue
        if rep is None:
            loose[k][stage] += 1
            continue
        key = (k, rep)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        tally.add(stage, at, since)
    everyone = sorted(set(reps) | {rep for _, rep in tallies})
    out = []
    for c in found:
        rep_profiles = []
        by_team: dict[str, list[str]] = defaultdict(list)
        total = Tally()
        for rep in everyone:
            tally = tallies.get((c.index, rep)) or Tally()
            team = teams.get(rep)
            rep_profiles.append(profile("rep", rep, plan, tally, 1, name=names.get(rep), team=team))
            total.merge(tally)
            if team is not None:
                by_team[team].append(rep)
        team_profiles = []
        for team in sorted(by_team):
            merged = Tally()
            for rep in by_team[team]:
                merged.merge(tallies.get((c.index, rep)) or Tally())
            team_profiles.append(profile("team", team, plan, merged, len(by_team[team])))
        whole = profile("all", "all", plan, total, len(everyone))
        unattributed = {s.code: loose[c.index][s.code] for s in plan if loose[c.index][s.code]}
        out.append(CycleProfiles(c, rep_profiles, team_profiles, whole, unattributed))
    return out
