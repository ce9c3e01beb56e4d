"""Helpers shared by the condition-language tests: a sample scope and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

from rulekit.lang import (
    BOOL,
    DATETIME,
    DURATION,
    LIST,
    NUMBER,
    OBJECT,
    STRING,
    Scope,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_scope() -> Scope:
    """A scope like a sales policy's: fields, objects, and state/stage symbols."""
    target = OBJECT("target", {"days": NUMBER, "reach": NUMBER})
    return Scope(
        names={
            "state": STRING,
            "stage": STRING,
            "region": STRING,
            "industry": STRING,
            "intent_mark": STRING,
            "customer": STRING,
            "负责人": STRING,
            "last_activity_at": DATETIME,
            "created_at": DATETIME,
            "days_in_stage": NUMBER,
            "renewals": NUMBER,
            "amount": NUMBER,
            "call_recording": BOOL,
            "needs_form": BOOL,
            "wait": DURATION,
            "tags": LIST(STRING),
            "event": OBJECT("event", {"type": STRING, "at": DATETIME}),
            "next_stage": OBJECT("stage", {"name": STRING, "target": target}),
        },
        symbols={s: "state" for s in ("new", "D", "C", "B", "A", "OD")}
        | {"S1": "stage", "S2": "stage"},
    )
