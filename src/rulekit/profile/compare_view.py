"""The profile section of `dry-run`'s text and HTML reports (see `compare`).

Text: a rich table of promotions per stage, baseline and candidate, with the change, the
targets and how many reps have the stage as their weakest capability. HTML: the same as a
sortable table, reusing the reports' table helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rulekit.profile.compare import ProfileChange, StageChange
from rulekit.report.html_tables import cell, delta, table
from rulekit.report.labels import label
from rulekit.report.svg import esc

if TYPE_CHECKING:
    from rich.console import Console


def _capability(s: StageChange, lang: str) -> str:
    first, second = (
        (s.capability, s.capability_title) if lang == "zh" else (s.capability_title, s.capability)
    )
    return " ".join(x for x in (first, second) if x)


def _one(s: StageChange, lang: str) -> str:
    first, second = (
        (s.capability, s.capability_title) if lang == "zh" else (s.capability_title, s.capability)
    )
    return first or second or ""


def _target(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def render_text(change: ProfileChange, console: Console, lang: str = "en") -> None:
    """Print the section for people."""
    from rich.markup import escape
    from rich.table import Table

    a, b = change.baseline.current.cycle, change.candidate.current.cycle
    title = (
        f"{label('profile_change', lang)} · {change.candidate.iso(b.start)} < t ≤ "
        f"{change.candidate.iso(b.end)}"
    )
    if (a.start, a.end) != (b.start, b.end):
        title += f" (baseline {change.baseline.iso(a.start)} < t ≤ {change.baseline.iso(a.end)})"
    grid = Table(title=escape(title))
    for col in ("stage", "capability", "baseline", "candidate", "change", "target", "weakest"):
        grid.add_column(
            label(col, lang), justify="left" if col in ("stage", "capability") else "right"
        )
    for s in change.stages():
        d = (s.candidate or 0) - (s.baseline or 0)
        shown = "" if d == 0 else (f"[green]+{d:,}[/]" if d > 0 else f"[red]{d:,}[/]")
        targets = _target(s.baseline_target)
        if s.candidate_target != s.baseline_target:
            targets += f" → {_target(s.candidate_target)}"
        grid.add_row(
            escape(s.stage),
            escape(_one(s, lang)),
            "—" if s.baseline is None else f"{s.baseline:,}",
            "—" if s.candidate is None else f"{s.candidate:,}",
            shown,
            targets,
            f"{s.baseline_weakest} → {s.candidate_weakest}",
        )
    console.print(grid)
    moved = change.reps_changed()
    if moved:
        console.print(
            f"{label('weakest', lang)}: "
            + " · ".join(f"{escape(r)} {x or '—'} → {y or '—'}" for r, x, y in moved[:12])
            + (f" (+{len(moved) - 12})" if len(moved) > 12 else ""),
        )


def render_html(change: ProfileChange, lang: str = "en") -> str:
    """The section as an HTML panel."""
    heads = [
        label("stage", lang),
        label("capability", lang),
        "#" + label("baseline", lang),
        "#" + label("candidate", lang),
        "#" + label("change", lang),
        "#" + label("target", lang),
        "#" + label("weakest", lang),
    ]
    rows = []
    for s in change.stages():
        targets = _target(s.baseline_target)
        if s.candidate_target != s.baseline_target:
            targets += f" → {_target(s.candidate_target)}"
        rows.append(
            cell(s.stage)
            + cell(_capability(s, lang) or None)
            + cell(s.baseline)
            + cell(s.candidate)
            + delta(s.baseline or 0, s.candidate or 0)
            + f'<td class="n">{esc(targets)}</td>'
            + f'<td class="n">{s.baseline_weakest} → {s.candidate_weakest}</td>'
        )
    c = change.candidate
    hint = f"{c.iso(c.current.cycle.start)} < t ≤ {c.iso(c.current.cycle.end)}"
    body = table(heads, rows, table_id="table-profile")
    return (
        f'<section class="panel" id="profile"><h2>{esc(label("profile_change", lang))}'
        f'<span class="hint">{esc(hint)}</span></h2>{body}</section>'
    )
