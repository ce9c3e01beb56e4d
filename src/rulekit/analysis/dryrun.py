"""Dry-run: replay one history under a baseline and a candidate policy and compare them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

import polars as pl

from rulekit.compiler import CompiledPolicy
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people
from rulekit.engine.result.result import Result, expected_signings
from rulekit.engine.result.rows import plain_number
from rulekit.profile import engine_link
from rulekit.profile.compare import ProfileChange
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame

#: How a customer ends: (state, owner); (None, None) where the customer is unknown.
End = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Change:
    """A customer that ends differently under the two policies."""

    customer: str
    baseline: tuple[str | None, str | None]  # (state, owner); None state: unknown there
    candidate: tuple[str | None, str | None]


_CUSTOMER = attrgetter("customer")
_UNKNOWN: End = (None, None)


@dataclass(slots=True)
class DryRun:
    """Both replays and their differences."""

    baseline: Result
    candidate: Result
    changed: list[Change]
    baseline_policy: CompiledPolicy
    candidate_policy: CompiledPolicy
    profiles: ProfileChange | None = None  # None: a policy has no stages to profile

    @staticmethod
    def side(result: Result) -> dict[str, Any]:
        """One side of the JSON document: policy, counts, states, refusals by reason."""
        return side(result)

    def document(self) -> dict[str, Any]:
        """The dry-run document (docs/formats.md)."""
        return {
            "baseline": self.side(self.baseline),
            "candidate": self.side(self.candidate),
            "changed": [
                {
                    "customer": c.customer,
                    "baseline": {"state": c.baseline[0], "owner": c.baseline[1]},
                    "candidate": {"state": c.candidate[0], "owner": c.candidate[1]},
                }
                for c in self.changed
            ],
            **({"profile": self.profiles.document()} if self.profiles is not None else {}),
        }


def side(result: Result) -> dict[str, Any]:
    """A replay's side of the dry-run document: policy, counts, states, refusals by reason."""
    states = Counter(result.customer_column("state"))
    reasons = result.rejected.reasons()
    return {  # "policy" and "counts" as in the replay document (Result.document)
        "policy": {"id": result.policy_id, "version": result.policy_version},
        "counts": {
            "events": result.events,
            "applied": result.applied,
            "rejected": len(result.rejected),
            "timers": result.timers,
        },
        "states": dict(sorted(states.items())),
        "rejected": dict(sorted(reasons.items())),
    }


def summary(result: Result) -> dict[str, Any]:
    """`side` plus the outcome totals a sweep ranks by: expected signings (the sum of the reps'
    `expected_signings` as `run` reports them, to 6 decimals) and lifetime lapses."""
    assert result.world is not None, "a replay keeps its world"
    world = result.world
    per_rep = expected_signings(world.program, world, result.as_of)
    total = round(sum(round(v, 6) for v in per_rep.values()), 6)
    lapses = plain_number(sum(n or 0 for n in result.customer_column("lapses")))
    return {**side(result), "expected_signings": total, "lapses": lapses}


def ends(result: Result) -> dict[str, End]:
    """Each customer's (state, owner) at as-of."""
    ids, states, owners = (result.customer_column(n) for n in ("customer", "state", "owner"))
    return dict(zip(ids, zip(states, owners, strict=True), strict=True))


def changes(left: Result, right: Result) -> list[Change]:
    """`compare(ends(left), ends(right))` as one polars join of the two sides' columns: the
    customers that end differently, in customer order (a text's bytes sort as its code
    points). Where a column is not all text polars can hold (an id with a lone surrogate, read
    from a JSON string), the mappings are compared."""
    try:
        a, b = _ends_frame(left), _ends_frame(right)
    except (TypeError, UnicodeEncodeError):
        return compare(ends(left), ends(right))
    found = (
        a.join(b, on="customer", how="full", coalesce=True, suffix="_b")
        .filter(
            pl.col("state").ne_missing(pl.col("state_b"))
            | pl.col("owner").ne_missing(pl.col("owner_b"))
        )
        .sort("customer")
        .select("customer", "state", "owner", "state_b", "owner_b")
    )
    return [Change(c, (s, o), (t, p)) for c, s, o, t, p in found.iter_rows()]


def _ends_frame(result: Result) -> pl.DataFrame:
    """A result's customer, state and owner columns (text or null; TypeError otherwise)."""
    names = ("customer", "state", "owner")
    return pl.DataFrame(
        [pl.Series(n, result.customer_column(n), pl.String, strict=True) for n in names]
    )


def compare(left: Mapping[str, End], right: Mapping[str, End]) -> list[Change]:
    """The customers that end differently (state or owner), in customer order; a customer one
    side lacks ends as (None, None) there."""
    changed = [Change(c, x, y) for c, x in left.items() if x != (y := right.get(c, _UNKNOWN))]
    changed += [Change(c, _UNKNOWN, y) for c, y in right.items() if y != _UNKNOWN and c not in left]
    changed.sort(key=_CUSTOMER)  # only the changed customers sorted, not every one
    return changed


def dry_run(
    baseline: CompiledPolicy,
    candidate: CompiledPolicy,
    events: Table | TextFrame,
    as_of: datetime,
    *,
    people: Table | None = None,
    skip_bad_rows: bool = False,
) -> DryRun:
    """Replay `events` under both policies up to `as_of`; list the customers that differ.

    The history is read once when both policies read it alike (the same columns, fields,
    event types and stages: the usual overlay that changes a number or a rule).
    """
    with collector.paused():  # the events and the promotions go with `_both`'s frame, here:
        # the collector, on again, walks only what the DryRun keeps (a million fewer objects)
        return _both(baseline, candidate, events, as_of, people, skip_bad_rows)


def _both(
    baseline: CompiledPolicy,
    candidate: CompiledPolicy,
    events: Table | TextFrame,
    as_of: datetime,
    people: Table | None,
    skip_bad_rows: bool,
) -> DryRun:
    """`dry_run`'s work (with the collector paused)."""
    first, second = programs.build(baseline), programs.build(candidate)
    folks = read_people(people) if people is not None else People()
    log = read_events(events, first, as_of)
    replay = engine_link.replay_keeping_promotions  # runner.replay_log, and promotions
    a, pa = replay(first, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows)
    if second.event_reading() != first.event_reading():
        log = read_events(events, second, as_of)
    b, pb = replay(second, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows)
    profiles = _profiles(baseline, candidate, (a, pa), (b, pb), folks, events.path, as_of)
    return DryRun(a, b, changes(a, b), baseline, candidate, profiles)


def _profiles(
    baseline: CompiledPolicy,
    candidate: CompiledPolicy,
    a: tuple[Result, list[engine_link.Promotion]],
    b: tuple[Result, list[engine_link.Promotion]],
    people: People,
    path: str,
    as_of: datetime,
) -> ProfileChange | None:
    """Both sides' capability profiles, or None when a policy has no stages."""
    from rulekit.profile.build import report_of

    if not baseline.model.stages or not candidate.model.stages:
        return None
    left = report_of(baseline, engine_link.source_from_result("replay", path, *a, people), as_of)
    right = report_of(candidate, engine_link.source_from_result("replay", path, *b, people), as_of)
    return ProfileChange(left, right)
