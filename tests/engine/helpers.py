"""Small histories written inline: one event per line, `at customer type actor [stage|to]`."""

from __future__ import annotations

from typing import Any

import rulekit

COLUMNS = ("at", "customer", "type", "actor")

#: C1 archived by wang and promoted one stage a day up to a signature on 2026-01-06.
SIGNED = """
2026-01-01 C1 archive wang
2026-01-02 C1 promote wang D
2026-01-03 C1 promote wang C
2026-01-04 C1 promote wang B
2026-01-05 C1 promote wang A
2026-01-06 C1 promote wang O
"""


def events(text: str) -> list[dict[str, Any]]:
    """Parse `2026-01-01T09:00 C1 archive wang` lines (an optional 5th word is stage or to)."""
    out = []
    for line in text.strip().splitlines():
        parts = line.split()
        if not parts:
            continue
        row: dict[str, Any] = dict(zip(COLUMNS, parts[:4], strict=True))
        for extra in parts[4:]:
            if "=" in extra:
                name, _, value = extra.partition("=")
                row[name] = value
            else:
                row["to" if row["type"] == "reassign" else "stage"] = extra
        out.append(row)
    return out


def replay(
    text: str, as_of: str = "2026-12-31", policy: Any = "4321-dcbao@1", **kw: Any
) -> dict[str, Any]:
    """Replay and return the contract document."""
    return rulekit.replay(policy, events(text), as_of=as_of, **kw).document()


def customer(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    """The customer row of `cid`."""
    return next(c for c in doc["customers"] if c["customer"] == cid)


def reasons(doc: dict[str, Any]) -> list[tuple[int, str]]:
    """(row, reason) of every refusal."""
    return [(r["row"], r["reason"]) for r in doc["rejected"]]
