"""The alerts of a policy's rules at an instant: every rule with an `alert`, every customer."""

from __future__ import annotations

from datetime import datetime

from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Alert, Rule
from rulekit.lang.runtime import truth


def alerts(
    program: Program, rules: list[Rule], customers: dict[str, Customer], at: datetime
) -> list[Alert]:
    """The alerts of every rule with an `alert`, for every customer, at `at`."""
    out = []
    for cid in sorted(customers):
        customer = customers[cid]
        env = Env(program, customer, at)
        for rule in rules:
            when = rule.when
            if rule.alert is not None and when is not None and truth(when(env)):
                text = rule.message.render(env) if rule.message is not None else rule.name
                out.append(Alert(cid, rule.name, rule.alert, text))
    return out
