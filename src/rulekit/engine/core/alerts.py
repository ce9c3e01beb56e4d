"""The alerts of a policy's rules at an instant: every rule with an `alert`, every customer.

`firing` finds which (customer, rule) alerts fire without rendering their messages (what a
summary counts); `message` renders one; `alerts` does both for every alert (what an export
lists)."""

from __future__ import annotations

from datetime import datetime

from rulekit.engine.core import collector
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Alert, Rule
from rulekit.lang import Condition
from rulekit.lang.runtime import truth


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
) -> list[tuple[str, Rule]]:
    """(customer, rule) of every alert `alerts` lists, in its order, messages not rendered."""
    out = []
    watched = _alerting(rules)
    with collector.paused():
        for cid in sorted(customers):
            env = Env(program, customers[cid], at)
            for rule, when, _ in watched:
                if truth(when(env)):
                    out.append((cid, rule))
    return out


def message(program: Program, rule: Rule, customer: Customer, at: datetime) -> str:
    """The message of `rule`'s alert for `customer` at `at`, as `alerts` renders it."""
    return _render(rule, Env(program, customer, at))


def _alerting(rules: list[Rule]) -> list[tuple[Rule, Condition, str]]:
    """The rules with an `alert`, each with its condition and level."""
    return [(r, r.when, r.alert) for r in rules if r.alert is not None and r.when is not None]


def _render(rule: Rule, env: Env) -> str:
    return rule.message.render(env) if rule.message is not None else rule.name
