"""Metrics across customers, and streaks of a metric below or above a threshold.

A metric is computed at an instant over the customers its `among` selects (all of them
without one), grouped by the customer's owner (`per: rep`), the owner's team (`per: team`)
or not at all (`per: company`); customers without an owner (or whose owner has no team) are
left out of `rep` and `team` metrics. `share` is the fraction for which a condition holds,
`count` the number, `average` the mean of a number (nulls left out). A group with no
customer has no value. Only the metrics a policy declares are computed, and only when a
streak rule checks them (on its schedule) or when a result is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Alert
from rulekit.lang.runtime import is_number, truth

if TYPE_CHECKING:
    from rulekit.engine.core.rules import Rule
    from rulekit.lang import Condition

COMPANY = "company"


@dataclass(frozen=True, slots=True)
class Metric:
    """A declared metric, compiled."""

    name: str
    kind: str  # share, count or average
    per: str  # rep, team or company
    among: Condition | None
    value: Condition


def build(program: Program) -> list[Metric]:
    """The policy's metrics, in declaration order."""
    policy = program.policy
    out = []
    for name, spec in policy.model.metrics.items():
        value = policy.conditions.get(("metrics", name, spec.kind))
        if value is not None:
            among = policy.conditions.get(("metrics", name, "among"))
            out.append(Metric(name, spec.kind, spec.per, among, value))
    return out


def compute(
    program: Program,
    metric: Metric,
    customers: Iterable[Customer],
    at: datetime,
    people: People,
) -> dict[str, float | int]:
    """The metric's value per group at `at` (groups in sorted order)."""
    sums: dict[str, list[float]] = {}  # group -> [sum, count]
    for customer in customers:
        found: str | None = COMPANY
        if metric.per != COMPANY:
            found = customer.owner
            if found is not None and metric.per == "team":
                found = people.team(found)
        if found is None:
            continue
        group: str = found
        env = Env(program, customer, at)
        if metric.among is not None and not truth(metric.among(env)):
            continue
        value = metric.value(env)
        tally = sums.get(group)
        if tally is None:
            tally = sums[group] = [0.0, 0]
        if metric.kind == "average":
            if is_number(value):
                tally[0] += value
                tally[1] += 1
        else:
            tally[0] += 1 if truth(value) else 0
            tally[1] += 1
    out: dict[str, float | int] = {}
    for group in sorted(sums):
        total, n = sums[group]
        if metric.kind == "count":
            out[group] = int(total)
        elif n:
            out[group] = round(total / n, 6)
    return out


@dataclass(slots=True)
class Streaks:
    """Each streak rule's current run of consecutive checks past its threshold, per group."""

    runs: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> group -> checks
    values: dict[str, dict[str, float | int]] = field(default_factory=dict)  # at the last check

    def check(self, rule: Rule, values: dict[str, float | int]) -> None:
        """Record one check of `rule`'s metric: a group past the threshold extends its run,
        any other group (or one without a value) starts again from 0."""
        streak = rule.streak
        assert streak is not None
        before = self.runs.get(rule.name, {})
        runs = {}
        for group, value in values.items():
            past = value < streak.below if streak.below is not None else value > (streak.above or 0)
            if past:
                runs[group] = before.get(group, 0) + 1
        self.runs[rule.name] = runs
        self.values[rule.name] = values


def streak_rules(rules: list[Rule]) -> list[Rule]:
    """The rules that watch a metric."""
    return [r for r in rules if r.streak is not None]


def streak_alerts(rules: list[Rule], streaks: Streaks) -> list[Alert]:
    """The alerts of the streak rules whose run reached `days` for a group."""
    out = []
    for rule in rules:
        streak = rule.streak
        if streak is None or rule.alert is None:
            continue
        runs = streaks.runs.get(rule.name, {})
        values = streaks.values.get(rule.name, {})
        for group in sorted(runs):
            if runs[group] < streak.days:
                continue
            env = {"group": group, "value": values.get(group), "days": runs[group]}
            env["metric"] = streak.metric
            text = rule.message.render(env) if rule.message is not None else rule.name
            out.append(Alert(None, rule.name, rule.alert, text, group))
    return out


def named(program: Program, rule: Rule) -> Metric:
    """The metric a streak rule watches."""
    assert rule.streak is not None
    return next(m for m in build(program) if m.name == rule.streak.metric)
