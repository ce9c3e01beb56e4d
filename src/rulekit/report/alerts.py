"""A result's alerts in the order that matters (critical first, then by rep), and the table
of alerts and refused events that `--out alerts.xlsx|csv` writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rulekit.report.labels import Labels, level_rank

if TYPE_CHECKING:
    from rulekit.engine.core.rules import Alert
    from rulekit.engine.result.result import Result


def owners(result: Result) -> dict[str, str | None]:
    """Each customer's owner."""
    return {c.customer: c.owner for c in result.customers}


def ordered(result: Result) -> list[tuple[Alert, str | None]]:
    """(alert, the customer's owner), by level (critical first), owner, customer, rule."""
    owner = owners(result)
    pairs = [(a, owner.get(a.customer) if a.customer else a.group) for a in result.alerts]
    return sorted(pairs, key=_order)


@dataclass(slots=True)
class Summary:
    """The alerts a text report counts: how many, by level and by rule, and the first few in
    `ordered`'s order with their messages."""

    total: int
    levels: Counter[str]
    rules: Counter[str]
    first: list[tuple[Alert, str | None]]


def summary(result: Result, owner_shown: Callable[[str], bool], first: int) -> Summary:
    """The alerts whose owner (or group) `owner_shown` keeps, counted; only the first `first`
    in `ordered`'s order get their messages rendered (a message is most of an alert's cost)."""
    owner = owners(result)
    pairs = [(a, owner.get(a.customer) if a.customer else a.group) for a in result.alert_stubs()]
    pairs = sorted((p for p in pairs if owner_shown(p[1] or "")), key=_place)
    cut = min(first, len(pairs))
    while 0 < cut < len(pairs) and _place(pairs[cut]) == _place(pairs[first - 1]):
        cut += 1  # ties on the place are ordered by message, as `ordered` does
    shown = [(replace(a, message=result.alert_message(a)), o) for a, o in pairs[:cut]]
    return Summary(
        len(pairs),
        Counter(a.level for a, _ in pairs),
        Counter(a.rule for a, _ in pairs),
        sorted(shown, key=_order)[:first],
    )


def _place(pair: tuple[Alert, str | None]) -> tuple[int, str, str, str]:
    alert, owner = pair
    return (level_rank(alert.level), owner or "\uffff", alert.customer or "", alert.rule)


def _order(pair: tuple[Alert, str | None]) -> tuple[int, str, str, str, str]:
    return (*_place(pair), pair[0].message)


def wants_alerts(path: str) -> bool:
    """True for an --out file named for alerts (`alerts.xlsx`, `acme-alerts.csv`)."""
    from pathlib import Path

    return Path(path).stem.lower().endswith("alerts")


COLUMNS = ["kind", "level", "rule_or_reason", "customer", "owner", "at", "row", "message"]


def table(result: Result, labels: Labels) -> tuple[list[str], list[list[Any]]]:
    """One row per alert (in `ordered`'s order), then one per refused event (in file order):
    what it is, its level or reason, the customer and its owner (named), when, the row of
    the history, the message."""
    rows: list[list[Any]] = []
    for alert, owner in ordered(result):
        rows.append(
            [
                "alert",
                alert.level,
                alert.rule,
                alert.customer,
                labels.person(owner) if owner else None,
                _iso(result, result.as_of),
                None,
                alert.message,
            ]
        )
    owner_of = owners(result)
    for r in result.rejected:
        owner = owner_of.get(r.customer) if r.customer else None
        rows.append(
            [
                "refused",
                None,
                r.reason,
                r.customer,
                labels.person(owner) if owner else None,
                _iso(result, r.at),
                r.row,
                labels.reason(r.reason) + (f": {r.detail}" if r.detail else ""),
            ]
        )
    return COLUMNS, rows


def _iso(result: Result, value: datetime | None) -> str | None:
    return result.iso(value)


def write(result: Result, path: str, labels: Labels, *, raw_cells: bool = False) -> tuple[int, int]:
    """Write the alerts and refused events to `path`; return (alerts, refused)."""
    from rulekit.tables import write_table

    columns, rows = table(result, labels)
    write_table(path, columns, rows, raw_cells=raw_cells)
    return len(result.alerts), len(result.rejected)
