"""The rows of a result: one customer, one rep, at as-of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class CustomerRow:
    """One customer at as-of."""

    customer: str
    state: str
    owner: str | None
    pending_owner: str | None
    flags: dict[str, int]
    dates: dict[str, datetime | None]
    stage: str | None
    state_since: datetime | None
    lapses: Any
    renewals: Any
    holds_slot: bool
    priority: int | None = None
    overdue_days: int | None = None
    due: tuple[str, datetime] | None = None
    violations: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RepRow:
    """One rep at as-of."""

    rep: str
    slots_used: int
    slot_limit: int | None
    expected_signings: float = 0.0
    funnel: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def plain_number(value: Any) -> Any:
    """A whole float as an int (2.0 -> 2), as documents report counts; others unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
