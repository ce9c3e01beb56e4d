"""The HTML report of `rulekit sweep --html`: one self-contained page, no network at all.

A heatmap per objective over the first two varied entries (the first across, the second down;
with more entries each cell shows the best candidate of its two values), then the candidates
ranked in a sortable table. Styles, escaping and the table script are the dry-run report's.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any

from rulekit.report.html_style import CSS, SCRIPT
from rulekit.report.html_tables import table
from rulekit.report.svg import INK, MUTED, esc, open_svg, text
from rulekit.sweep.result import Row, SweepResult
from rulekit.sweep.text import number, value_text

#: the heatmap's scale, from the lowest value to the highest (light to dark blue).
LOW, HIGH = (239, 246, 255), (30, 58, 138)
INVALID = "#d1d5db"
CELL_W, CELL_H, LEFT, TOP = 84, 34, 120, 44

HEATMAPS = (
    ("expected_signings", "Expected signings"),
    ("lapses", "Lapses"),
    ("refused", "Refused events"),
    ("changed", "Customers changed vs baseline"),
)


def write_html(result: SweepResult, path: str) -> None:
    """Write the report to `path` (UTF-8) atomically: a reader never sees half a page."""
    target = os.path.abspath(path)
    fd, temp = tempfile.mkstemp(prefix=".sweep-", suffix=".html", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(render_html(result))
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def render_html(result: SweepResult) -> str:
    """The sweep report as one HTML document."""
    policy = result.baseline["policy"]
    title = f"Sweep · {policy['id']} {policy['version']}"
    maps = [*HEATMAPS, *([("score", f"Score: {result.ranking.text}")] if result.ranking else [])]
    panels = "".join(_panel(f"heat-{name}", label, heatmap(result, name)) for name, label in maps)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}{_STYLE}</style></head><body>",
        _header(result),
        "<main>",
        f'<div class="grid2 row">{panels}</div>',
        _panel("ranked", "Candidates", ranked_table(result), _order(result)),
        "<footer>rulekit sweep · generated offline; click a column head to sort</footer>",
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


_STYLE = """
.heat .cell-text { font-variant-numeric: tabular-nums; }
td.invalid { color: #b91c1c; }
"""


def _order(result: SweepResult) -> str:
    if result.ranking is None:
        return "grid order"
    return f"best first by {result.ranking.text}; ties in grid order"


def _header(result: SweepResult) -> str:
    base = result.baseline
    policy = base["policy"]
    valid = sum(1 for r in result.rows if r.valid)
    return (
        '<header class="top"><div class="inner"><h1>Policy sweep</h1>'
        f'<div class="policies"><b>{esc(policy["id"])}</b> '
        f'<span class="ver">{esc(policy["version"])}</span>'
        f' <span class="ver">· varying {esc(", ".join(result.paths))}</span></div>'
        f'<div class="meta">{base["counts"]["events"]:,} events · as of {esc(result.as_of)}'
        f" · {len(result.rows):,} candidates ({valid:,} valid)</div></div></header>"
    )


def _panel(panel_id: str, title: str, body: str, hint: str = "") -> str:
    extra = f'<span class="hint">{esc(hint)}</span>' if hint else ""
    return f'<section class="panel" id="{panel_id}"><h2>{esc(title)}{extra}</h2>{body}</section>'


def _value(row: Row, name: str) -> float | None:
    if name == "score":
        return row.score
    return row.objectives().get(name)


def cells(result: SweepResult) -> dict[tuple[int, int], Row]:
    """The candidate shown in each heatmap cell, by (index along the first entry, along the
    second): the best ranked of those with the two values (the first in grid order unranked)."""
    columns = _axis_values(result, 0)
    rows = _axis_values(result, 1)
    out: dict[tuple[int, int], Row] = {}
    for row in result.ranked():
        x = columns.index(row.params.get(result.paths[0]))
        y = rows.index(row.params.get(result.paths[1])) if len(result.paths) > 1 else 0
        out.setdefault((x, y), row)
    return out


def _axis_values(result: SweepResult, axis: int) -> list[Any]:
    if axis >= len(result.paths):
        return [None]
    found: list[Any] = []
    for row in result.rows:
        value = row.params.get(result.paths[axis])
        if value not in found:
            found.append(value)
    return found


def colour(share: float) -> str:
    """The heatmap colour of a value at `share` (0..1) of the way from the lowest."""
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(LOW, HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(result: SweepResult, name: str) -> str:
    """One objective's heatmap as an inline SVG."""
    xs, ys = _axis_values(result, 0), _axis_values(result, 1)
    shown = cells(result)
    values = [v for r in shown.values() if (v := _value(r, name)) is not None]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    width = LEFT + CELL_W * len(xs) + 10
    height = TOP + CELL_H * len(ys) + 10
    out = [
        open_svg(f"heatmap-{name}", width, height, f"{name} by {' and '.join(result.paths[:2])}")
    ]
    out.append(text(LEFT, 14, esc(result.paths[0]) + " →", size=12, fill=MUTED))
    if len(result.paths) > 1:
        out.append(text(4, 14, esc(result.paths[1]) + " ↓", size=12, fill=MUTED))
    for i, x in enumerate(xs):
        out.append(_label(LEFT + CELL_W * i + CELL_W / 2, TOP - 8, x, "middle"))
    for j, y in enumerate(ys):
        if y is not None or len(result.paths) > 1:
            out.append(_label(LEFT - 8, TOP + CELL_H * j + CELL_H / 2 + 4, y, "end"))
    out.append('<g class="heat">')
    for (i, j), row in sorted(shown.items()):
        out.append(_cell(result, row, name, LEFT + CELL_W * i, TOP + CELL_H * j, low, high))
    out.append("</g></svg>")
    return "".join(out)


def _label(x: float, y: float, value: Any, anchor: str) -> str:
    return text(x, y, esc(value_text(value)), size=12, fill=INK, text_anchor=anchor)


def _cell(
    result: SweepResult, row: Row, name: str, x: float, y: float, low: float, high: float
) -> str:
    value = _value(row, name)
    where = ", ".join(f"{p}={value_text(row.params.get(p))}" for p in result.paths)
    if value is None:
        fill, label, ink = INVALID, "invalid" if not row.valid else "—", INK
        tip = f"{where}: {label}"
    else:
        share = (value - low) / (high - low) if high > low else 0.5
        fill, label = colour(share), number(value, name)
        ink = "#ffffff" if share > 0.55 else INK
        tip = f"{where}: {name} {label}"
    return (
        f'<rect class="cell" x="{x + 1:.1f}" y="{y + 1:.1f}" width="{CELL_W - 2}" '
        f'height="{CELL_H - 2}" rx="3" fill="{fill}"><title>{esc(tip)}</title></rect>'
        + text(
            x + CELL_W / 2, y + CELL_H / 2 + 4, esc(label), size=12, fill=ink, text_anchor="middle",
            class_="cell-text",
        )
    )  # fmt: skip


def ranked_table(result: SweepResult) -> str:
    """Every candidate, best first (grid order unranked), sortable."""
    heads = ["#rank", *result.paths]
    if result.ranking:
        heads.append("#score")
    heads += ["#expected signings", "#lapses", "#refused", "#changed", "#applied", "#timers"]
    names = ["expected_signings", "lapses", "refused", "changed", "applied", "timers"]
    rows = [_row(result, row, place, names) for place, row in enumerate(result.ranked(), 1)]
    return table(heads, rows, table_id="table-candidates")


def _row(result: SweepResult, row: Row, place: int, names: Sequence[str]) -> str:
    cells_ = [f'<td class="n" data-v="{place}">{place}</td>']
    cells_ += [f"<td>{esc(value_text(row.params.get(p)))}</td>" for p in result.paths]
    if result.ranking:
        cells_.append(_number_cell(row.score, "score"))
    if not row.valid:
        first = row.diagnostics[0] if row.diagnostics else None
        note = f"invalid: {first.code} {first.message}" if first else "invalid"
        cells_.append(f'<td class="invalid" colspan="{len(names)}">{esc(note)}</td>')
        return "".join(cells_)
    values = row.objectives()
    cells_ += [_number_cell(values[name], name) for name in names]
    return "".join(cells_)


def _number_cell(value: float | None, name: str) -> str:
    if value is None:
        return '<td class="muted" data-v="-1e308">—</td>'
    return f'<td class="n" data-v="{value!r}">{esc(number(value, name))}</td>'
