"""fmt's layout rules: widths, the canonical key order of each kind of mapping, which values
are conditions, and conditions re-spaced without changing what they mean."""

from __future__ import annotations

import re
from typing import Any

#: Longest line fmt writes when it wraps a flow mapping (display columns).
WIDTH = 100
#: A block mapping or list whose flow form is at most this long is written in flow style.
SHORT = 60
INDENT = 2

ROOT = "Policy"
#: Sections of named entries: never folded into flow style, entries keep their order.
NAMED = {
    "fields": "FieldSpec",
    "events": "EventSpec",
    "stages": "StageSpec",
    "states": "StateSpec",
    "transitions": "TransitionSpec",
    "rules": "RuleSpec",
    "counters": "CounterSpec",
    "quotas": "NamedQuotaSpec",
    "metrics": "MetricSpec",
}
#: (kind of a mapping, key) -> kind of the value.
CHILD = {
    (ROOT, "quota"): "QuotaSpec",
    (ROOT, "priority"): "RankSpec",
    (ROOT, "overdue"): "MeasureSpec",
    (ROOT, "forecast"): "MeasureSpec",
    ("StageSpec", "target"): "Target",
    ("TransitionSpec", "set"): "set",
    ("QuotaSpec", "by_team"): "by_team",
    ("RuleSpec", "do"): "ActionSpec",
    ("ActionSpec", "overflow"): "OverflowSpec",
    ("RuleSpec", "streak"): "StreakSpec",
    ("NamedQuotaSpec", "by_team"): "by_team",
    ("NamedQuotaSpec", "by_rep"): "by_team",
    ("TransitionSpec", "to"): "TargetChoice",
    ("TargetChoice", "map"): "by_team",
}
#: (kind of a mapping, key) of values that are conditions or expressions.
CONDITIONS = {
    ("TransitionSpec", "when"),
    ("StageSpec", "requires"),
    ("QuotaSpec", "holds_slot"),
    ("RankSpec", "among"),
    ("MeasureSpec", "among"),
    ("MeasureSpec", "value"),
    ("RuleSpec", "when"),
    ("OverflowSpec", "when"),
    ("NamedQuotaSpec", "holds_slot"),
    ("MetricSpec", "share"),
    ("MetricSpec", "count"),
    ("MetricSpec", "average"),
    ("MetricSpec", "among"),
    ("TargetChoice", "case"),
}


def _key_orders() -> dict[str, list[str]]:
    from rulekit.policy import models

    def keys(model: Any) -> list[str]:
        return [info.alias or name for name, info in model.model_fields.items()]

    orders = {
        name: keys(getattr(models, name))
        for name in (
            "EventSpec",
            "StageSpec",
            "Target",
            "StateSpec",
            "TransitionSpec",
            "QuotaSpec",
            "RankSpec",
            "MeasureSpec",
            "RuleSpec",
            "ActionSpec",
            "OverflowSpec",
            "CounterSpec",
            "NamedQuotaSpec",
            "MetricSpec",
            "StreakSpec",
            "TargetChoice",
        )
    }
    # At the top level only the identity keys are ordered (they come first); the sections
    # keep the author's order, since an overlay often leads with what it changes.
    root = keys(models.Policy)
    root.insert(root.index("version") + 1, "extends")
    orders[ROOT] = root[: root.index("timezone") + 1]
    orders["FieldSpec"] = keys(models.FieldSpec)
    return orders


_ORDERS: dict[str, list[str]] | None = None


def key_order(kind: str | None) -> list[str] | None:
    """The canonical key order of a mapping of `kind`, or None to keep the author's."""
    global _ORDERS
    if _ORDERS is None:
        _ORDERS = _key_orders()
    return _ORDERS.get(kind) if kind else None


def child_kind(kind: str | None, key: Any) -> str | None:
    """The kind of the value at `key` of a mapping of `kind`."""
    if kind == ROOT and isinstance(key, str) and key in NAMED:
        return "named:" + key
    if kind and kind.startswith("named:"):
        return NAMED[kind[6:]]
    return CHILD.get((kind or "", key))


def condition_role(kind: str | None, key: Any) -> str | None:
    """'expr' for a condition value, 'order' for a priority sort key, else None."""
    if kind == "set":
        return "expr"
    if kind == "RankSpec" and key == "order":
        return "order"
    return "expr" if (kind or "", key) in CONDITIONS else None


class FmtError(Exception):
    """A file fmt cannot format; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def normalise_expression(text: str) -> str:
    """The condition re-spaced as `unparse` writes it, if that changes nothing but spacing."""
    from rulekit.lang.ast import unparse
    from rulekit.lang.parser import parse

    node, problems = parse(text)
    if node is None or problems:
        return text
    new = unparse(node)
    return new if _squash(new) == _squash(text) else text


def normalise_condition(text: str, role: str) -> str:
    """Normalise a condition (`expr`) or a sort key (`order`: an expression, asc or desc)."""
    if role == "order":
        m = re.fullmatch(r"\s*(.*?)\s+(asc|desc)\s*", text, re.S)
        if m:
            return f"{normalise_expression(m.group(1))} {m.group(2)}"
    return normalise_expression(text)


def canonical_data(value: Any, kind: str | None = ROOT, role: str | None = None) -> Any:
    """Plain policy data with its conditions normalised (what fmt must not change)."""
    if isinstance(value, dict):
        return {
            k: canonical_data(v, child_kind(kind, k), condition_role(kind, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [canonical_data(v, None, role) for v in value]
    if isinstance(value, str) and role:
        return normalise_condition(value, role)
    return value
