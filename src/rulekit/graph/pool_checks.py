"""Checks of a policy's pool settings, each with a stable code.

RK601 a counter counting an unknown event type · RK602 a counter or metric whose name is
taken (a built-in function, a field, another counter or metric) · RK603 a streak naming an
unknown metric · RK604 a `schedule` on a rule that is not swept (it has no effect).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rulekit.diagnostics import Diagnostic, did_you_mean, one_of
from rulekit.policy.yamlsrc import Document

if TYPE_CHECKING:
    from rulekit.policy.models import Policy

#: what `count:` may name besides the policy's event types.
COUNTABLE = ("routed",)


def check(policy: Policy, doc: Document) -> list[Diagnostic]:
    """Run every pool-settings check; return their diagnostics."""
    return (
        _counted(policy, doc)
        + _names(policy, doc)
        + _streaks(policy, doc)
        + _schedules(policy, doc)
    )


def _counted(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    known = [*policy.events, *COUNTABLE]
    for name, spec in policy.counters.items():
        for i, kind in enumerate(spec.count):
            if kind in known or not policy.events:
                continue
            path = ("counters", name, "count", i) if len(spec.count) > 1 else None
            out.append(
                Diagnostic(
                    "RK601",
                    f"counter `{name}` counts `{kind}`, which is not an event of this policy",
                    doc.span(path or ("counters", name, "count")),
                    hint=did_you_mean(kind, known) or f"count one of {one_of(sorted(known))}",
                )
            )
    return out


def _names(policy: Policy, doc: Document) -> list[Diagnostic]:
    from rulekit.lang import BUILTINS
    from rulekit.names import ENGINE_FUNCTIONS, RECORD
    from rulekit.policy.values import NAME

    taken = {*BUILTINS, *(f.name for f in ENGINE_FUNCTIONS)}
    out = []
    seen: dict[str, str] = {}
    for section in ("counters", "metrics"):
        for name in getattr(policy, section):
            why = None
            if not NAME.fullmatch(name):
                why = "is not a name a condition can call (letters, digits and _)"
            elif name in taken:
                why = "is a built-in function"
            elif name in policy.fields or name in RECORD:
                why = "is a field"
            elif name in seen:
                why = f"is already a name under `{seen[name]}`"
            seen.setdefault(name, section)
            if why is None:
                continue
            out.append(
                Diagnostic(
                    "RK602",
                    f"`{name}` under `{section}` {why}",
                    doc.key_span((section, name)),
                    hint="rename it: a counter is read as `NAME(key)`, so its name must be free",
                )
            )
    return out


def _streaks(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    for name, rule in policy.rules.items():
        if rule.streak is None or rule.streak.metric in policy.metrics:
            continue
        metric = rule.streak.metric
        out.append(
            Diagnostic(
                "RK603",
                f"rule `{name}` watches the metric `{metric}`, which is not declared",
                doc.span(("rules", name, "streak", "metric")),
                hint=did_you_mean(metric, policy.metrics)
                or "declare it under `metrics:`"
                + (f"; declared are {one_of(sorted(policy.metrics))}" if policy.metrics else ""),
            )
        )
    return out


def _schedules(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    for name, rule in policy.rules.items():
        if rule.schedule is None:
            continue
        swept = rule.streak is not None or (rule.do is not None and rule.do.action is not None)
        if swept and rule.when is not None:
            reads = set(re.findall(r"[^\W\d]\w*", rule.when))
            swept = not ({"event", "actor"} & reads)
        if swept:
            continue
        out.append(
            Diagnostic(
                "RK604",
                f"rule `{name}` has a schedule but is not swept, so the schedule has no effect",
                doc.span(("rules", name, "schedule")),
                hint="only a rule with `do: EVENT` whose `when` does not read the event, or a "
                "`streak`, runs on a schedule; alerts are raised at as-of, routing after events",
            )
        )
    return out
