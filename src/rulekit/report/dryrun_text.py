"""The terminal report of a dry-run: states side by side, refusals, slots, changed customers."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from rulekit.analysis.dryrun import DryRun


def _delta(a: int, b: int) -> str:
    d = b - a
    if d == 0:
        return ""
    return f"[green]+{d:,}[/]" if d > 0 else f"[red]{d:,}[/]"


def render(run: DryRun, console: Console, *, first: int = 20) -> None:
    """Print a dry-run for people."""
    from rich.markup import escape as esc
    from rich.table import Table

    from rulekit.analysis.diff import diff, summary

    a, b = run.baseline, run.candidate
    console.print(
        f"[bold]policy diff[/]: {esc(summary(diff(run.baseline_policy, run.candidate_policy)))}"
    )
    console.print(
        f"baseline {a.policy_id} {a.policy_version} · candidate {b.policy_id} {b.policy_version}"
        f" · {a.events:,} events · as of {a.iso(a.as_of)}",
        markup=False,
    )
    states = list(dict.fromkeys([*(a.world.program.states if a.world else []),
                                 *(b.world.program.states if b.world else [])]))  # fmt: skip
    sa = Counter(c.state for c in a.customers)
    sb = Counter(c.state for c in b.customers)
    table = Table(title="customers by state")
    for col in ("state", "baseline", "candidate", "change"):
        table.add_column(col, justify="left" if col == "state" else "right")
    for s in states:
        if sa[s] or sb[s]:
            table.add_row(esc(s), f"{sa[s]:,}", f"{sb[s]:,}", _delta(sa[s], sb[s]))
    console.print(table)
    ra = Counter(r.reason for r in a.rejected)
    rb = Counter(r.reason for r in b.rejected)
    if ra or rb:
        refusals = Table(title="refused events by reason")
        for col in ("reason", "baseline", "candidate", "change"):
            refusals.add_column(col, justify="left" if col == "reason" else "right")
        for reason in sorted(ra.keys() | rb.keys(), key=lambda r: (-(ra[r] + rb[r]), r)):
            refusals.add_row(
                reason, f"{ra[reason]:,}", f"{rb[reason]:,}", _delta(ra[reason], rb[reason])
            )
        console.print(refusals)
    at_limit_a = sum(1 for r in a.reps if r.slot_limit is not None and r.slots_used >= r.slot_limit)
    at_limit_b = sum(1 for r in b.reps if r.slot_limit is not None and r.slots_used >= r.slot_limit)
    console.print(f"reps at the limit: {at_limit_a} → {at_limit_b} of {len(b.reps)}")
    slots = Table(title="slots used per rep")
    for col in ("rep", "baseline", "candidate"):
        slots.add_column(col, justify="left" if col == "rep" else "right")
    used_a = {r.rep: r for r in a.reps}
    for r in b.reps:
        x = used_a.get(r.rep)
        slots.add_row(
            esc(r.rep),
            f"{x.slots_used}/{x.slot_limit}" if x else "",
            f"{r.slots_used}/{r.slot_limit}",
        )
    console.print(slots)
    n = len(run.changed)
    console.print(
        f"customers that end differently: {n:,}"
        + (f" (first {min(first, n)} below; --format json for all)" if n else "")
    )
    if n:
        changed = Table()
        for col in ("customer", "baseline", "candidate"):
            changed.add_column(col)
        for c in run.changed[:first]:
            changed.add_row(
                esc(c.customer),
                esc(f"{c.baseline[0] or '—'} {c.baseline[1] or ''}".strip()),
                esc(f"{c.candidate[0] or '—'} {c.candidate[1] or ''}".strip()),
            )
        console.print(changed)
