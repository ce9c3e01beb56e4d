"""The lifecycle flow chart: a policy's state graph with how often each transition was taken.

States sit on one row, left to right in policy order (`start` first). Edges are curves: forward
ones arc above the row, backward ones below, a higher arc for a longer jump; timer edges are
dashed. The counts come from `World.taken` (transition name → times taken), so a transition
that leaves several states has one count, shown once on its first edge. Transitions with
`to: same` (follow-ups, reassignments) change no state and are listed under the row instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from rulekit.compiler import CompiledPolicy
from rulekit.graph.build import START, Edge
from rulekit.report.svg import INK, MUTED, esc, num, open_svg, text

EVENT = "#475569"  # event edges (slate)
TIMER = "#d97706"  # timer edges (amber, dashed)
IDLE = "#cbd5e1"  # edges never taken
NODE = "#eff6ff"
NODE_LINE = "#60a5fa"
PUBLIC = "#fef3c7"
BOX_W, BOX_H = 88.0, 58.0


def flow_chart(
    policy: CompiledPolicy,
    taken: Mapping[str, int],
    baseline_taken: Mapping[str, int],
    population: Mapping[str, int],
    *,
    width: float = 1220,
) -> str:
    """The candidate's state graph as an SVG arc diagram with transition counts."""
    graph = policy.states
    nodes = list(graph.nodes)
    at = {name: i for i, name in enumerate(nodes)}
    in_place = {n for n, t in policy.model.transitions.items() if t.to == "same"}
    edges = [e for e in graph.edges if e.transition not in in_place]
    sources = Counter(e.transition for e in edges)
    margin = BOX_W / 2 + 12
    gap = (width - 2 * margin) / max(1, len(nodes) - 1)
    xs = {name: margin + i * gap for i, name in enumerate(nodes)}
    up = max([1, *(at[e.target] - at[e.origin] for e in edges)])
    down = max([1, *(at[e.origin] - at[e.target] for e in edges)])
    row_y = 40 + _rise(up)
    height = row_y + BOX_H / 2 + _rise(down) + 70
    ports = _ports(edges, xs)
    peak = max([1, *(taken.get(e.transition, 0) for e in edges)])
    out = [open_svg("chart-flow", width, height, "lifecycle flow of the candidate policy")]
    out.append(_defs())
    labelled: set[str] = set()
    labels = []
    for i, e in enumerate(edges):
        count = taken.get(e.transition, 0)
        x1, x2 = ports[i]
        path, lx, ly = _curve(
            x1, x2, e.origin == e.target, row_y, _rise(at[e.target] - at[e.origin])
        )
        color = IDLE if count == 0 else (TIMER if e.trigger.is_timer else EVENT)
        stroke = 1.2 + 4.0 * math.sqrt(count / peak)
        dash = ' stroke-dasharray="7 4"' if e.trigger.is_timer else ""
        tip = _tip(e, count, baseline_taken.get(e.transition, 0), sources[e.transition])
        out.append(
            f'<path class="edge {e.kind}" d="{path}" fill="none" stroke="{color}"'
            f' stroke-width="{stroke:.1f}"{dash} marker-end="url(#arrow-{_marker(color)})">'
            f"<title>{esc(tip)}</title></path>"
        )
        if e.transition not in labelled:
            labelled.add(e.transition)
            more = f" ({sources[e.transition]} sources)" if sources[e.transition] > 1 else ""
            body = f'{esc(e.transition)} <tspan font-weight="700">{num(count)}</tspan>{esc(more)}'
            labels.append(
                text(
                    lx,
                    ly,
                    body,
                    size=11,
                    fill=INK,
                    text_anchor="middle",
                    class_="edge-label",
                    paint_order="stroke",
                    stroke="#ffffff",
                    stroke_width="4",
                    stroke_linejoin="round",
                )
            )
    out.extend(labels)
    for name in nodes:
        out.append(_node(policy, name, xs[name], row_y, population))
    notes = [
        f'{esc(n)} <tspan font-weight="700">{num(taken.get(n, 0))}</tspan>'
        for n in policy.model.transitions
        if n in in_place
    ]
    y = height - 36
    if notes:
        out.append(text(margin - BOX_W / 2, y, "state unchanged: " + " · ".join(notes), size=12))
    out.append(_key(margin - BOX_W / 2, y + 24))
    out.append("</svg>")
    return "".join(out)


def _rise(distance: int) -> float:
    """How far an arc over `distance` columns (negative: backward) leaves the row."""
    return 18 + 20 * abs(distance) if distance else 34


