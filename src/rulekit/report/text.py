"""The text report of `replay` and `run` (rich): what a consultant reads, not every customer.

Per rep: slots used of the limit, the customers by state, refusals; for `run`, expected
signings, overdue customers and the pursuit list in priority order (the first `limit`, then
"n more"). Then the counts, refusals by reason, customers by state, and the alerts by
severity (critical first) then rep, the first `first` of them with how to see all. Reps are
named from the people file (`王伟 (r07)`); words and state names are in `labels`' language.
Every list is in a total order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rulekit.report.labels import Labels

if TYPE_CHECKING:
    from rich.console import Console

    from rulekit.engine.result.result import Result
    from rulekit.engine.result.rows import CustomerRow


@dataclass(slots=True)
class Focus:
    """What the report shows: `--rep`, `--state` (empty: all), `--limit` (pursuit list
    length), `first` (alerts listed)."""

    reps: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    limit: int = 5
    first: int = 10
    labels: Labels = field(default_factory=Labels)

    def rep_shown(self, rep: str) -> bool:
        return not self.reps or rep in self.reps

    def customer_shown(self, c: CustomerRow) -> bool:
        return (not self.states or c.state in self.states) and (
            not self.reps or c.owner in self.reps
        )


def _by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def render(result: Result, console: Console, focus: Focus | None = None) -> None:
    """Print a result for people (see the module's docstring)."""
    focus = focus or Focus()
    lab = focus.labels
    run = result.mode == "run"
    customers = [c for c in result.customers if focus.customer_shown(c)]
    console.print(_reps_table(result, customers, focus), soft_wrap=False)
    counts = lab.t("run_counts", customers=result.customer_count, reps=len(result.reps))
    if not run:
        counts = lab.t(
            "counts",
            events=result.events,
            applied=result.applied,
            refused=len(result.rejected),
            timers=result.timers,
            customers=result.customer_count,
            reps=len(result.reps),
        )
    console.print(esc(counts))
    if focus.reps or focus.states:
        what = " ".join(
            [*(f"--rep {r}" for r in focus.reps), *(f"--state {s}" for s in focus.states)]
        )
        console.print(esc(lab.t("filtered", what=what).strip()))
    rejected = [r for r in result.rejected if focus.rep_shown(r.actor or "")]
    if rejected:
        by_reason = Counter(r.reason for r in rejected)
        console.print(
            esc(lab.t("refused_of", n=len(rejected), total=result.events))
            + " · ".join(esc(f"{lab.reason(k)} {v:,}") for k, v in _by_count(by_reason))
        )
    by_state = Counter(c.state for c in customers)
    console.print(
        esc(lab.t("by_state"))
        + " · ".join(esc(f"{lab.state(s)} {by_state[s]:,}") for s in _states(result) if by_state[s])
    )
    if run:
        signings = sum(r.expected_signings for r in result.reps if focus.rep_shown(r.rep))
        console.print(esc(lab.t("forecast", n=f"{signings:.1f}")))
    _alerts(result, console, focus)
    if run:
        _pursuit(result, customers, console, focus)
    else:
        console.print(esc(lab.t("see_all_customers")))


def _states(result: Result) -> list[str]:
    world = result.world
    if world is not None:
        return list(world.program.states)
    return sorted({c.state for c in result.customers})


def _reps_table(result: Result, customers: list[CustomerRow], focus: Focus) -> object:
    from rich.table import Table

    lab = focus.labels
    run = result.mode == "run"
    refused_by_rep: dict[str, Counter[str]] = {}
    for r in result.rejected:
        if r.actor is not None:
            refused_by_rep.setdefault(r.actor, Counter())[r.reason] += 1
    owned: dict[str, Counter[str]] = {}
    overdue: Counter[str] = Counter()
    for c in customers:
        if c.owner is not None:
            owned.setdefault(c.owner, Counter())[c.state] += 1
            if c.overdue_days:
                overdue[c.owner] += 1
    held = {s for counts in owned.values() for s in counts}
    states = [s for s in _states(result) if s in held and (not focus.states or s in focus.states)]
    as_of = lab.t("as_of", date=lab.date(result.as_of.astimezone(result.tz)))
    table = Table(title=esc(f"{result.policy_id} {result.policy_version} · {as_of}"))
    table.add_column(lab.t("rep"), no_wrap=True)
    table.add_column(lab.t("slots"), justify="right", no_wrap=True)
    for s in states:
        table.add_column(esc(s), justify="right", min_width=max(len(s), 2))
    if run:
        table.add_column(lab.t("expected_signings"), justify="right", no_wrap=True)
        table.add_column(lab.t("overdue"), justify="right", no_wrap=True)
    if not run:
        table.add_column(lab.t("refused"), justify="right", no_wrap=True)
    for rep in result.reps:
        if not focus.rep_shown(rep.rep):
            continue
        limit = "" if rep.slot_limit is None else f"/{rep.slot_limit}"
        slots = f"{rep.slots_used}{limit}"
        if rep.slot_limit is not None and rep.slots_used >= rep.slot_limit:
            slots = f"[bold red]{slots}[/]"
        refused = refused_by_rep.get(rep.rep, Counter())
        detail = f"{sum(refused.values()):,}" if refused else ""
        counts = owned.get(rep.rep, Counter())
        row = [esc(lab.person(rep.rep)), slots, *(str(counts.get(s, 0) or "") for s in states)]
        if run:
            row += [f"{rep.expected_signings:.1f}", str(overdue.get(rep.rep, 0) or "")]
        table.add_row(*row, *([] if run else [esc(detail)]))
    return table


def _alerts(result: Result, console: Console, focus: Focus) -> None:
    from rulekit.report.alerts import ordered
    from rulekit.report.labels import level_rank

    lab = focus.labels
    alerts = [(a, o) for a, o in ordered(result) if focus.rep_shown(o or "")]
    if not alerts:
        return
    levels = Counter(a.level for a, _ in alerts)
    rules = Counter(a.rule for a, _ in alerts)
    console.print(
        esc(lab.t("alerts", n=len(alerts)))
        + " · ".join(
            esc(f"{lab.level(k)} {levels[k]:,}")
            for k in sorted(levels, key=lambda k: (level_rank(k), k))
        )
        + " ("
        + esc(", ".join(f"{k} {v:,}" for k, v in _by_count(rules)))
        + ")"
    )
    shown = alerts[: focus.first]
    for alert, owner in shown:
        console.print(
            esc(f"  [{lab.level(alert.level)}] {lab.person(owner)} · {alert.rule}: {alert.message}")
        )
    if len(alerts) > len(shown):
        console.print(
            esc(
                f"  {lab.t('first_of', shown=len(shown), total=len(alerts))}; "
                f"{lab.t('see_all_alerts')}"
            )
        )


def _pursuit(result: Result, customers: list[CustomerRow], console: Console, focus: Focus) -> None:
    """Each rep's customers in priority order: the first `limit`, then how many more."""
    from rich.table import Table

    lab = focus.labels
    pools: dict[str, list[CustomerRow]] = {}
    for c in customers:
        if c.owner is not None and c.priority is not None:
            pools.setdefault(c.owner, []).append(c)
    if not pools:
        return
    table = Table(title=esc(lab.t("pursuit")))
    for key in ("rep", "priority", "customer", "state", "overdue_days", "due"):
        table.add_column(
            lab.t(key), justify="right" if key in ("priority", "overdue_days") else "left"
        )
    for rep in sorted(pools):
        pool = sorted(pools[rep], key=lambda c: (c.priority or 0, c.customer))
        for i, c in enumerate(pool[: focus.limit]):
            due = f"{c.due[0]} {(result.iso(c.due[1]) or '')[:10]}" if c.due else ""
            table.add_row(
                esc(lab.person(rep)) if i == 0 else "",
                str(c.priority),
                esc(c.customer),
                esc(c.state),
                str(c.overdue_days or ""),
                esc(due),
            )
        if len(pool) > focus.limit:
            table.add_row("", "", esc(lab.t("more", n=len(pool) - focus.limit)), "", "", "")
    console.print(table)


def esc(text: str) -> str:
    """Text from a policy or a table, safe to print with rich: control characters (terminal
    escapes such as `\\x1b]0;title\\x07`) shown as escapes, markup escaped."""
    from rich.markup import escape

    from rulekit.safeio import printable

    return escape(printable(text))
