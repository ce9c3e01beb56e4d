"""The profile's inline SVG charts: a bullet chart per rep and the team's distribution.

Bullet chart: one row per stage; the bar is the attainment (promotions / target count), the
red mark the target (100%); the weakest stage's bar is amber. Distribution: one column per
stage, a dot per rep at its attainment, a bar at the median of the reps, the target as a
dashed line. Built with the shared SVG helpers of the reports; every text is escaped.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from rulekit.profile.model import Profile, ProfileReport
from rulekit.report.labels import label
from rulekit.report.svg import CAND, GRID, INK, LIMIT, MUTED, esc, legend, open_svg, text

WEAK = "#f59e0b"  # the weakest stage's bar (amber)
DOT = "#0f766e"  # a rep's dot in the distribution (teal)
MEDIAN = "#7c3aed"  # the median bar in the distribution (violet)
TRACK = "#eef2f7"


def _axis(values: Sequence[float | None]) -> float:
    """The axis maximum, as a ratio: at least 150%, rounded up to the next 50%."""
    peak = max((v for v in values if v is not None), default=0.0)
    top = max(1.5, peak)
    return float(int(top * 2 + 0.999999)) / 2


def bullet(chart_id: str, report: ProfileReport, p: Profile, *, width: float = 420) -> str:
    """One subject's bullet chart: a bar per stage against its target."""
    lang = report.lang
    left, right, top, row = 150.0, 64.0, 10.0, 26.0
    height = top + row * max(1, len(p.stages)) + 18
    axis = _axis([f.attainment for f in p.stages])
    scale = (width - left - right) / axis
    out = [open_svg(chart_id, width, height, f"{p.id}: {label('profile', lang)}")]
    for k in range(int(axis * 2) + 1):
        x = left + k * 0.5 * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{height - 16:.1f}"'
            f' stroke="{GRID}" shape-rendering="crispEdges"/>'
        )
        out.append(text(x, height - 4, f"{k * 50}%", size=9, fill=MUTED, text_anchor="middle"))
    for i, f in enumerate(p.stages):
        s = report.stage(f.stage)
        y = top + i * row
        name = s.capability_label(lang) or s.label(lang)
        out.append(text(left - 8, y + 15, esc(f"{s.code} {name}"), text_anchor="end"))
        out.append(
            f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{axis * scale:.1f}" height="16"'
            f' fill="{TRACK}" shape-rendering="crispEdges"/>'
        )
        value = f.attainment or 0.0
        colour, css = (WEAK, "bar weak") if p.weakest == f.stage else (CAND, "bar")
        tip = f"{s.code}: {f.count} / {f.target if f.target is not None else '—'}"
        out.append(
            f'<rect class="{css}" x="{left:.1f}" y="{y + 6:.1f}" width="{value * scale:.1f}"'
            f' height="10" fill="{colour}" shape-rendering="crispEdges"><title>{esc(tip)}'
            "</title></rect>"
        )
        if f.target is not None:
            tx = left + scale
            out.append(
                f'<line class="target" x1="{tx:.1f}" y1="{y + 1:.1f}" x2="{tx:.1f}"'
                f' y2="{y + 21:.1f}" stroke="{LIMIT}" stroke-width="3"'
                ' shape-rendering="crispEdges"/>'
            )
        numbers = f"{f.count}/{f.target:g}" if f.target is not None else f"{f.count}"
        out.append(text(width - right + 6, y + 15, esc(numbers), size=10, fill=INK))
    out.append("</svg>")
    return "".join(out)


def distribution(
    chart_id: str,
    report: ProfileReport,
    reps: Sequence[Profile],
    *,
    width: float = 600,
    short: bool = False,
) -> str:
    """Every rep's attainment per stage as dots, the median as a bar, the target dashed."""
    lang = report.lang
    left, right, top, bottom = 48.0, 12.0, 30.0, 28.0
    height = 300.0
    plot_h = height - top - bottom
    values = [f.attainment for p in reps for f in p.stages]
    axis = _axis(values)
    scale = plot_h / axis
    base = top + plot_h
    group = (width - left - right) / max(1, len(report.stages))
    out = [open_svg(chart_id, width, height, label("distribution", lang))]
    out.append(
        legend(
            left,
            16,
            [
                (label("reps", lang), DOT, "box"),
                (label("median", lang), MEDIAN, "line"),
                (label("target", lang), LIMIT, "line"),
            ],
        )
    )
    for k in range(int(axis * 2) + 1):
        y = base - k * 0.5 * scale
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right:.1f}" y2="{y:.1f}"'
            f' stroke="{GRID}" shape-rendering="crispEdges"/>'
        )
        out.append(text(left - 6, y + 4, f"{k * 50}%", size=10, fill=MUTED, text_anchor="end"))
    ty = base - scale
    out.append(
        f'<line class="target" x1="{left:.1f}" y1="{ty:.1f}" x2="{width - right:.1f}"'
        f' y2="{ty:.1f}" stroke="{LIMIT}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    for i, s in enumerate(report.stages):
        cx = left + (i + 0.5) * group
        points = []
        for j, p in enumerate(reps):
            f = p.figure(s.code)
            if f.attainment is None:
                continue
            points.append(f.attainment)
            jitter = ((j * 7) % 11 - 5) * min(4.0, group / 30)
            tip = f"{p.id} · {s.code}: {f.count}/{f.target:g}" if f.target is not None else p.id
            out.append(
                f'<circle class="dot" cx="{cx + jitter:.1f}" cy="{base - f.attainment * scale:.1f}"'
                f' r="5" fill="{DOT}" fill-opacity="0.75"><title>{esc(tip)}</title></circle>'
            )
        if points:
            my = base - statistics.median(points) * scale
            out.append(
                f'<line class="median" x1="{cx - group * 0.3:.1f}" y1="{my:.1f}"'
                f' x2="{cx + group * 0.3:.1f}" y2="{my:.1f}" stroke="{MEDIAN}" stroke-width="4"/>'
            )
        name = "" if short else " " + (s.capability_label(lang) or s.label(lang))
        out.append(text(cx, base + 18, esc(f"{s.code}{name}"), text_anchor="middle"))
    out.append(
        f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{width - right:.1f}" y2="{base:.1f}"'
        f' stroke="{MUTED}" shape-rendering="crispEdges"/>'
    )
    out.append("</svg>")
    return "".join(out)
