"""Counters over a window: applied events (or routed leads) per actor, owner, customer or type.

A policy's `counters:` are read in conditions as `NAME(key)` (`claims_today(actor) < 5`).
Only the counters a policy declares are kept, and only for the event types they count: a
rolling window keeps each key's instants in a deque (dropping those that left the window as
it is read); a calendar window (`day`, `week` in the policy's zone) keeps one bucket per key.
Reads happen in time order during a replay, so dropping is safe; an instant before the last
read sees what was kept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy

#: what a counter with `count: routed` counts: leads a routing rule gave to a rep.
ROUTED = "routed"


@dataclass(slots=True)
class Counter:
    """One counter's running tallies."""

    name: str
    by: str  # actor, owner, customer or all
    window: timedelta | None  # a rolling window, or None for a calendar one
    calendar: str | None  # "day" or "week" (in the policy's zone), or None
    tz: tzinfo
    recent: dict[str, deque[datetime]] = field(default_factory=dict)
    buckets: dict[str, tuple[date, int]] = field(default_factory=dict)

    def _period(self, at: datetime) -> date:
        day = at.astimezone(self.tz).date()
        return day - timedelta(days=day.weekday()) if self.calendar == "week" else day

    def add(self, key: str, at: datetime) -> None:
        """Count one event for `key` at `at`."""
        if self.window is not None:
            found = self.recent.get(key)
            if found is None:
                found = self.recent[key] = deque()
            found.append(at)
            return
        period = self._period(at)
        current = self.buckets.get(key)
        count = current[1] if current is not None and current[0] == period else 0
        self.buckets[key] = (period, count + 1)

    def value(self, key: str, now: datetime) -> int:
        """The count for `key` in the window that ends at `now`."""
        if self.window is not None:
            found = self.recent.get(key)
            if not found:
                return 0
            start = now - self.window
            while found and found[0] <= start:
                found.popleft()
            if found and found[-1] > now:
                return sum(1 for at in found if at <= now)
            return len(found)
        current = self.buckets.get(key)
        return current[1] if current is not None and current[0] == self._period(now) else 0


class Counters:
    """Every counter of a policy, fed as events apply and leads are routed."""

    def __init__(self, policy: CompiledPolicy) -> None:
        from rulekit.timeutil import Duration

        self.by_name: dict[str, Counter] = {}
        self.by_type: dict[str, list[Counter]] = {}
        for name, spec in policy.model.counters.items():
            within = spec.within
            rolling = isinstance(within, Duration)
            counter = Counter(
                name,
                spec.by,
                timedelta(seconds=within.seconds) if isinstance(within, Duration) else None,
                None if rolling else str(within),
                policy.tz,
            )
            self.by_name[name] = counter
            for kind in spec.count:
                self.by_type.setdefault(kind, []).append(counter)

    def note(
        self, kind: str, at: datetime, actor: str | None, owner: str | None, customer: str
    ) -> None:
        """Count an applied event (or a routed lead, `kind` "routed") for the keys it has."""
        for counter in self.by_type.get(kind, ()):
            by = counter.by
            key = actor if by == "actor" else owner if by == "owner" else customer
            if by == "all":
                key = ""
            elif by == "type":
                key = kind
            if key is not None:
                counter.add(key, at)

    def value(self, name: str, key: str, now: datetime) -> int | None:
        """The current value of counter `name` for `key` (null for an unknown counter)."""
        counter = self.by_name.get(name)
        return counter.value(key, now) if counter is not None else None


def build(policy: CompiledPolicy) -> Counters | None:
    """The policy's counters, or None if it declares none (nothing is counted then)."""
    return Counters(policy) if policy.model.counters else None
