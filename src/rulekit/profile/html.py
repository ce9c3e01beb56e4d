"""The HTML report of `rulekit profile --html`: one self-contained page, no network at all.

Header (policy, input, as-of, cycle), cards, the policy's target table, the team's
distribution (one chart for every rep, one per team), a bullet chart per rep against the
targets with its weakest capability, the teams' stage tables and, with `--cycles N`, every
rep's promotions per cycle. The shared stylesheet, sorting script, SVG and table helpers of
the reports are reused; every text from a policy or a table is escaped.
"""

from __future__ import annotations

from rulekit.profile.charts import bullet, distribution
from rulekit.profile.model import CycleProfiles, Profile, ProfileReport
from rulekit.report.files import write_text_atomic
from rulekit.report.html_style import CSS, SCRIPT
from rulekit.report.html_tables import cell, table
from rulekit.report.labels import label
from rulekit.report.svg import esc, num

EXTRA_CSS = """
.reps { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr));
  gap: 16px; }
.rep { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 10px 12px; }
.rep h3 { margin: 0 0 4px; font-size: 14px; font-weight: 650; }
.rep h3 .team { color: #6b7280; font-weight: 400; margin-left: 6px; }
.rep .weak { font-size: 12px; color: #92400e; margin: 2px 0 6px; }
.rep .weak.ok { color: #166534; }
"""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ratio_cell(value: float | None) -> str:
    if value is None:
        return '<td class="n muted">—</td>'
    return f'<td class="n" data-v="{value:.6f}">{_pct(value)}</td>'


def weakest_note(report: ProfileReport, p: Profile) -> str:
    """The weakest capability as a short line of HTML."""
    lang = report.lang
    if p.weakest is None:
        return f'<div class="weak ok">{esc(label("none_below", lang))}</div>'
    s = report.stage(p.weakest)
    names = " · ".join(
        x
        for x in (s.capability_label(lang), s.capability_label("en" if lang == "zh" else "zh"))
        if x
    )
    att = _pct(p.figure(p.weakest).attainment)
    return (
        f'<div class="weak">{esc(label("weakest", lang))}: <b>{esc(s.code)} {esc(names)}</b>'
        f" {att}</div>"
    )


def _panel(panel_id: str, title: str, body: str, hint: str = "") -> str:
    extra = f'<span class="hint">{esc(hint)}</span>' if hint else ""
    return f'<section class="panel" id="{panel_id}"><h2>{esc(title)}{extra}</h2>{body}</section>'


def targets_table(report: ProfileReport) -> str:
    """The policy's stages and targets (the method's target table)."""
    lang = report.lang
    heads = [
        label("stage", lang),
        label("name", lang),
        label("capability", lang),
        "#" + label("target", lang),
        "#" + label("reach_target", lang),
        "#" + label("conversion_target", lang),
        "#" + label("days_target", lang),
    ]
    rows = []
    for i, s in enumerate(report.stages):
        prev = report.stages[i - 1] if i else None
        conv = s.reach / prev.reach if prev and s.reach is not None and prev.reach else None
        caps = " ".join(x for x in (s.capability, s.capability_title) if x) or None
        names = " ".join(x for x in (s.name, s.title) if x) or None
        rows.append(
            cell(s.code)
            + cell(names)
            + cell(caps)
            + cell(s.count)
            + _ratio_cell(s.reach)
            + _ratio_cell(conv)
            + (cell(None) if s.days is None else f'<td class="n">{s.days:g}</td>')
        )
    return table(heads, rows, table_id="table-targets")


def stage_table(report: ProfileReport, p: Profile, table_id: str) -> str:
    """One subject's stage figures against the targets."""
    lang = report.lang
    heads = [
        label("stage", lang),
        "#" + label("count", lang),
        "#" + label("target", lang),
        "#" + label("attainment", lang),
        "#" + label("conversion", lang),
        "#" + label("conversion_target", lang),
        "#" + label("reach", lang),
        "#" + label("median_days", lang),
        "#" + label("days_target", lang),
    ]
    rows = []
    for f in p.stages:
        target = f"{f.target:g}" if f.target is not None else "—"
        rows.append(
            cell(f.stage)
            + cell(f.count)
            + f'<td class="n">{esc(target)}</td>'
            + _ratio_cell(f.attainment)
            + _ratio_cell(f.conversion)
            + _ratio_cell(f.conversion_target)
            + _ratio_cell(f.reach)
            + f'<td class="n">{_days(f.median_days)}</td>'
            + f'<td class="n">{_days(f.days_target)}</td>'
        )
    return table(heads, rows, table_id=table_id)


