"""The alerts of a policy's rules at an instant: every rule with an `alert`, every customer.

`firing` finds which (customer, rule) alerts fire without rendering their messages (what a
summary counts); `message` renders one; `alerts` does both for every alert (what an export
lists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rulekit.engine.core import collector
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Alert, Rule
from rulekit.lang import Condition
from rulekit.lang.runtime import truth


@dataclass(slots=True)
class Stubs:
    """Every alert at an instant as columns, in `alerts`' order, messages left empty for the
    customers' alerts (rendering them is most of an alert's cost): quick to count and sort."""

    customer: list[str | None] = field(default_factory=list)
    rule: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    group: list[str | None] = field(default_factory=list)
    message: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rule)

    def alert(self, i: int) -> Alert:
        """The i-th alert (its message empty if it is a customer's)."""
        return Alert(self.customer[i], self.rule[i], self.level[i], self.message[i], self.group[i])

    def extend(self, found: list[Alert]) -> Stubs:
        """These alerts added at the end (messages and all)."""
        for a in found:
            self.customer.append(a.customer)
            self.rule.append(a.rule)
            self.level.append(a.level)
            self.group.append(a.group)
            self.message.append(a.message)
        return self


class AlertSource(Protocol):
    """Where a result without the row engine's world finds its alerts (the columnar engine)."""

    def stubs(self) -> Stubs:
        """Every alert, in `alerts`' order."""
        ...

    def messages(self, found: list[Alert]) -> list[str]:
        """The messages of some of `stubs`."""
        ...


def alerts(
    program: Program, rules: list[Rule], customers: dict[str, Customer], at: datetime
) -> list[Alert]:
    """The alerts of every rule with an `alert`, for every customer, at `at`."""
    out = []
    watched = _alerting(rules)
    with collector.paused():  # an Env per customer: nothing for the collector to find
        for cid in sorted(customers):
            env = Env(program, customers[cid], at)
            for rule, when, level in watched:
                if truth(when(env)):
                    out.append(Alert(cid, rule.name, level, _render(rule, env)))
    return out


def firing(
    program: Program, rules: list[Rule], customers: dict[str, Customer], at: datetime
) -> Stubs:
    """Every alert `alerts` lists, in its order, messages not rendered."""
    watched = _alerting(rules)
    out = Stubs()
    add_customer, add_rule, add_level = out.customer.append, out.rule.append, out.level.append
    with collector.paused():
        for cid in sorted(customers):
            env = Env(program, customers[cid], at)
            for rule, when, level in watched:
                if truth(when(env)):
                    add_customer(cid)
                    add_rule(rule.name)
                    add_level(level)
    out.group = [None] * len(out.customer)
    out.message = [""] * len(out.customer)
    return out


def message(program: Program, rule: Rule, customer: Customer, at: datetime) -> str:
    """The message of `rule`'s alert for `customer` at `at`, as `alerts` renders it."""
    return _render(rule, Env(program, customer, at))


def _alerting(rules: list[Rule]) -> list[tuple[Rule, Condition, str]]:
    """The rules with an `alert`, each with its condition and level."""
    return [(r, r.when, r.alert) for r in rules if r.alert is not None and r.when is not None]


def _render(rule: Rule, env: Env) -> str:
    return rule.message.render(env) if rule.message is not None else rule.name