def _ports(edges: Sequence[Edge], xs: Mapping[str, float]) -> list[tuple[float, float]]:
    """Where each edge leaves and enters its boxes: the ends on one side of a box are spread
    over its width, ordered by the x of their other end, so that nested arcs do not cross."""
    ends: dict[tuple[str, bool], list[tuple[float, int, int]]] = {}
    for i, e in enumerate(edges):
        top = xs[e.target] > xs[e.origin]
        ends.setdefault((e.origin, top), []).append((xs[e.target], -1 if top else 1, i * 2))
        ends.setdefault((e.target, top), []).append((xs[e.origin], 1 if top else -1, i * 2 + 1))
    spot: dict[int, float] = {}
    for (name, _), group in ends.items():
        group.sort()
        for k, (_, _, slot) in enumerate(group):
            spot[slot] = xs[name] - BOX_W / 2 + 8 + (k + 0.5) * (BOX_W - 16) / len(group)
    return [(spot[2 * i], spot[2 * i + 1]) for i in range(len(edges))]


def _curve(x1: float, x2: float, loop: bool, row_y: float, h: float) -> tuple[str, float, float]:
    """An arc `h` from the row from x1 to x2, or a loop under one box: path, label position."""
    half = BOX_H / 2
    if loop:
        y = row_y + half
        mid = (x1 + x2) / 2
        d = f"M{mid - 10:.1f},{y:.1f} C{mid - 34:.1f},{y + 44:.1f} {mid + 34:.1f},"
        d += f"{y + 44:.1f} {mid + 10:.1f},{y:.1f}"
        return d, mid, y + 46
    forward = x2 > x1
    sign = -1 if forward else 1
    y = row_y + sign * half
    c = y + sign * h / 0.75
    d = f"M{x1:.1f},{y:.1f} C{x1:.1f},{c:.1f} {x2:.1f},{c:.1f} {x2:.1f},{y:.1f}"
    return d, (x1 + x2) / 2, y + sign * h + (-4 if forward else 12)


def _marker(color: str) -> str:
    return {EVENT: "event", TIMER: "timer"}.get(color, "idle")


def _defs() -> str:
    out = ["<defs>"]
    for name, color in (("event", EVENT), ("timer", TIMER), ("idle", IDLE)):
        out.append(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
            f' markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        )
    out.append("</defs>")
    return "".join(out)


def _tip(e: Edge, count: int, before: int, sources: int) -> str:
    tip = f"{e.transition}: {e.origin} → {e.target} · {e.trigger}"
    tip += f" · taken {count:,} (baseline {before:,})"
    if sources > 1:
        tip += f" · one count for all {sources} source states"
    return tip


def _node(policy: CompiledPolicy, name: str, x: float, y: float, pop: Mapping[str, int]) -> str:
    attrs = policy.states.nodes.get(name, {})
    fill = PUBLIC if attrs.get("public") else ("#f3f4f6" if name == START else NODE)
    line = MUTED if name == START else NODE_LINE
    out = [
        f'<g class="node"><title>{esc(name)} {esc(attrs.get("title") or "")}</title>'
        f'<rect x="{x - BOX_W / 2:.1f}" y="{y - BOX_H / 2:.1f}" width="{BOX_W:g}"'
        f' height="{BOX_H:g}" rx="8" fill="{fill}" stroke="{line}" stroke-width="1.5"/>'
    ]
    out.append(text(x, y - 8, esc(name), size=14, text_anchor="middle", font_weight="700"))
    sub = attrs.get("name") or ("not yet known" if name == START else "")
    out.append(text(x, y + 7, esc(sub), size=10, fill=MUTED, text_anchor="middle"))
    if name != START:
        out.append(
            text(
                x,
                y + 21,
                f"{num(pop.get(name, 0))} now",
                size=10,
                fill=INK,
                text_anchor="middle",
                class_="node-count",
            )
        )
    out.append("</g>")
    return "".join(out)


def _key(x: float, y: float) -> str:
    items: Sequence[tuple[str, str, str]] = (
        ("event transition", EVENT, ""),
        ("timer transition", TIMER, ' stroke-dasharray="7 4"'),
        ("never taken", IDLE, ""),
    )
    out = []
    for label, color, dash in items:
        out.append(
            f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 28:.1f}" y2="{y - 4:.1f}"'
            f' stroke="{color}" stroke-width="3"{dash}/>'
        )
        out.append(text(x + 34, y, esc(label), fill=MUTED))
        x += 50 + 6.5 * len(label)
    out.append(text(x + 10, y, "line width ∝ times taken; counts: candidate", fill=MUTED))
    return "".join(out)
