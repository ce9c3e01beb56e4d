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
from rulekit.report.labels import Labels
from rulekit.report.svg import BASE, CAND, Series, bars, columns, esc, num

if TYPE_CHECKING:
    from rulekit.analysis.diff import DiffItem
    from rulekit.analysis.dryrun import DryRun
    from rulekit.engine.result.result import Result


def write_html(run: DryRun, path: str, labels: Labels | None = None) -> None:
    """Write the dry-run report of `run` to `path` (UTF-8), atomically."""
    from rulekit.safeio import write_text_atomic

    write_text_atomic(path, render_html(run, labels))


def render_html(run: DryRun, labels: Labels | None = None) -> str:
    """The dry-run report as one HTML document, in `labels`' language."""
    global L
    L = labels or Labels("en", run.candidate_policy)
    a, b = run.baseline, run.candidate
    title = (
        f"{L.t('html_title')} · {a.policy_id} {a.policy_version} → {b.policy_id} {b.policy_version}"
    )
    lang = "zh-CN" if L.zh else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        _header(run),
        "<main>",
        _cards(run),
        _diff(run),
        _charts(run),
        _tables(run),
        _profile(run),
        f"<footer>{esc(L.t('footer'))}</footer>",
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


#: the words of the report being rendered (set by render_html)
L = Labels("en")


def _side(r: Result, title: str | None) -> str:
    head = f'<b>{esc(r.policy_id)}</b> <span class="ver">{esc(r.policy_version)}</span>'
    return head + (f' <span class="ver">· {esc(title)}</span>' if title else "")


def _header(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    return (
        f'<header class="top"><div class="inner"><h1>{esc(L.t("html_title"))}</h1>'
        f'<div class="policies"><span class="side">{esc(L.t("baseline"))}</span> '
        f"{_side(a, run.baseline_policy.title)}"
        f'<span class="arrow">→</span><span class="side">{esc(L.t("candidate"))}</span> '
        f"{_side(b, run.candidate_policy.title)}</div>"
        f'<div class="meta" title="{esc(a.iso(a.as_of))}">'
        + esc(
            L.t(
                "html_meta",
                events=a.events,
                as_of=L.date(a.as_of.astimezone(a.tz)),
                a=a.customer_count,
                b=b.customer_count,
            )
        )
        + "</div></div></header>"
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
        + _card(L.t("events"), a.events)
        + _card(L.t("applied"), a.applied, b.applied)
        + _card(L.t("refused"), len(a.rejected), len(b.rejected))
        + _card(L.t("timers_fired"), a.timers, b.timers)
        + _card(L.t("reps_at_limit_card"), _at_limit(a), _at_limit(b), L.t("of_n", n=len(b.reps)))
        + _card(L.t("customers_changed"), len(run.changed))
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
    return _panel("policy-diff", L.t("policy_diff"), body, L.t("differences", n=len(items)))


def _panel(panel_id: str, title: str, body: str, hint: str = "", extra: str = "") -> str:
    more = (f'<span class="hint">{esc(hint)}</span>' if hint else "") + extra
    return f'<section class="panel" id="{panel_id}"><h2>{esc(title)}{more}</h2>{body}</section>'


def _states(run: DryRun) -> list[str]:
    order: list[str] = []
    for r in (run.baseline, run.candidate):
        order += r.world.program.states if r.world else []
    for r in (run.baseline, run.candidate):
        order += sorted(set(r.customer_column("state")))
    return list(dict.fromkeys(order))


def _reasons(run: DryRun) -> tuple[list[str], Counter[str], Counter[str]]:
    ra = run.baseline.rejected.reasons()
    rb = run.candidate.rejected.reasons()
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
                L.person(rep),
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
        Series(f"{L.t('baseline')} {x.policy_id} {x.policy_version}", BASE, "base", a),
        Series(f"{L.t('candidate')} {y.policy_id} {y.policy_version}", CAND, "cand", b),
    ]


def _charts(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    states = _states(run)
    sa = Counter(a.customer_column("state"))
    sb = Counter(b.customer_column("state"))
    state_svg = columns(
        "chart-states",
        states,
        _series(run, [sa[s] for s in states], [sb[s] for s in states]),
        width=600,
        height=330,
        label="customers by state, baseline and candidate",
        broken=True,
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
        + _panel("states", L.t("customers_by_state"), state_svg, L.t("at_as_of"))
        + _panel("refusals", L.t("refused_by_reason"), refusal_svg, L.t("most_frequent"))
        + "</div>"
        + _panel("slots", L.t("slots_per_rep"), slot_svg, L.t("slots_hint"))
        + _panel("flow", L.t("flow"), flow_svg, L.t("flow_hint"))
    )


def _tables(run: DryRun) -> str:
    a, b = run.baseline, run.candidate
    states = _states(run)
    sa = Counter(a.customer_column("state"))
    sb = Counter(b.customer_column("state"))
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
        _panel("metrics-table", L.t("metrics"), tables.metrics_table(a.metrics(), b.metrics()))
        if declared
        else ""
    )
    return (
        metric_panel
        + '<div class="grid2 row">'
        + _panel("states-table", L.t("states_table"), state_table)
        + _panel("refusals-table", L.t("refusals_table"), refusal_table)
        + "</div>"
        + '<div class="grid2 row">'
        + _panel("slots-table", L.t("slots_per_rep"), tables.slots_table(_slot_rows(run)))
        + _panel("transitions-table", L.t("transitions_taken"), move_table)
        + "</div>"
        + _panel(
            "changed",
            L.t("changed_title"),
            tables.changed_table(run.changed, L.person),
            L.t("changed_hint", n=n),
            extra=_download(run),
        )
    )


def _download(run: DryRun) -> str:
    """A link that saves every changed customer as a CSV file, embedded as a data: URI."""
    import base64

    from rulekit.report.csv_text import csv_bytes

    rows = [
        [c.customer, c.baseline[0], c.baseline[1], c.candidate[0], c.candidate[1]]
        for c in run.changed
    ]
    heads = ["customer", "baseline_state", "baseline_owner", "candidate_state", "candidate_owner"]
    data = base64.b64encode(csv_bytes(heads, rows)).decode("ascii")
    return (
        f'<a class="download" id="changed-csv" download="changed-customers.csv" '
        f'href="data:text/csv;charset=utf-8;base64,{data}">{esc(L.t("download_csv"))}</a>'
    )


def _profile(run: DryRun) -> str:
    """The capability profiles under both policies (empty when a policy has no stages)."""
    if run.profiles is None:
        return ""
    from rulekit.profile.compare_view import render_html as profile_html

    return profile_html(run.profiles, L.lang)
