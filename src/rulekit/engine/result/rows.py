"""The rows of a result: one customer, one rep, at as-of."""

from __future__ import annotations

from collections.abc import Mapping
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
    quotas: dict[str, dict[str, int | None]] = field(default_factory=dict)  # named quotas


def run_rep(
    name: str,
    used: int,
    limit: int | None,
    signings: float,
    tally: Mapping[str, int],
    labels: list[str],
) -> RepRow:
    """A rep's row in `run`'s document: its slots, its expected signings (to 6 decimals),
    its funnel with every label (zeros included) and `over_quota` past its limit."""
    row = RepRow(name, used, limit, round(signings, 6), {x: tally.get(x, 0) for x in labels})
    if limit is not None and used > limit:
        row.violations.append("over_quota")
    return row


def plain_number(value: Any) -> Any:
    """A whole float as an int (2.0 -> 2), as documents report counts; others unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