def _rep_card(report: ProfileReport, p: Profile, n: int) -> str:
    who = esc(p.id) + (f" {esc(p.name)}" if p.name else "")
    team = f'<span class="team">{esc(p.team)}</span>' if p.team else ""
    return (
        f'<div class="rep" id="rep-{n}"><h3>{who}{team}</h3>'
        + weakest_note(report, p)
        + bullet(f"chart-rep-{n}", report, p)
        + "</div>"
    )


def _trend(report: ProfileReport) -> str:
    """Every rep's promotions per stage in each cycle (with --cycles N)."""
    lang = report.lang
    heads = [label("rep", lang), label("team", lang), "#" + label("cycle", lang)]
    heads += ["#" + s.code for s in report.stages] + [label("weakest", lang)]
    rows = []
    for c in report.cycles:
        for p in c.reps:
            rows.append(
                cell(p.id)
                + cell(p.team)
                + cell(c.cycle.index)
                + "".join(cell(f.count) for f in p.stages)
                + cell(p.weakest)
            )
    return '<div class="scroll">' + table(heads, rows, table_id="table-trend") + "</div>"


def _cycle_body(report: ProfileReport, c: CycleProfiles) -> str:
    lang = report.lang
    parts = [
        _panel(
            "distribution",
            label("distribution", lang),
            distribution("chart-distribution", report, c.reps, width=1220),
            label("distribution_hint", lang),
        )
    ]
    if c.teams:
        teams = []
        for n, t in enumerate(c.teams):
            members = [p for p in c.reps if p.team == t.id]
            teams.append(
                f"<h3>{esc(t.id)} · {t.reps} {esc(label('reps', lang))}</h3>"
                + weakest_note(report, t)
                + '<div class="grid2 row"><div>'
                + distribution(f"chart-team-{n}", report, members, short=True)
                + "</div><div>"
                + stage_table(report, t, f"table-team-{n}")
                + "</div></div>"
            )
        parts.append(_panel("teams", label("teams", lang), "".join(teams)))
    parts.append(
        _panel(
            "all",
            label("all", lang),
            weakest_note(report, c.total) + stage_table(report, c.total, "table-all"),
        )
    )
    cards = "".join(_rep_card(report, p, n) for n, p in enumerate(c.reps))
    parts.append(
        _panel(
            "reps",
            label("reps", lang),
            f'<div class="reps">{cards}</div>',
            label("bars_hint", lang),
        )
    )
    return "".join(parts)


def render_html(report: ProfileReport) -> str:
    """The profile report as one HTML document."""
    lang = report.lang
    c = report.current
    title = f"{label('profile', lang)} · {report.policy_id} {report.policy_version}"
    kind = label("history" if report.mode == "replay" else "snapshot", lang)
    span = f"{report.iso(c.cycle.start)} < t ≤ {report.iso(c.cycle.end)}"
    header = (
        f'<header class="top"><div class="inner"><h1>{esc(title)}</h1>'
        f'<div class="policies">{esc(report.policy_title or "")}</div>'
        f'<div class="meta">{esc(kind)} {esc(report.path)} · {esc(label("as_of", lang))} '
        f"{esc(report.iso(report.as_of))} · {esc(label('cycle', lang))} {esc(str(report.length))}:"
        f" {esc(span)}</div></div></header>"
    )
    weak = [p.weakest for p in c.reps if p.weakest]
    top = max(sorted(set(weak)), key=weak.count) if weak else "—"
    cards = (
        '<div class="cards">'
        + _card(label("promotions", lang), num(c.promotions))
        + _card(label("reps", lang), num(len(c.reps)))
        + _card(label("teams", lang), num(len(c.teams)))
        + _card(label("cycles", lang), num(len(report.cycles)))
        + _card(label("weakest_common", lang), esc(top))
        + _card(label("cycle", lang), esc(str(report.length)))
        + "</div>"
    )
    trend = _panel("trend", label("cycles", lang), _trend(report)) if len(report.cycles) > 1 else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}{EXTRA_CSS}</style></head><body>",
        header,
        "<main>",
        cards,
        _panel("targets", label("targets", lang), targets_table(report)),
        _cycle_body(report, c),
        trend,
        "<footer>rulekit profile · generated offline; click a column head to sort</footer>",
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(x for x in parts if x) + "\n"


def _card(key: str, value: str) -> str:
    return f'<div class="card"><div class="k">{esc(key)}</div><div class="v">{value}</div></div>'


def write_html(report: ProfileReport, path: str) -> None:
    """Write the report to `path` (UTF-8), atomically."""
    write_text_atomic(path, render_html(report))
