"""HTML tables of the dry-run report: states, refusals, transitions, slots, changed customers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulekit.report.svg import esc, num

if TYPE_CHECKING:
    from rulekit.analysis.dryrun import Change

#: changed customers listed in full up to this many.
MAX_CHANGED = 2000


@dataclass(frozen=True, slots=True)
class SlotRow:
    """One rep's slots under both policies (limit None: no limit; used 0 if not a rep there)."""

    rep: str
    used_a: int
    limit_a: int | None
    used_b: int
    limit_b: int | None


def cell(value: object, *, css: str = "") -> str:
    """A table cell: numbers right-aligned with their value in data-v, text escaped."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="{f"n {css}".strip()}" data-v="{value}">{num(value)}</td>'
    if value is None:
        return '<td class="muted">—</td>'
    klass = f' class="{css}"' if css else ""
    return f"<td{klass}>{esc(value)}</td>"


def delta(a: int, b: int) -> str:
    """The change from a to b, signed and coloured."""
    d = b - a
    if d == 0:
        return '<td class="n muted" data-v="0">0</td>'
    css = "pos" if d > 0 else "neg"
    sign = "+" if d > 0 else "−"
    return f'<td class="n {css}" data-v="{d}">{sign}{num(abs(d))}</td>'


def table(heads: Sequence[str], rows: Sequence[str], *, table_id: str, foot: str = "") -> str:
    """A sortable table; heads starting with `#` are numeric columns; `foot` is not sorted."""
    th = "".join(
        f'<th class="n">{esc(h[1:])}</th>' if h.startswith("#") else f"<th>{esc(h)}</th>"
        for h in heads
    )
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return (
        f'<table id="{esc(table_id)}" class="sortable"><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody>{f'<tfoot><tr>{foot}</tr></tfoot>' if foot else ''}</table>"
    )


def compare_table(
    table_id: str,
    head: str,
    keys: Sequence[str],
    a: Sequence[int],
    b: Sequence[int],
    *,
    names: Sequence[str] | None = None,
) -> str:
    """key | (name) | baseline | candidate | change."""
    heads = [head, *(["name"] if names is not None else []), "#baseline", "#candidate", "#change"]
    rows = []
    for i, key in enumerate(keys):
        extra = cell(names[i] or None) if names is not None else ""
        rows.append(cell(key) + extra + cell(a[i]) + cell(b[i]) + delta(a[i], b[i]))
    foot = (
        '<td class="muted">total</td>'
        + ("<td></td>" if names is not None else "")
        + cell(sum(a), css="muted")
        + cell(sum(b), css="muted")
        + delta(sum(a), sum(b))
    )
    return table(heads, rows, table_id=table_id, foot=foot)


def _used(used: int, limit: int | None) -> str:
    if limit is None:
        return cell(used)
    css = "full" if used >= limit else ""
    return cell(used, css=css) + cell(limit, css="muted")


def slots_table(rows: Sequence[SlotRow]) -> str:
    """rep | baseline used, limit | candidate used, limit | change in slots used."""
    heads = ["rep", "#baseline used", "#limit", "#candidate used", "#limit", "#change"]
    out = []
    for r in rows:
        a = _used(r.used_a, r.limit_a) if r.limit_a is not None else cell(r.used_a) + cell(None)
        b = _used(r.used_b, r.limit_b) if r.limit_b is not None else cell(r.used_b) + cell(None)
        out.append(cell(r.rep) + a + b + delta(r.used_a, r.used_b))
    return table(heads, out, table_id="table-slots")


def _moved(before: str | None, after: str | None) -> str:
    if after is None:
        return "muted"
    return "strong" if after != before else ""


def changed_table(
    changed: Sequence[Change], name: Callable[[str | None], str | None] = lambda pid: pid
) -> str:
    """The customers that end differently (the first MAX_CHANGED), with a note if cut;
    owners shown by `name` (the people file's name and id)."""
    heads = ["customer", "baseline state", "baseline owner", "candidate state", "candidate owner"]
    rows = []
    for c in changed[:MAX_CHANGED]:
        (sa, oa), (sb, ob) = c.baseline, c.candidate
        rows.append(
            cell(c.customer)
            + cell(sa if sa is not None else "unknown", css="muted" if sa is None else "")
            + cell(name(oa) if oa else oa)
            + cell(sb if sb is not None else "unknown", css=_moved(sa, sb))
            + cell(name(ob) if ob else ob)
        )
    out = '<div class="scroll">' + table(heads, rows, table_id="table-changed") + "</div>"
    if len(changed) > MAX_CHANGED:
        out += (
            f'<p class="note" id="changed-note">Showing the first {num(MAX_CHANGED)} of'
            f" {num(len(changed))} changed customers; <code>rulekit dry-run --format json</code>"
            " lists them all.</p>"
        )
    elif not changed:
        out = '<p class="note">No customer ends differently.</p>'
    return out


def metrics_table(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The declared metrics at as-of under both policies: one row per metric and group."""
    rows = []
    for name in dict.fromkeys([*a, *b]):
        va: dict[str, Any] = a.get(name, {}).get("values", {})
        vb: dict[str, Any] = b.get(name, {}).get("values", {})
        for group in sorted({*va, *vb}):
            rows.append(
                cell(name)
                + cell(group)
                + cell(_metric(va.get(group)))
                + cell(_metric(vb.get(group)))
            )
    return table(["metric", "group", "baseline", "candidate"], rows, table_id="table-metrics")


def _metric(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value
