"""The inline stylesheet and the table-sorting script of the HTML reports (no external assets)."""

from __future__ import annotations

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f6f7f9; color: #1f2937; line-height: 1.45;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
}
main { max-width: 1280px; margin: 0 auto; padding: 24px 24px 48px; }
header.top { background: #0f172a; color: #f8fafc; padding: 22px 0 20px; }
header.top .inner { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header.top h1 { margin: 0 0 6px; font-size: 22px; font-weight: 650; letter-spacing: .01em; }
header.top .policies { font-size: 16px; }
header.top .policies b { font-weight: 650; }
header.top .arrow { color: #93c5fd; padding: 0 10px; }
header.top .meta { color: #cbd5e1; margin-top: 6px; }
header.top .ver { color: #a8b3c4; }
header.top .side { color: #93c5fd; font-size: 12px; text-transform: uppercase;
  letter-spacing: .05em; margin-right: 4px; }
.cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin: 0 0 20px; }
.card {
  background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 10px 14px;
}
.card .k { color: #6b7280; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v {
  white-space: nowrap; font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums;
}
.card .v small { font-size: 13px; color: #6b7280; font-weight: 500; }
section.panel {
  background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 18px;
  margin: 0 0 20px; overflow-x: auto;
}
section.panel h2 { margin: 0 0 10px; font-size: 16px; font-weight: 650; }
section.panel h2 .hint { color: #6b7280; font-weight: 400; font-size: 13px; margin-left: 8px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.grid2 > section.panel { margin: 0; }
.row { margin-bottom: 20px; }
svg.chart { display: block; max-width: 100%; height: auto; }
ul.diff { list-style: none; margin: 0; padding: 0; }
ul.diff li {
  display: flex; gap: 12px; align-items: baseline; padding: 5px 0;
  border-bottom: 1px solid #f1f5f9;
}
ul.diff li:last-child { border-bottom: 0; }
ul.diff code {
  font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC",
    monospace;
  flex: 1;
}
ul.diff .where { color: #6b7280; font-size: 12px; white-space: nowrap; }
.badge {
  display: inline-block; min-width: 66px; text-align: center; font-size: 11px;
  font-weight: 650; border-radius: 999px; padding: 1px 8px; text-transform: uppercase;
}
.badge.added { background: #dcfce7; color: #166534; }
.badge.removed { background: #fee2e2; color: #991b1b; }
.badge.changed { background: #dbeafe; color: #1e40af; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #f1f5f9; text-align: left; }
th {
  font-size: 12px; color: #6b7280; font-weight: 600; background: #f8fafc;
  position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap;
}
th[data-dir="asc"]::after { content: " ▲"; }
th[data-dir="desc"]::after { content: " ▼"; }
td.n, th.n { text-align: right; }
tr:hover td { background: #f8fafc; }
.pos { color: #15803d; }
.neg { color: #b91c1c; }
.muted { color: #6b7280; }
.strong { font-weight: 650; }
tfoot td { border-top: 1px solid #e5e7eb; border-bottom: 0; }
.full { color: #b91c1c; font-weight: 600; }
.note { color: #6b7280; font-size: 13px; margin: 8px 0 0; }
.scroll { max-height: 560px; overflow: auto; border: 1px solid #f1f5f9; border-radius: 6px; }
footer { color: #9ca3af; font-size: 12px; text-align: center; margin-top: 8px; }
a.download { font-size: 13px; margin-left: 10px; font-weight: 500; }
@media screen {
  /* the flow diagram keeps its size (the panel scrolls) rather than shrink its labels */
  #flow svg.chart { min-width: 1100px; }
}
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  header.top { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .cards { grid-template-columns: repeat(3, 1fr); }
  .card, #states, #refusals, #slots, #flow, ul.diff li, tr, svg.chart {
    break-inside: avoid; page-break-inside: avoid;
  }
  section.panel { overflow: visible; border-color: #d1d5db; }
  .scroll { max-height: none; overflow: visible; border: 0; }
  .grid2 { gap: 12px; }
  th { position: static; cursor: auto; }
  th[data-dir]::after { content: ""; }
  tr:hover td { background: transparent; }
  a.download, footer .screen { display: none; }
}
"""

#: click a column head to sort by it; numeric cells carry their value in data-v.
SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.dataset.dir !== "asc";
    table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = asc ? "asc" : "desc";
    function key(row) {
      var cell = row.cells[col];
      return cell.dataset.v !== undefined ? parseFloat(cell.dataset.v) : cell.textContent;
    }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""
