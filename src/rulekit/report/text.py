"""The text report of `replay` and `run` (rich): a summary a consultant reads, not every customer.

Per rep: slots used of the limit, the customers by state, refusals; for `run`, expected
signings and overdue customers. With many reps the table shows the `reps` that need a look
first (the most refused events for `replay`, the most overdue customers for `run`) and says
how many more. Then the counts, refusals by reason, customers by state, and the alerts counted
by level and rule and listed by severity (critical first) then rep, the first `first` of them
(only those have their messages rendered) with how to see all; for `run`, the pursuit list of
the reps in the table in priority order (the first `limit`, then "n more"). Everything else is
in `--out FILE` and `--format json`. Reps are named from the people file (`王伟 (r07)`); words
and state names are in `labels`' language. Every list is in a total order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rulekit.report.labels import Labels

if TYPE_CHECKING:
    from rich.console import Console

    from rulekit.engine.result.result import Result
    from rulekit.engine.result.rows import CustomerRow, RepRow


@dataclass(slots=True)
class Focus:
    """What the report shows: `--rep`, `--state` (empty: all), `--limit` (pursuit list
    length), `first` (alerts listed), `rows` (reps in the table when there are many)."""

    reps: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    limit: int = 5
    first: int = 10
    labels: Labels = field(default_factory=Labels)
    rows: int = 20

    def rep_shown(self, rep: str) -> bool:
        return not self.reps or rep in self.reps

    def customer_shown(self, c: CustomerRow) -> bool:
        return self.keeps(c.state, c.owner)

    def keeps(self, state: str, owner: str | None) -> bool:
        """True for a customer in this state, with this owner, that the report counts."""
        return (not self.states or state in self.states) and (not self.reps or owner in self.reps)


def _by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def render(result: Result, console: Console, focus: Focus | None = None) -> None:
    """Print a result for people (see the module's docstring)."""
    from rulekit.engine.core import collector

    with collector.paused():  # what it counts is acyclic: no collector passes over the world
        _render(result, console, focus or Focus())


def _render(result: Result, console: Console, focus: Focus) -> None:
    lab = focus.labels
    run = result.mode == "run"
    customers = _View(result, focus)
    tally = _Tally(result, customers, focus)
    console.print(_reps_table(result, tally, focus), soft_wrap=False)
    if len(tally.shown) < len(tally.reps):
        which = "top_reps_overdue" if run else "top_reps_refused"
        console.print(esc(lab.t(which, n=len(tally.shown), total=f"{len(tally.reps):,}")))
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
    if tally.refused_total:
        console.print(
            esc(lab.t("refused_of", n=tally.refused_total, total=result.events))
            + " · ".join(
                esc(f"{lab.reason(k)} {v:,}") for k, v in _by_count(tally.refused_by_reason)
            )
        )
    by_state = Counter(customers.state)
    console.print(
        esc(lab.t("by_state"))
        + " · ".join(esc(f"{lab.state(s)} {by_state[s]:,}") for s in _states(result) if by_state[s])
    )
    if run:
        signings = sum(r.expected_signings for r in result.reps if focus.rep_shown(r.rep))
        console.print(esc(lab.t("forecast", n=f"{signings:.1f}")))
    _alerts(result, console, focus)
    if run:
        _pursuit(result, customers, tally.shown, console, focus)
    console.print(esc(lab.t("see_all_customers")))


def _states(result: Result) -> list[str]:
    program = result.world.program if result.world is not None else result.program
    if program is not None:
        return list(program.states)
    return sorted(set(result.customer_column("state")))


class _View:
    """The customers the focus keeps, as columns in customer order (a columnar result's
    customers are never made into rows)."""

    def __init__(self, result: Result, focus: Focus) -> None:
        self.result = result
        names = ("customer", "state", "owner", "overdue_days", "priority")
        columns = [result.customer_column(n) for n in names]
        self.index: list[int] | None = None  # the positions kept, None for all
        if focus.reps or focus.states:
            pairs = zip(columns[1], columns[2], strict=True)
            self.index = [i for i, (state, owner) in enumerate(pairs) if focus.keeps(state, owner)]
            columns = [[column[i] for i in self.index] for column in columns]
        self.customer, self.state, self.owner, self.overdue, self.priority = columns
        self._due: list[tuple[str, datetime] | None] | None = None

    def due(self, i: int) -> tuple[str, datetime] | None:
        """The next timer of the i-th customer kept."""
        if self._due is None:
            self._due = self.result.customer_column("due")
        return self._due[i if self.index is None else self.index[i]]


class _Tally:
    """Per rep: refused events by reason, customers by state, overdue customers; the reps the
    focus keeps, and those the table shows (all, or the `rows` that need a look first)."""

    def __init__(self, result: Result, customers: _View, focus: Focus) -> None:
        pairs = result.rejected.by_actor_and_reason()
        self.refused: Counter[str] = Counter()  # refused events per actor
        self.refused_by_reason: Counter[str] = Counter()  # of the actors the focus keeps
        for (actor, reason), n in pairs.items():
            if actor is not None:
                self.refused[actor] += n
            if focus.rep_shown(actor or ""):
                self.refused_by_reason[reason] += n
        self.refused_total = sum(self.refused_by_reason.values())
        self.owned: dict[str, Counter[str]] = {}
        for (owner, state), n in Counter(
            zip(customers.owner, customers.state, strict=True)
        ).items():
            if owner is not None:
                self.owned.setdefault(owner, Counter())[state] = n
        self.overdue: Counter[str] = Counter()
        if any(customers.overdue):  # a replay's customers have no overdue days
            owned_days = zip(customers.owner, customers.overdue, strict=True)
            self.overdue.update(o for o, d in owned_days if d and o)
        self.reps = [r for r in result.reps if focus.rep_shown(r.rep)]
        self.shown = self.reps
        if len(self.reps) > focus.rows + 5:
            self.shown = sorted(self.reps, key=lambda r: (-self.weight(result, r.rep), r.rep))
            self.shown = self.shown[: focus.rows]

    def weight(self, result: Result, rep: str) -> int:
        """What puts a rep first in a long table: overdue customers (run), refusals (replay)."""
        if result.mode == "run":
            return self.overdue.get(rep, 0)
        return self.refused.get(rep, 0)


def _reps_table(result: Result, tally: _Tally, focus: Focus) -> object:
    from rich.table import Table

    lab = focus.labels
    run = result.mode == "run"
    held = {s for counts in tally.owned.values() for s in counts}
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
    for rep in tally.shown:
        limit = "" if rep.slot_limit is None else f"/{rep.slot_limit}"
        slots = f"{rep.slots_used}{limit}"
        if rep.slot_limit is not None and rep.slots_used >= rep.slot_limit:
            slots = f"[bold red]{slots}[/]"
        refused = tally.refused.get(rep.rep, 0)
        detail = f"{refused:,}" if refused else ""
        counts = tally.owned.get(rep.rep, Counter())
        row = [esc(lab.person(rep.rep)), slots, *(str(counts.get(s, 0) or "") for s in states)]
        if run:
            row += [f"{rep.expected_signings:.1f}", str(tally.overdue.get(rep.rep, 0) or "")]
        table.add_row(*row, *([] if run else [esc(detail)]))
    return table


def _alerts(result: Result, console: Console, focus: Focus) -> None:
    from rulekit.report.alerts import summary
    from rulekit.report.labels import level_rank

    lab = focus.labels
    found = summary(result, focus.rep_shown if focus.reps else None, focus.first)
    if not found.total:
        return
    levels, rules = found.levels, found.rules
    console.print(
        esc(lab.t("alerts", n=found.total))
        + " · ".join(
            esc(f"{lab.level(k)} {levels[k]:,}")
            for k in sorted(levels, key=lambda k: (level_rank(k), k))
        )
        + " ("
        + esc(", ".join(f"{k} {v:,}" for k, v in _by_count(rules)))
        + ")"
    )
    for alert, owner in found.first:
        console.print(
            esc(f"  [{lab.level(alert.level)}] {lab.person(owner)} · {alert.rule}: {alert.message}")
        )
    if found.total > len(found.first):
        console.print(
            esc(
                f"  {lab.t('first_of', shown=len(found.first), total=found.total)}; "
                f"{lab.t('see_all_alerts')}"
            )
        )


def _pursuit(
    result: Result,
    customers: _View,
    reps: list[RepRow],
    console: Console,
    focus: Focus,
) -> None:
    """The pursuit list of each rep of the table (in its order), in priority order: the first
    `limit`, then how many more."""
    from rich.table import Table

    lab = focus.labels
    shown = {r.rep for r in reps}
    pools: dict[str, list[tuple[int, str, int]]] = {}  # (priority, customer, i) per rep
    for i, (owner, priority) in enumerate(zip(customers.owner, customers.priority, strict=True)):
        if owner in shown and priority is not None:
            pools.setdefault(owner, []).append((priority, customers.customer[i], i))
    if not pools:
        return
    table = Table(title=esc(lab.t("pursuit")))
    for key in ("rep", "priority", "customer", "state", "overdue_days", "due"):
        table.add_column(
            lab.t(key), justify="right" if key in ("priority", "overdue_days") else "left"
        )
    for rep in (r.rep for r in reps if r.rep in pools):
        pool = sorted(pools[rep])
        for n, (priority, cid, i) in enumerate(pool[: focus.limit]):
            due = customers.due(i)
            when = f"{due[0]} {(result.iso(due[1]) or '')[:10]}" if due else ""
            table.add_row(
                esc(lab.person(rep)) if n == 0 else "",
                str(priority),
                esc(cid),
                esc(customers.state[i]),
                str(customers.overdue[i] or ""),
                esc(when),
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
