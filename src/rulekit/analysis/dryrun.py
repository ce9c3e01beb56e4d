"""Dry-run: replay one history under a baseline and a candidate policy and compare them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rulekit.compiler import CompiledPolicy
from rulekit.engine import runner
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people
from rulekit.engine.result.result import Result
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame


@dataclass(frozen=True, slots=True)
class Change:
    """A customer that ends differently under the two policies."""

    customer: str
    baseline: tuple[str | None, str | None]  # (state, owner); None state: unknown there
    candidate: tuple[str | None, str | None]


@dataclass(slots=True)
class DryRun:
    """Both replays and their differences."""

    baseline: Result
    candidate: Result
    changed: list[Change]
    baseline_policy: CompiledPolicy
    candidate_policy: CompiledPolicy

    @staticmethod
    def side(result: Result) -> dict[str, Any]:
        """One side of the JSON document: policy, counts, states, refusals by reason."""
        states = Counter(c.state for c in result.customers)
        reasons = Counter(r.reason for r in result.rejected)
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
        }


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
    with collector.paused():
        first, second = programs.build(baseline), programs.build(candidate)
        folks = read_people(people) if people is not None else People()
        log = read_events(events, first, as_of)
        a = runner.replay_log(first, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows)
        if second.event_reading() != first.event_reading():
            log = read_events(events, second, as_of)
        b = runner.replay_log(second, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows)
        left = {c.customer: (c.state, c.owner) for c in a.customers}
        right = {c.customer: (c.state, c.owner) for c in b.customers}
        changed = []
        for cid in sorted(left.keys() | right.keys()):
            x, y = left.get(cid, (None, None)), right.get(cid, (None, None))
            if x != y:
                changed.append(Change(cid, x, y))
        return DryRun(a, b, changed, baseline, candidate)
