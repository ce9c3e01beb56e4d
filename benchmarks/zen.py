"""The default policy's per-record snapshot logic as a JDM decision for zen-engine (GoRules).

One expression node computes, for one record of text cells: the timers due by as-of (state,
state_since, lapses, timers fired, the next due timer), the stage and `stage_skipped`,
`overdue_days`, `holds_slot`, the record's forecast and the instant used to rank it. Zen parses
the dates itself (`d(...)` reads a date without offset as UTC: the same for every instant, so
whole-day differences equal rulekit's in Asia/Shanghai, which has had no DST since 1991).
Instants come out as epoch milliseconds of that naive local time.

The per-owner ranking and the per-rep sums (slots, expected signings, funnel) are done in
Python by `aggregate` (with handwritten.finish) and are NOT part of zen's timed evaluation
(`evaluate_records`).

Named zen.py for the deliverable; run.py loads it by path as `zen_bench`, since `import zen`
must reach the zen-engine package.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handwritten import finish  # noqa: E402  (the ranking and per-rep sums, shared)

STAGES = ("D", "C", "B", "A", "O")
NEXT_TARGET = {"new": 0, "D": 39, "C": 10, "B": 24, "A": 27}  # the next stage's target days
DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1)


def _chain(by: str, cases: dict[str, str], default: str = "null") -> str:
    """`by == k1 ? v1 : (by == k2 ? v2 : (... : default))`; keys are written as given."""
    out = default
    for key, value in reversed(cases.items()):
        out = f"{by} == {key} ? {value} : ({out})"
    return out


def _date(expr: str) -> str:
    """Epoch milliseconds of a text cell, null if blank."""
    return f'(({expr}) == null or ({expr}) == "" ? null : d({expr}).timestamp())'


def expressions(as_of: str) -> list[tuple[str, str]]:
    """The expression node's (key, expression) pairs; later ones read earlier ones as `$.key`."""
    asof = f'd("{as_of}").timestamp()'
    deliver, lapse = f"30 * {DAY_MS}", f"90 * {DAY_MS}"
    ones = ", ".join(f'{s} == "1"' for s in STAGES)
    states = {f'"{s}"': s for s in ("D", "C", "B", "A")}
    return [
        ("s0", _date("state_since")),
        (
            "toR",
            f'(state == "OD" or state == "O+") and $.s0 != null and $.s0 + {deliver} <= {asof}',
        ),
        ("st1", '$.toR ? "R" : state'),
        ("since1", f"$.toR ? $.s0 + {deliver} : $.s0"),
        ("toE", f'$.st1 == "R" and $.since1 != null and $.since1 + {lapse} <= {asof}'),
        ("state", '$.toE ? "E" : $.st1'),
        ("since", f"$.toE ? $.since1 + {lapse} : $.since1"),
        ("lapses", '(lapses == "" ? 0 : number(lapses)) + ($.toE ? 1 : 0)'),
        ("timers", "($.toR ? 1 : 0) + ($.toE ? 1 : 0)"),
        (
            "dueTo",
            '$.since == null ? null : (($.state == "OD" or $.state == "O+") ? "R" : '
            '($.state == "R" ? "E" : null))',
        ),
        (
            "dueAt",
            f'$.dueTo == "R" ? $.since + {deliver} : ($.dueTo == "E" ? $.since + {lapse} : null)',
        ),
        (
            "stageIndex",
            'D == "1" ? (C == "1" ? (B == "1" ? (A == "1" ? (O == "1" ? 5 : 4) : 3) : 2) : 1) : 0',
        ),
        ("stage", _chain("$.stageIndex", {str(i + 1): f'"{s}"' for i, s in enumerate(STAGES)})),
        ("skipped", f"count([{ones}], #) > $.stageIndex"),
        ("pre", '$.state in ["new", "D", "C", "B", "A"]'),
        ("holdsSlot", '($.pre and owner != "") or pending_owner != ""'),
        (
            "entered",
            f"$.pre ? ({_date(_chain('$.state', {k: f'{v}_at' for k, v in states.items()}))}"
            " ?? $.since) : null",
        ),
        (
            "target",
            _chain("$.state", {'"new"': "0", '"D"': "39", '"C"': "10", '"B"': "24", '"A"': "27"}),
        ),
        (
            "overdue",
            f"$.entered != null ? max([0, floor(({asof} - $.entered) / {DAY_MS}) - $.target])"
            " : null",
        ),
        (
            "forecast",
            _chain(
                "$.state",
                {
                    '"new"': "0.06 / 1.0",
                    '"D"': "0.06 / 1.0",
                    '"C"': "0.06 / 0.38",
                    '"B"': "0.06 / 0.28",
                    '"A"': "0.06 / 0.18",
                },
            ),
        ),
        (
            "stageSince",
            _date(_chain("$.stageIndex", {str(i + 1): f"{s}_at" for i, s in enumerate(STAGES)}))
            + " ?? $.since",
        ),
    ]


