"""A customer's timeline: one line of what happened to it, printed under a failed test."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rulekit.testing.compare import short_instant

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.engine.result.result import Result
    from rulekit.tables import Table


def timeline(
    result: Result,
    cid: str,
    table: Table,
    people: Table | None,
    policy: CompiledPolicy,
    as_of: datetime,
    limit: int = 10,
) -> str:
    """One line: what happened to customer `cid`, and where it stands at as-of."""
    end = f"as-of {short_instant(result.iso(as_of) or '')}"
    row = next((c for c in result.customers if c.customer == cid), None)
    if row is not None and row.state_since is not None:
        days = int((as_of - row.state_since).total_seconds() // 86400)
        end += f" ({days} day{'s' if days != 1 else ''} in {row.state})"
    elif row is None:
        end += " (unknown)"
    if result.mode != "replay":
        since = short_instant(result.iso(row.state_since) or "") if row else ""
        start = f"record: {row.state} since {since}" if row and since else "record"
        return f"{start} · {end}"
    from rulekit.engine import runner

    watched = runner.replay(policy, table, as_of, people=people, watch=cid)
    assert watched.world is not None
    parts: list[str] = []
    last = ""
    for s in watched.world.steps:
        when = short_instant(watched.iso(s.at) or "")
        if s.kind == "timer":
            text = f"{s.move} → {s.state}"
        elif s.event is None:  # a rule's action or routing: no event of the history
            text = f"{s.move or 'rule'} → {s.state}"
        elif s.reason:
            assert s.event is not None
            arg = f" {s.event.stage}" if s.event.stage else ""
            text = f"{s.event.type}{arg} by {s.event.actor} refused ({s.reason})"
        else:
            assert s.event is not None
            arg = f" {s.event.stage}" if s.event.stage else ""
            move = s.move if s.move and s.move != s.event.type else f"{s.event.type}{arg}"
            text = f"{move} → {s.state}"
        if when == last and parts:  # steps of the same instant share its date
            parts[-1] += f", {text}"
        else:
            parts.append(f"{when} {text}")
        last = when
    if not parts:
        parts.append("no event about it")
    if len(parts) > limit:
        parts = [*parts[:2], f"… {len(parts) - limit + 2} more …", *parts[-(limit - 2) :]]
    return " · ".join([*parts, end])
