"""The HTML report of `rulekit dry-run --html`: one self-contained page, no network at all.

Header, the policy diff (with file:line), four inline SVG charts (customers by state, refusals
by reason, slots per rep against the limit, the candidate's lifecycle flow) and sortable
tables. Charts are drawn in `report.svg` and `report.html_flow`, tables in `report.html_tables`.
Every text from a policy or a history is escaped.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rulekit.report import html_tables as tables
from rulekit.report.html_flow import flow_chart
from rulekit.report.html_style import CSS, SCRIPT
from rulekit.report.svg import BASE, CAND, Series, bars, columns, esc, num

if TYPE_CHECKING:
    from rulekit.analysis.diff import DiffItem
    from rulekit.analysis.dryrun import DryRun
    from rulekit.engine.result.result import Result


def write_html(run: DryRun, path: str) -> None:
    """Write the dry-run report of `run` to `path` (UTF-8)."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(render_html(run))


def render_html(run: DryRun) -> str:
    """The dry-run report as one HTML document."""
    a, b = run.baseline, run.candidate
    title = f"Dry-run · {a.policy_id} {a.policy_version} → {b.policy_id} {b.policy_version}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        _header(run),
        "<main>",
        _cards(run),
        _diff(run),
        _charts(run),
        _tables(run),
        "<footer>rulekit dry-run · generated offline; click a column head to sort</footer>",
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _side(r: Result, title: str | None) -> str:
    head = f'<b>{esc(r.policy_id)}</b> <span class="ver">{esc(r.policy_version)}</span>'
    return head + (f' <span class="ver">· {esc(title)}</span>' if title else "")


