"""Small inline SVG charts for the HTML reports: grouped column and bar charts.

Plain string building, no dependencies and no external references: every chart is an `<svg>`
element meant to be inlined in an HTML5 page (so it needs no `xmlns`). Every text that comes
from a policy or a history goes through `esc`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

BASE = "#94a3b8"  # baseline bars (slate)
CAND = "#2563eb"  # candidate bars (blue)
LIMIT = "#dc2626"  # slot limit markers (red)
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
FONT = 'font-family="inherit"'


def esc(value: object) -> str:
    """`value` as text safe in HTML element content and attribute values."""
    return html.escape(str(value), quote=True)


def num(value: int) -> str:
    """An integer with thousands separators."""
    return f"{value:,}"


@dataclass(frozen=True, slots=True)
class Series:
    """One side of a comparison: its legend label, colour, CSS class and values."""

    label: str
    color: str
    css: str
    values: Sequence[int]


def nice_max(value: float) -> tuple[int, int]:
    """An axis maximum ≥ `value` and its tick step: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1, 1
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    return int(math.ceil(value / step) * step), step


def open_svg(chart_id: str, width: float, height: float, label: str) -> str:
    """The opening `<svg>` tag of a chart."""
    return (
        f'<svg id="{esc(chart_id)}" class="chart" viewBox="0 0 {width:g} {height:g}"'
        f' width="{width:g}" height="{height:g}" role="img" aria-label="{esc(label)}">'
    )


def text(x: float, y: float, body: str, *, size: int = 11, fill: str = INK, **attrs: str) -> str:
    """A `<text>` element; `body` must already be escaped; attrs use `_` for `-`."""
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" {FONT}{extra}>'
        f"{body}</text>"
    )


def legend(x: float, y: float, items: Sequence[tuple[str, str, str]]) -> str:
    """Legend swatches left to right from (x, y): (label, colour, shape) with shape box/line."""
    out = []
    for label, color, shape in items:
        if shape == "line":
            out.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 14:.1f}" y2="{y - 4:.1f}"'
                f' stroke="{color}" stroke-width="3"/>'
            )
        else:
            out.append(
                f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" rx="2" fill="{color}"/>'
            )
        out.append(text(x + 18, y, esc(label), fill=MUTED))
        x += 30 + 6.5 * len(label)
    return "".join(out)


def _bar(css: str, color: str, x: float, y: float, w: float, h: float, tip: str) -> str:
    return (
        f'<rect class="bar {css}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"'
        f' fill="{color}" shape-rendering="crispEdges"><title>{esc(tip)}</title></rect>'
    )


