"""Coverage: which transitions and rules a history (or a set of policy tests) exercises.

    from rulekit.analysis.coverage import Coverage
    cov = Coverage.of(result.world.program.policy)
    cov.add(result)                       # any number of replay or run results
    cov.never_taken(), cov.never_fired()  # what the data never exercised

A transition is *taken* when an event or a timer moves a customer along it, *refused* when
an event that would take it is refused (quota, role, stage lock...). A rule *fires* when its
action runs (`world.rules_fired`) or when it raises an alert at as-of (`result.alerts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.engine.result.result import Result


@dataclass(slots=True)
class Coverage:
    """What one policy's transitions and rules did over one or more results."""

    policy_id: str
    version: str
    transitions: list[str]
    rules: list[str]
    taken: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    fired: Counter[str] = field(default_factory=Counter)
    alerted: Counter[str] = field(default_factory=Counter)
    results: int = 0

    @classmethod
    def of(cls, policy: CompiledPolicy) -> Coverage:
        """An empty coverage of `policy`'s transitions and rules."""
        model = policy.model
        return cls(model.id, model.version, list(model.transitions), list(model.rules))

    @property
    def key(self) -> tuple[str, str]:
        """(policy id, version)."""
        return self.policy_id, self.version

    def add(self, result: Result) -> None:
        """Count what `result` did."""
        self.results += 1
        world = result.world
        if world is not None:
            self.taken.update(world.taken)
            self.refused.update(world.refused)
            self.fired.update(world.rules_fired)
        self.alerted.update(a.rule for a in result.alerts)

    @property
    def rules_tracked(self) -> bool:
        """True once a result has been counted (rules are known to have run or not)."""
        return self.results > 0

    def times_fired(self, rule: str) -> int:
        """How many times a rule's action ran plus the alerts it raised."""
        return self.fired.get(rule, 0) + self.alerted.get(rule, 0)

    def never_taken(self) -> list[str]:
        """The transitions never taken, in the policy's order."""
        return [t for t in self.transitions if not self.taken.get(t)]

    def never_fired(self) -> list[str]:
        """The rules that never fired (empty if rules are not tracked)."""
        if not self.rules_tracked:
            return []
        return [r for r in self.rules if not self.times_fired(r)]

    def transitions_line(self) -> str:
        """`transitions covered 11/14 (never: publish, reassign, archive-public)`."""
        never = self.never_taken()
        total = len(self.transitions)
        line = f"transitions covered {total - len(never)}/{total}"
        return line + (f" (never: {', '.join(never)})" if never else "")

    def rules_line(self) -> str:
        """`rules fired 1/3 (never: recycle, stalled-proposal)`."""
        total = len(self.rules)
        if not self.rules_tracked:
            return f"rules: {total} (this engine does not report which fired)"
        never = self.never_fired()
        line = f"rules fired {total - len(never)}/{total}"
        return line + (f" (never: {', '.join(never)})" if never else "")

    def document(self) -> dict[str, Any]:
        """JSON: every transition and rule with its counts, and those never exercised."""
        never_t = self.never_taken()
        never_r = self.never_fired()
        return {
            "policy": {"id": self.policy_id, "version": self.version},
            "transitions": [
                {"name": t, "taken": self.taken.get(t, 0), "refused": self.refused.get(t, 0)}
                for t in self.transitions
            ],
            "rules": [
                {
                    "name": r,
                    "fired": self.times_fired(r) if self.rules_tracked else None,
                    "actions": self.fired.get(r, 0) if self.rules_tracked else None,
                    "alerts": self.alerted.get(r, 0) if self.rules_tracked else None,
                }
                for r in self.rules
            ],
            "covered": {
                "transitions": len(self.transitions) - len(never_t),
                "transitions_total": len(self.transitions),
                "rules": len(self.rules) - len(never_r) if self.rules_tracked else None,
                "rules_total": len(self.rules),
            },
            "never": {
                "transitions": never_t,
                "rules": never_r if self.rules_tracked else None,
            },
        }


def of_results(results: Iterable[Result]) -> list[Coverage]:
    """One Coverage per policy (id and version) among `results`, in order of first use."""
    out: dict[tuple[str, str], Coverage] = {}
    for result in results:
        world = result.world
        if world is None:
            continue
        policy = world.program.policy
        key = (policy.model.id, policy.model.version)
        if key not in out:
            out[key] = Coverage.of(policy)
        out[key].add(result)
    return list(out.values())


__all__ = ["Coverage", "of_results"]
