"""Policy rules at run time: alerts, automatic actions on a daily sweep, lead routing on events.

- A rule whose `when` reads the event (`event.type == 'archive'`) is checked right after each
  applied event, against that event's customer: routing (`do: {assign, overflow}`) lives here.
  Routing gives the customer to the rep of the `assign` target (`team:NAME` or a rep id) with
  the fewest open leads, skipping reps for whom `overflow.when` holds (it may read `rep`) and
  reps at their limit, then tries the `overflow.to` target. A customer in a public state takes
  the first transition out of it that sets an owner (a claim, approval skipped) for that rep.
- A rule with a `do` action that does not read the event is checked on a daily sweep at 00:00
  in the policy's timezone, for every customer (auto-recycle, auto-publish). Its action is an
  event type: the customer takes the transition that event would take from its state, as if
  an admin did it (no role check; `when` and the quota still apply).
- A rule with an `alert` raises it for each customer its `when` holds for at as-of.
Rule actions are not events: they are counted in `rules_fired`, not in `counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rulekit.policy.values import DAILY, Schedule

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.lang import Condition, Template
    from rulekit.policy.pool_models import StreakSpec


@dataclass(frozen=True, slots=True)
class Route:
    """One route of an ordered routing list (`do: {routes: [...]}`)."""

    assign: str
    when: Condition | None
    strategy: str  # least_loaded or round_robin
    weight: str | None  # a people-file column weighting each rep
    skip: Condition | None


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule, ready to run."""

    name: str
    when: Condition | None  # None for a streak rule
    alert: str | None
    message: Template | None
    action: str | None
    assign: str | None
    overflow_when: Condition | None
    overflow_to: str | None
    routes: tuple[Route, ...] = ()
    schedule: Schedule = DAILY
    streak: StreakSpec | None = None
    order: int = 0

    @property
    def on_event(self) -> bool:
        """True if the rule reads the event being applied (checked after each event)."""
        return self.when is not None and bool({"event", "actor"} & self.when.names)

    @property
    def acts(self) -> bool:
        """True if the rule changes customers (not just alerts)."""
        return self.action is not None or self.assign is not None or bool(self.routes)


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule's alert for one customer."""

    customer: str | None
    rule: str
    level: str
    message: str
    group: str | None = None  # a streak's rep, team or `company` (customer is None then)


def build(policy: CompiledPolicy) -> list[Rule]:
    """The policy's rules, compiled."""
    out = []
    for order, (name, spec) in enumerate(policy.model.rules.items()):
        when = policy.conditions.get(("rules", name, "when"))
        if when is None and spec.streak is None:
            continue
        do = spec.do
        routes = tuple(
            Route(
                r.assign,
                policy.conditions.get(("rules", name, "do", "routes", i, "when")),
                r.strategy,
                r.weight,
                policy.conditions.get(("rules", name, "do", "routes", i, "skip")),
            )
            for i, r in enumerate(do.routes or () if do is not None else ())
        )
        out.append(
            Rule(
                name,
                when,
                spec.alert,
                policy.templates.get(("rules", name, "message")),
                do.action if do else None,
                do.assign if do else None,
                policy.conditions.get(("rules", name, "do", "overflow", "when")),
                do.overflow.to if do and do.overflow else None,
                routes,
                spec.schedule or DAILY,
                spec.streak,
                order,
            )
        )
    return out
