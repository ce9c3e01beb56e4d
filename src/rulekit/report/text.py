"""The text report of `replay` and `run`: per-rep summary, refusals, customers by state (rich)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from rulekit.engine.result.result import Result


def render(result: Result, console: Console, *, customers: int = 20) -> None:
    """Print a result for people: reps, refusals by reason, states, the first customers."""
    from rich.markup import escape as esc
    from rich.table import Table

    refused_by_rep: dict[str, Counter[str]] = {}
    for r in result.rejected:
        if r.actor is not None:
            refused_by_rep.setdefault(r.actor, Counter())[r.reason] += 1
    owned: dict[str, Counter[str]] = {}
    for c in result.customers:
        if c.owner is not None:
            owned.setdefault(c.owner, Counter())[c.state] += 1
    states = [s for s in _state_order(result)]
    reps = Table(
        title=esc(f"{result.policy_id} {result.policy_version} · as of {result.iso(result.as_of)}")
    )
    reps.add_column("rep")
    reps.add_column("slots", justify="right")
    for s in states:
        reps.add_column(s, justify="right")
    reps.add_column("refused")
    for rep in result.reps:
        limit = "" if rep.slot_limit is None else f"/{rep.slot_limit}"
        slots = f"{rep.slots_used}{limit}"
        if rep.slot_limit is not None and rep.slots_used >= rep.slot_limit:
            slots = f"[bold red]{slots}[/]"
        refused = refused_by_rep.get(rep.rep, Counter())
        total = sum(refused.values())
        top = refused.most_common(1)
        detail = f"{total} ({top[0][0]} {top[0][1]})" if top else ""
        counts = owned.get(rep.rep, Counter())
        reps.add_row(esc(rep.rep), slots, *(str(counts.get(s, 0) or "") for s in states), detail)
    console.print(reps)
    n = result.counts_line()
    console.print(n, markup=False)
    if result.rejected:
        by_reason = Counter(r.reason for r in result.rejected)
        console.print(
            f"refused {len(result.rejected):,} of {result.events:,} events: "
            + " · ".join(f"{k} {v:,}" for k, v in by_reason.most_common())
        )
    by_state = Counter(c.state for c in result.customers)
    console.print(
        "customers by state: " + " · ".join(f"{s} {by_state[s]:,}" for s in states if by_state[s])
    )
    if result.alerts:
        levels = Counter(a.level for a in result.alerts)
        rules = Counter(a.rule for a in result.alerts)
        console.print(
            f"alerts {len(result.alerts):,}: "
            + " · ".join(f"{k} {v:,}" for k, v in rules.most_common())
            + " ("
            + ", ".join(f"{k} {v:,}" for k, v in levels.most_common())
            + ")"
        )
        for a in result.alerts[:5]:
            console.print(f"  [{a.level}] {a.rule}: {a.message}", markup=False)
    if customers and result.customers:
        _customers(result, console, customers)


def _state_order(result: Result) -> list[str]:
    world = result.world
    if world is not None:
        return list(world.program.states)
    return sorted({c.state for c in result.customers})


def _customers(result: Result, console: Console, limit: int) -> None:
    from rich.markup import escape as esc
    from rich.table import Table

    run = result.mode == "run"
    shown, total = min(limit, len(result.customers)), len(result.customers)
    table = Table(title=f"customers (first {shown} of {total:,}; --out FILE for all)")
    for name in ("customer", "state", "owner", "stage", "since"):
        table.add_column(name)
    if run:
        table.add_column("priority", justify="right")
        table.add_column("overdue", justify="right")
        table.add_column("due")
    for c in result.customers[:limit]:
        since = result.iso(c.state_since) or ""
        row = [c.customer, c.state, c.owner or "", c.stage or "", since[:16].replace("T", " ")]
        if run:
            due = f"{c.due[0]} {(result.iso(c.due[1]) or '')[:10]}" if c.due else ""
            row += [
                str(c.priority or ""),
                str(c.overdue_days if c.overdue_days is not None else ""),
                due,
            ]
        table.add_row(*(esc(cell) for cell in row))
    console.print(table)