def columns(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: float = 600,
    height: float = 320,
    limits: Sequence[Sequence[int | None]] | None = None,
    label: str = "",
    broken: bool = False,
) -> str:
    """Vertical grouped columns, one group per category, one column per series.

    `limits[s][i]`, if given, draws a limit marker across column i of series s (slot limits).
    `broken`: when one category dwarfs the others (over 4 times the next value), the axis
    stops above the others and its columns are cut by a break mark, their value written on
    top, so that the other columns stay readable.
    """
    left, right, top = 48.0, 12.0, 30.0
    longest = max((len(c) for c in categories), default=1)
    group = (width - left - right) / max(1, len(categories))
    tilt = longest * 6.6 > group - 4
    bottom = 24.0 + (min(longest, 18) * 4.6 if tilt else 0)
    plot_h = height - top - bottom
    peak: float = max((v for s in series for v in s.values), default=0)
    if limits:
        peak = max([peak, *(v for row in limits for v in row if v is not None)])
    ranked = sorted({v for s in series for v in s.values}, reverse=True)
    dwarfs = broken and not limits and len(ranked) > 1 and ranked[0] > 4 * max(ranked[1], 1)
    if dwarfs:
        peak = ranked[1] * 1.25
    axis_max, step = nice_max(peak)
    cut: float | None = float(axis_max) if dwarfs else None
    scale = plot_h / axis_max
    base_y = top + plot_h
    out = [open_svg(chart_id, width, height, label)]
    for tick in range(0, axis_max + 1, step):
        y = base_y - tick * scale
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right:.1f}" y2="{y:.1f}"'
            f' stroke="{GRID}" shape-rendering="crispEdges"/>'
        )
        out.append(text(left - 6, y + 4, num(tick), size=10, fill=MUTED, text_anchor="end"))
    legend_items = [(s.label, s.color, "box") for s in series]
    if limits:
        legend_items.append(("slot limit", LIMIT, "line"))
    out.append(legend(left, 16, legend_items))
    pad = min(10.0, group * 0.15)
    bar_w = max(1.0, (group - 2 * pad) / max(1, len(series)))
    for i, cat in enumerate(categories):
        gx = left + i * group + pad
        for s_index, s in enumerate(series):
            value = s.values[i]
            x = gx + s_index * bar_w
            h = value * scale
            over = cut is not None and value > cut
            if over:
                h = plot_h
            tip = f"{cat} · {s.label}: {num(value)}"
            limit = limits[s_index][i] if limits else None
            if limit is not None:
                tip += f" of {num(limit)}"
            out.append(_bar(s.css, s.color, x + 0.5, base_y - h, bar_w - 1, h, tip))
            if over:
                mid = base_y - plot_h * 0.55
                out.append(
                    f'<path class="break" d="M{x - 1:.1f},{mid + 4:.1f} l{bar_w / 2 + 1:.1f},-6'
                    f" l{bar_w / 2 + 1:.1f},6 M{x - 1:.1f},{mid + 10:.1f} l{bar_w / 2 + 1:.1f},-6"
                    f' l{bar_w / 2 + 1:.1f},6" stroke="#fff" stroke-width="3" fill="none"/>'
                )
            if bar_w >= 20 and not limits or over:
                out.append(
                    text(
                        x + bar_w / 2,
                        base_y - h - 4,
                        num(value),
                        size=10,
                        fill=MUTED,
                        text_anchor="middle",
                    )
                )
            if limit is not None:
                ly = base_y - limit * scale
                out.append(
                    f'<line class="limit" x1="{x - 1:.1f}" y1="{ly:.1f}" x2="{x + bar_w:.1f}"'
                    f' y2="{ly:.1f}" stroke="{LIMIT}" stroke-width="3"'
                    f' shape-rendering="crispEdges"/>'
                )
        cx = left + (i + 0.5) * group
        if tilt:
            out.append(
                text(
                    cx,
                    base_y + 14,
                    esc(cat),
                    text_anchor="end",
                    transform=f"rotate(-40 {cx:.1f} {base_y + 14:.1f})",
                )
            )
        else:
            out.append(text(cx, base_y + 16, esc(cat), text_anchor="middle"))
    out.append(
        f'<line x1="{left:.1f}" y1="{base_y:.1f}" x2="{width - right:.1f}" y2="{base_y:.1f}"'
        f' stroke="{MUTED}" shape-rendering="crispEdges"/>'
    )
    out.append("</svg>")
    return "".join(out)


def bars(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: float = 600,
    label: str = "",
) -> str:
    """Horizontal grouped bars, one row per category (long labels read well on the left)."""
    longest = max((len(c) for c in categories), default=1)
    left = min(220.0, 16 + 6.8 * longest)
    right, top, row_gap = 56.0, 30.0, 10.0
    bar_h = 12.0
    row = bar_h * len(series) + row_gap
    height = top + row * max(1, len(categories)) + 8
    peak = max((v for s in series for v in s.values), default=0)
    axis_max, step = nice_max(peak)
    scale = (width - left - right) / axis_max
    out = [open_svg(chart_id, width, height, label)]
    for tick in range(0, axis_max + 1, step):
        x = left + tick * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6:.1f}" x2="{x:.1f}" y2="{height - 8:.1f}"'
            f' stroke="{GRID}" shape-rendering="crispEdges"/>'
        )
    out.append(legend(left, 16, [(s.label, s.color, "box") for s in series]))
    if not categories:
        out.append(text(left, top + 20, "none", fill=MUTED))
    for i, cat in enumerate(categories):
        y = top + i * row
        mid = y + bar_h * len(series) / 2
        out.append(text(left - 8, mid + 4, esc(cat), text_anchor="end"))
        for s_index, s in enumerate(series):
            value = s.values[i]
            by = y + s_index * bar_h
            w = value * scale
            tip = f"{cat} · {s.label}: {num(value)}"
            out.append(_bar(s.css, s.color, left, by + 0.5, w, bar_h - 1, tip))
            out.append(text(left + w + 4, by + bar_h - 2, num(value), size=10, fill=MUTED))
    out.append(
        f'<line x1="{left:.1f}" y1="{top - 6:.1f}" x2="{left:.1f}" y2="{height - 8:.1f}"'
        f' stroke="{MUTED}" shape-rendering="crispEdges"/>'
    )
    out.append("</svg>")
    return "".join(out)