def _header(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    return (
        '<header class="top"><div class="inner"><h1>Policy dry-run</h1>'
        f'<div class="policies"><span class="side">baseline</span> '
        f"{_side(a, run.baseline_policy.title)}"
        f'<span class="arrow">→</span><span class="side">candidate</span> '
        f"{_side(b, run.candidate_policy.title)}</div>"
        f'<div class="meta">{num(a.events)} events replayed · as of {esc(a.iso(a.as_of))}'
        f" · {num(len(a.customers))} → {num(len(b.customers))} customers</div></div></header>"
    )


def _card(key: str, a: int, b: int | None = None, suffix: str = "") -> str:
    value = num(a) if b is None else f"{num(a)} <small>→</small> {num(b)}"
    return (
        f'<div class="card"><div class="k">{esc(key)}</div>'
        f'<div class="v">{value}{f" <small>{esc(suffix)}</small>" if suffix else ""}</div></div>'
    )


def _at_limit(r: Result) -> int:
    return sum(1 for x in r.reps if x.slot_limit is not None and x.slots_used >= x.slot_limit)


def _cards(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    return (
        '<div class="cards">'
        + _card("events", a.events)
        + _card("applied", a.applied, b.applied)
        + _card("refused", len(a.rejected), len(b.rejected))
        + _card("timers fired", a.timers, b.timers)
        + _card("reps at limit", _at_limit(a), _at_limit(b), f"of {len(b.reps)}")
        + _card("customers changed", len(run.changed))
        + "</div>"
    )


def _where(run: DryRun, item: DiffItem) -> str:
    span = item.span
    if span is None:  # a removal: where the candidate removes it, else where it was
        span = run.candidate_policy.document.span(item.path)
    if span is None:
        span = run.baseline_policy.document.span(item.path)
    return f"{span.file}:{span.line}" if span is not None else ""


def _diff(run: DryRun) -> str:
    from rulekit.analysis.diff import diff

    items = diff(run.baseline_policy, run.candidate_policy)
    lines = [
        f'<li class="diff-item {esc(d.kind)}"><span class="badge {esc(d.kind)}">{esc(d.kind)}'
        f'</span><code>{esc(d.describe())}</code><span class="where">{esc(_where(run, d))}'
        "</span></li>"
        for d in items
    ]
    body = f'<ul class="diff">{"".join(lines)}</ul>' if lines else '<p class="note">none</p>'
    hint = f"{len(items)} difference{'s' if len(items) != 1 else ''}"
    return _panel("policy-diff", "Policy diff", body, hint)


def _panel(panel_id: str, title: str, body: str, hint: str = "") -> str:
    extra = f'<span class="hint">{esc(hint)}</span>' if hint else ""
    return f'<section class="panel" id="{panel_id}"><h2>{esc(title)}{extra}</h2>{body}</section>'


def _states(run: DryRun) -> list[str]:
    order: list[str] = []
    for r in (run.baseline, run.candidate):
        order += r.world.program.states if r.world else []
    for r in (run.baseline, run.candidate):
        order += sorted({c.state for c in r.customers})
    return list(dict.fromkeys(order))


def _reasons(run: DryRun) -> tuple[list[str], Counter[str], Counter[str]]:
    ra = Counter(x.reason for x in run.baseline.rejected)
    rb = Counter(x.reason for x in run.candidate.rejected)
    keys = sorted(ra.keys() | rb.keys(), key=lambda k: (-(ra[k] + rb[k]), k))
    return keys, ra, rb


def _slot_rows(run: DryRun) -> list[tables.SlotRow]:
    left = {r.rep: r for r in run.baseline.reps}
    right = {r.rep: r for r in run.candidate.reps}
    rows = []
    for rep in sorted(left.keys() | right.keys()):
        x, y = left.get(rep), right.get(rep)
        rows.append(
            tables.SlotRow(
                rep,
                x.slots_used if x else 0,
                x.slot_limit if x else None,
                y.slots_used if y else 0,
                y.slot_limit if y else None,
            )
        )
    return rows


def _series(run: DryRun, a: list[int], b: list[int]) -> list[Series]:
    x, y = run.baseline, run.candidate
    return [
        Series(f"baseline {x.policy_id} {x.policy_version}", BASE, "base", a),
        Series(f"candidate {y.policy_id} {y.policy_version}", CAND, "cand", b),
    ]


def _charts(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    states = _states(run)
    sa = Counter(c.state for c in a.customers)
    sb = Counter(c.state for c in b.customers)
    state_svg = columns(
        "chart-states",
        states,
        _series(run, [sa[s] for s in states], [sb[s] for s in states]),
        width=600,
        height=330,
        label="customers by state, baseline and candidate",
    )
    keys, ra, rb = _reasons(run)
    refusal_svg = bars(
        "chart-refusals",
        keys,
        _series(run, [ra[k] for k in keys], [rb[k] for k in keys]),
        width=600,
        label="refused events by reason, baseline and candidate",
    )
    rows = _slot_rows(run)
    slot_svg = columns(
        "chart-slots",
        [r.rep for r in rows],
        _series(run, [r.used_a for r in rows], [r.used_b for r in rows]),
        width=max(1220.0, 60 + 30.0 * len(rows)),
        height=300,
        limits=[[r.limit_a for r in rows], [r.limit_b for r in rows]],
        label="slots used per rep against the limit, baseline and candidate",
    )
    taken_b = b.world.taken if b.world else Counter()
    taken_a = a.world.taken if a.world else Counter()
    flow_svg = flow_chart(run.candidate_policy, taken_b, taken_a, sb)
    return (
        '<div class="grid2 row">'
        + _panel("states", "Customers by state", state_svg, "at as-of")
        + _panel("refusals", "Refused events by reason", refusal_svg, "most frequent first")
        + "</div>"
        + _panel("slots", "Slots used per rep", slot_svg, "sales rights held; red mark = limit")
        + _panel(
            "flow",
            "Lifecycle flow (candidate)",
            flow_svg,
            "times each transition was taken in the candidate's replay",
        )
    )


def _tables(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    states = _states(run)
    sa = Counter(c.state for c in a.customers)
    sb = Counter(c.state for c in b.customers)
    nodes = run.candidate_policy.states.nodes
    names = [str(nodes.get(s, {}).get("name") or "") for s in states]
    keys, ra, rb = _reasons(run)
    taken_a = a.world.taken if a.world else Counter()
    taken_b = b.world.taken if b.world else Counter()
    moves = list(dict.fromkeys([*run.candidate_policy.model.transitions, *taken_a, *taken_b]))
    state_table = tables.compare_table(
        "table-states",
        "state",
        states,
        [sa[s] for s in states],
        [sb[s] for s in states],
        names=names,
    )
    refusal_table = tables.compare_table(
        "table-refusals", "reason", keys, [ra[k] for k in keys], [rb[k] for k in keys]
    )
    move_table = tables.compare_table(
        "table-transitions",
        "transition",
        moves,
        [taken_a[m] for m in moves],
        [taken_b[m] for m in moves],
    )
    n = len(run.changed)
    declared = a.world is not None and b.world is not None
    declared = declared and any(r.world.program.policy.model.metrics for r in (a, b) if r.world)
    metric_panel = (
        _panel("metrics-table", "Metrics at as-of", tables.metrics_table(a.metrics(), b.metrics()))
        if declared
        else ""
    )
    return (
        metric_panel
        + '<div class="grid2 row">'
        + _panel("states-table", "States", state_table)
        + _panel("refusals-table", "Refusals", refusal_table)
        + "</div>"
        + '<div class="grid2 row">'
        + _panel("slots-table", "Slots per rep", tables.slots_table(_slot_rows(run)))
        + _panel("transitions-table", "Transitions taken", move_table)
        + "</div>"
        + _panel(
            "changed",
            "Customers that end differently",
            tables.changed_table(run.changed),
            f"{num(n)} customer{'s' if n != 1 else ''} · state or owner differs",
        )
    )