def decision_json(as_of: str) -> str:
    """The JDM document: input -> one expression node -> output."""
    node = {
        "id": "snapshot",
        "type": "expressionNode",
        "name": "snapshot",
        "position": {"x": 200, "y": 0},
        "content": {
            "expressions": [
                {"id": str(i), "key": k, "value": v} for i, (k, v) in enumerate(expressions(as_of))
            ],
            "passThrough": False,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        },
    }
    doc = {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "record", "position": {"x": 0, "y": 0}},
            node,
            {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "snapshot", "type": "edge"},
            {"id": "e2", "sourceId": "snapshot", "targetId": "out", "type": "edge"},
        ],
    }
    return json.dumps(doc)


def engine() -> Any:
    """The zen-engine package (`import zen`), not this file, even when run from benchmarks/.

    Raises:
        ImportError: zen-engine is not installed.
    """
    loaded = sys.modules.get("zen")
    if loaded is not None and hasattr(loaded, "ZenEngine"):
        return loaded
    here = os.path.dirname(os.path.abspath(__file__))
    saved_path, saved_module = list(sys.path), sys.modules.pop("zen", None)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        module = importlib.import_module("zen")
    except ImportError:
        if saved_module is not None:
            sys.modules["zen"] = saved_module
        raise
    finally:
        sys.path[:] = saved_path
    if not hasattr(module, "ZenEngine"):
        raise ImportError("`import zen` does not give zen-engine's ZenEngine")
    return module


def decision(as_of: str) -> Any:
    """The compiled zen decision.

    Raises:
        ImportError: zen-engine is not installed.
    """
    return engine().ZenEngine().create_decision(decision_json(as_of))


def evaluate_records(decision: Any, columns: list[str], rows: list[list[str]]) -> list[dict]:
    """Evaluate the decision record by record (what zen's row of the table times)."""
    evaluate = decision.evaluate
    return [evaluate(dict(zip(columns, row, strict=True)))["result"] for row in rows]


def _instant(ms: float | None) -> datetime | None:
    return None if ms is None else EPOCH + timedelta(milliseconds=ms)


def aggregate(
    columns: list[str], rows: list[list[str]], results: list[dict]
) -> tuple[list[list[object]], dict[str, tuple[int, float, dict[str, int], list[str]]], int]:
    """Rank inside each owner's pool and sum per rep, in Python, from zen's per-record results;
    the same shape as handwritten.evaluate's output."""
    col = {name: i for i, name in enumerate(columns)}
    i_cust, i_owner, i_pending = col["customer"], col["owner"], col["pending_owner"]
    used: dict[str, int] = {}
    signings: dict[str, float] = {}
    funnel: dict[str, list[int]] = {}
    pools: dict[str, list[tuple[Any, ...]]] = {}
    customers: list[list[object]] = []
    timers = 0
    for row, r in zip(rows, results, strict=True):
        cid = row[i_cust]
        owner = row[i_owner] or None
        pending = row[i_pending] or None
        stage = int(r["stageIndex"])
        due = (r["dueTo"], _instant(r["dueAt"])) if r.get("dueTo") is not None else None
        overdue = r.get("overdue")
        record: list[object] = [
            cid,
            r["state"],
            r.get("stage"),
            None,
            None if overdue is None else int(overdue),
            ["stage_skipped"] if r["skipped"] else [],
            r["holdsSlot"],
            _instant(r.get("since")),
            int(r["lapses"]),
            due,
        ]
        customers.append(record)
        timers += int(r["timers"])
        pre = r["pre"]
        if owner is not None and pre:
            used[owner] = used.get(owner, 0) + 1
        if pending is not None:
            used[pending] = used.get(pending, 0) + 1
        if owner is not None:
            funnel.setdefault(owner, [0] * 6)[stage] += 1
            if pre:
                signings[owner] = signings.get(owner, 0.0) + r["forecast"]
                since = r.get("stageSince")
                key = (-stage if stage else 1, since is None, since or 0, cid, record)
                pools.setdefault(owner, []).append(key)
    return customers, finish(pools, used, signings, funnel), timers
