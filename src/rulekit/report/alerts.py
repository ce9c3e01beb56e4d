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


def summary(result: Result, owner_shown: Callable[[str], bool] | None, first: int) -> Summary:
    """The alerts whose owner (or group) `owner_shown` keeps (None: all), counted; only the
    first `first` in `ordered`'s order get their messages rendered (a message is most of an
    alert's cost)."""
    stubs = result.alert_stubs()
    owner_of = dict(
        zip(result.customer_column("customer"), result.customer_column("owner"), strict=True)
    )
    owners: list[str | None] = (
        list(map(owner_of.get, stubs.customer))  # every alert a customer's: no Python loop
        if None not in stubs.customer
        else [owner_of.get(c) if c else g for c, g in zip(stubs.customer, stubs.group, strict=True)]
    )
    keep = range(len(stubs))
    if owner_shown is not None:
        keep = [i for i, o in enumerate(owners) if owner_shown(o or "")]  # type: ignore[assignment]
    levels = stubs.level if owner_shown is None else [stubs.level[i] for i in keep]
    rank = {level: level_rank(level) for level in set(levels)}
    groups: dict[tuple[int, str], list[int]] = {}  # by (level, owner): few, against many alerts
    for i, level in zip(keep, levels, strict=True):
        groups.setdefault((rank[level], owners[i] or "\uffff"), []).append(i)
    places: list[tuple[int, str, str, str, int]] = []
    for key in sorted(groups):  # whole groups until `first` are found: the rest come later
        if len(places) >= first:
            break
        places += [(*key, stubs.customer[i] or "", stubs.rule[i], i) for i in groups[key]]
    places.sort()
    cut = min(first, len(places))
    while 0 < cut < len(places) and places[cut][:4] == places[first - 1][:4]:
        cut += 1  # ties on the place are ordered by message, as `ordered` does
    head = [stubs.alert(p[4]) for p in places[:cut]]
    texts = result.alert_messages(head)
    shown = [
        (replace(a, message=m), owners[p[4]]) for a, m, p in zip(head, texts, places, strict=False)
    ]
    return Summary(
        len(levels),
        Counter(levels),
        Counter(stubs.rule if owner_shown is None else [stubs.rule[i] for i in keep]),
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
