"""Histories in and out of the ledger: `ledger import` and `ledger export`.

An export is an event history (the columns of docs/formats.md: at, customer, type, actor, stage, to,
then the event fields) of every event of the log, applied or refused, in commit order, with
instants in the policy's timezone: `rulekit replay POLICY export.csv --as-of T` gives the
customers and reps the service shows at T.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from rulekit.serve import tables as t
from rulekit.serve.engine_bridge import CORE, people_rows, read_table
from rulekit.serve.ledger import Ledger
from rulekit.serve.records import LedgerError, Posted, cells_of, from_utc


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import wrote."""

    events: int
    applied: int
    refused: int
    last_seq: int


def cell_text(value: Any) -> str | None:
    """A table cell as the text the ledger keeps (dates as ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def import_history(ledger: Ledger, path: str, sheet: str | None = None) -> Imported:
    """Append a history file's events to the ledger (in time order, after its last entry).

    Raises:
        LedgerError: malformed rows (every one listed, nothing written) or out of order.
    """
    table = read_table(path, sheet=sheet)
    if table.problems:
        raise LedgerError(
            "; ".join(f"{p.location(path)}: {p.message}" for p in table.problems[:20]),
            "fix the rows; nothing was imported",
            code="bad_rows",
        )
    live = ledger.engine()
    rows = [
        {name: cell_text(v) for name, v in zip(table.columns, row, strict=True)}
        for row in table.rows
    ]
    parsed = live.parse(rows, path)
    if parsed.problems:
        raise LedgerError(
            "\n".join(parsed.problems),
            f"{len(parsed.problems)} problem(s); fix the rows, nothing was imported",
            code="bad_rows",
        )
    order = sorted(range(len(rows)), key=lambda i: parsed.events[i].at)  # stable: file order
    posted = []
    for i in order:
        event = parsed.events[i]
        at = event.at.replace(microsecond=0)
        cells = {k: v for k, v in rows[i].items() if k != "at"}
        posted.append(Posted(cells, event, at))
    outcomes = ledger.post(posted) if posted else []
    applied = sum(o.applied for o in outcomes)
    return Imported(len(outcomes), applied, len(outcomes) - applied, ledger.seq)


def export_rows(ledger: Ledger) -> tuple[list[str], list[list[str]]]:
    """The log's events as a history table (header, rows)."""
    live = ledger.engine()
    with ledger.db.connect() as conn:
        conn = conn.execution_options(reading=True)
        rows = list(conn.execute(select(t.log).where(t.log.c.kind == "event").order_by("seq")))
    cells = [cells_of(r) for r in rows]
    extra = sorted({k for c in cells for k in c} - set(CORE))
    columns = [*CORE, *extra]
    out = []
    for c in cells:
        at = c["at"]
        assert at is not None
        c["at"] = live.iso(from_utc(at))
        out.append([c.get(name) or "" for name in columns])
    return columns, out


def write_csv(path: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Write a CSV table atomically to `path` (a temp file renamed), or return its text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    if path is None:
        return text
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".rulekit-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return text


def export_people(ledger: Ledger) -> tuple[list[str], list[list[str]]]:
    """The people the service runs with (its people file and its admin tokens)."""
    return ["id", "name", "team", "role"], people_rows(ledger.people)


def status(ledger: Ledger) -> dict[str, Any]:
    """What the ledger holds: policy versions, entries, customers, reps, last instant."""
    with ledger.db.connect() as conn:
        conn = conn.execution_options(reading=True)
        versions = ledger.deployed(conn)
        counts = {
            kind: n
            for kind, n in conn.execute(
                select(t.log.c.kind, func.count()).group_by(t.log.c.kind)
            ).all()
        }
        refused = conn.execute(
            select(func.count()).where(t.log.c.kind == "event", t.log.c.applied.is_(False))
        ).scalar()
        last = conn.execute(select(t.log.c.seq, t.log.c.at).order_by(t.log.c.seq.desc())).first()
        customers = conn.execute(select(func.count()).select_from(t.customers)).scalar()
        reps = conn.execute(select(func.count()).select_from(t.reps)).scalar()
    return {
        "policies": [
            {
                "number": v.number,
                "id": v.policy_id,
                "version": v.version,
                "from_seq": v.from_seq,
                "deployed_at": v.deployed_at,
            }
            for v in versions
        ],
        "seq": last.seq if last else 0,
        "last_at": last.at if last else None,
        "entries": {k: counts.get(k, 0) for k in ("event", "timer", "rule")},
        "refused": refused or 0,
        "customers": customers or 0,
        "reps": reps or 0,
    }
