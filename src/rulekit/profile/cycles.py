"""Cycles: the periods capability targets are counted over, laid back from `--as-of`.

Cycle 0 ends at as-of; cycle k ends where cycle k-1 starts. Each cycle is half-open at its
start: it holds the instants t with `start < t <= end`. An instant exactly at as-of belongs to
cycle 0 (replay applies events at as-of); an instant exactly on a boundary between two cycles
belongs to the earlier one (the one it ends).

Boundaries are wall-clock times in the policy's timezone: each lies the cycle's length back
from as-of on the local calendar, at the same local time of day as as-of (a bare-date as-of
gives boundaries at local midnight). Days (`100d`) are calendar days, so across a
daylight-saving change a cycle is an hour longer or shorter than 100 x 24 hours (timers, by
contrast, count 24-hour days); months and years (`3mo`, `1y`) keep the day of the month,
clamped to the month's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from rulekit.timeutil import Duration, add_months


@dataclass(frozen=True, slots=True)
class Cycle:
    """One cycle: `index` 0 is the one ending at as-of, 1 the one before, ..."""

    index: int
    start: datetime  # excluded
    end: datetime  # included

    def holds(self, instant: datetime) -> bool:
        """True when `instant` belongs to this cycle (start < instant <= end)."""
        return self.start < instant <= self.end


def back(end: datetime, length: Duration, times: int, tz: tzinfo) -> datetime:
    """`end` moved back by `times` cycles of `length`, in the timezone `tz`."""
    local = end.astimezone(tz)
    if length.months:
        local = add_months(local, -length.months * times)
    if length.seconds:
        wall = local.replace(tzinfo=None) - timedelta(seconds=length.seconds * times)
        local = wall.replace(tzinfo=tz)
    return local


def cycles(as_of: datetime, length: Duration, before: int, tz: tzinfo) -> list[Cycle]:
    """The cycle ending at `as_of` and the `before` cycles before it, latest first.

    Each boundary is computed from as-of directly (never by stepping from the previous one),
    so month clamping does not drift.
    """
    if length.is_zero:
        raise ValueError("the policy's cycle has no length")
    ends = [back(as_of, length, k, tz) for k in range(before + 2)]
    return [Cycle(k, ends[k + 1], ends[k]) for k in range(before + 1)]


def cycle_of(instant: datetime, found: list[Cycle]) -> int | None:
    """The index of the cycle holding `instant`, or None outside them all."""
    for c in found:
        if c.holds(instant):
            return c.index
    return None
