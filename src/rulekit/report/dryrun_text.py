"""The terminal report of a dry-run: states side by side, refusals, slots, changed customers."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from rulekit.analysis.dryrun import DryRun
    from rulekit.report.labels import Labels


def _delta(a: int, b: int) -> str:
    d = b - a
    if d == 0:
        return ""
    return f"[green]+{d:,}[/]" if d > 0 else f"[red]{d:,}[/]"


def render(run: DryRun, console: Console, *, first: int = 20, labels: Labels | None = None) -> None:
    """Print a dry-run for people, in `labels`' language, reps named from the people file."""
    from rich.table import Table

    from rulekit.analysis.diff import diff, summary
    from rulekit.report.labels import Labels

    lab = labels or Labels("en", run.candidate_policy)
    a, b = run.baseline, run.candidate
    console.print(
        f"[bold]{esc(lab.t('policy_diff'))}[/]: "
        f"{esc(summary(diff(run.baseline_policy, run.candidate_policy)))}"
    )
    console.print(
        lab.t(
            "dry_run_head",
            a=f"{a.policy_id} {a.policy_version}",
            b=f"{b.policy_id} {b.policy_version}",
            events=a.events,
            as_of=lab.date(a.as_of.astimezone(a.tz)),
        ),
        markup=False,
    )
    states = list(dict.fromkeys([*(a.world.program.states if a.world else []),
                                 *(b.world.program.states if b.world else [])]))  # fmt: skip
    sa = Counter(a.customer_column("state"))
    sb = Counter(b.customer_column("state"))
    table = Table(title=lab.t("customers_by_state"))
    for col in ("state", "baseline", "candidate", "change"):
        table.add_column(lab.t(col), justify="left" if col == "state" else "right")
    for s in states:
        if sa[s] or sb[s]:
            table.add_row(esc(lab.state(s)), f"{sa[s]:,}", f"{sb[s]:,}", _delta(sa[s], sb[s]))
    console.print(table)
    ra = a.rejected.reasons()
    rb = b.rejected.reasons()
    if ra or rb:
        refusals = Table(title=lab.t("refused_by_reason"))
        for col in ("reason", "baseline", "candidate", "change"):
            refusals.add_column(lab.t(col), justify="left" if col == "reason" else "right")
        for reason in sorted(ra.keys() | rb.keys(), key=lambda r: (-(ra[r] + rb[r]), r)):
            refusals.add_row(
                esc(lab.reason(reason)),
                f"{ra[reason]:,}",
                f"{rb[reason]:,}",
                _delta(ra[reason], rb[reason]),
            )
        console.print(refusals)
    at_limit_a = sum(1 for r in a.reps if r.slot_limit is not None and r.slots_used >= r.slot_limit)
    at_limit_b = sum(1 for r in b.reps if r.slot_limit is not None and r.slots_used >= r.slot_limit)
    console.print(lab.t("reps_at_limit", a=at_limit_a, b=at_limit_b, n=len(b.reps)))
    slots = Table(title=lab.t("slots_per_rep"))
    for col in ("rep", "baseline", "candidate"):
        slots.add_column(lab.t(col), justify="left" if col == "rep" else "right")
    used_a = {r.rep: r for r in a.reps}
    for r in b.reps:
        x = used_a.get(r.rep)
        slots.add_row(
            esc(lab.person(r.rep)),
            f"{x.slots_used}/{x.slot_limit}" if x else "",
            f"{r.slots_used}/{r.slot_limit}",
        )
    console.print(slots)
    n = len(run.changed)
    console.print(
        esc(lab.t("changed", n=n) + (lab.t("changed_first", n=min(first, n)) if n else ""))
    )
    if n:
        changed = Table()
        for col in ("customer", "baseline", "candidate"):
            changed.add_column(lab.t(col))
        for c in run.changed[:first]:
            changed.add_row(
                esc(c.customer),
                esc(_end(c.baseline, lab)),
                esc(_end(c.candidate, lab)),
            )
        console.print(changed)
    if run.profiles is not None:
        from rulekit.profile.compare_view import render_text

        render_text(run.profiles, console, lab.lang)


def _end(end: tuple[str | None, str | None], lab: Labels) -> str:
    """`D 王伟 (r07)`: a customer's state and named owner at the end, `—` if unknown."""
    state, owner = end
    return f"{state or '—'} {lab.person(owner) if owner else ''}".strip()


def esc(text: str) -> str:
    """Text from a policy or a table, safe to print with rich: control characters (terminal
    escapes such as `\\x1b]0;title\\x07`) shown as escapes, markup escaped."""
    from rich.markup import escape

    from rulekit.safeio import printable

    return escape(printable(text))
