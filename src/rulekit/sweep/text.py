"""The terminal report of a sweep: the baseline's line, then one row per candidate, best first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rulekit.sweep.result import Row, SweepResult

if TYPE_CHECKING:
    from rich.console import Console

#: the objectives shown as columns, with their headers.
COLUMNS = (
    ("expected_signings", "expected signings"),
    ("lapses", "lapses"),
    ("refused", "refused"),
    ("changed", "changed"),
)


def value_text(value: Any) -> str:
    """A varied value as it is spelled in a policy."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def number(value: float | None, name: str = "") -> str:
    """An objective for people: counts with separators, expected signings to 2 decimals."""
    if value is None:
        return "—"
    if name in ("expected_signings", "score") and not float(value).is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def render(result: SweepResult, console: Console) -> None:
    """Print a sweep for people."""
    from rich.markup import escape as esc
    from rich.table import Table

    base = result.baseline
    policy = base["policy"]
    counts = base["counts"]
    console.print(
        f"sweep of {policy['id']} {policy['version']} · {counts['events']:,} events · as of "
        f"{result.as_of} · {len(result.rows)} candidates",
        markup=False,
    )
    ranking = result.ranking
    order = f"ranked by {ranking.text} (best first)" if ranking else "grid order (--rank-by EXPR)"
    table = Table(title=f"candidates, {esc(order)}")
    table.add_column("#", justify="right")
    for path in result.paths:
        table.add_column(esc(path), justify="right", overflow="fold")
    if ranking:
        table.add_column("score", justify="right")
    for _, header in COLUMNS:
        table.add_column(header, justify="right")
    table.add_row(
        "base",
        *("" for _ in result.paths),
        *([""] if ranking else []),
        number(base["expected_signings"], "expected_signings"),
        number(base["lapses"]),
        number(counts["rejected"]),
        "",
        style="dim",
    )
    for place, row in enumerate(result.ranked(), 1):
        table.add_row(*_cells(row, place, result, ranking is not None))
    console.print(table)
    bad = result.invalid
    if bad:
        console.print(
            f"{len(bad)} candidate{'s' if len(bad) != 1 else ''} invalid (see the messages above)",
            style="red",
        )


def _cells(row: Row, place: int, result: SweepResult, ranked: bool) -> list[str]:
    from rich.markup import escape as esc

    cells = [str(place) if row.valid else "—"]
    cells += [esc(value_text(row.params.get(p))) for p in result.paths]
    if ranked:
        cells.append(number(row.score, "score"))
    if not row.valid:
        codes = ", ".join(dict.fromkeys(d.code for d in row.diagnostics))
        return [*cells, f"[red]invalid {esc(codes)}[/]", *("" for _ in COLUMNS[1:])]
    values = row.objectives()
    return [*cells, *(number(values[name], name) for name, _ in COLUMNS)]
