"""The alerts of a columnar `run`, for the text report: counted with polars, a few rendered.

Which alerts fire comes from the rules' `when` conditions compiled for polars over the
evaluated snapshot, as the engine compiles every other condition. A message is rendered by
the row engine itself: the customer's row at as-of (the snapshot columns `--out` writes) is
read into a world of its own, as `run` would read it, and the rule's template rendered there.
A policy this cannot follow exactly — a `when` the polars backend refuses, a message reading
slots or counters (the whole world's) — raises `NotColumnar` from `stubs`: the caller then
evaluates with the row engine.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from rulekit.engine.core.alerts import Stubs
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.rules import Alert
from rulekit.engine.replay.refusals import Refusals
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.result.customer_frame import CustomerFrame
from rulekit.engine.result.result import Result
from rulekit.engine.snapshot import records as snapshot
from rulekit.lang import ast
from rulekit.lang.polars_backend import Unsupported, children
from rulekit.tables import Table

if TYPE_CHECKING:
    from collections.abc import Callable

    from rulekit.lang import Condition

#: functions whose value depends on the whole world (slots held, events counted)
_WORLD_FUNCTIONS = frozenset({"open_leads", "slots_used"})


class NotColumnar(Exception):
    """The snapshot or the policy needs the row engine; `reason` says why."""


class FrameAlerts:
    """The `AlertSource` of a columnar result (see the module's docstring)."""

    def __init__(
        self,
        program: Program,
        people: People,
        as_of: datetime,
        frame: pl.DataFrame,
        compile_when: Callable[[Condition], pl.Expr],
        customers: CustomerFrame,
    ) -> None:
        self.program = program
        self.people = people
        self.as_of = as_of
        self.frame = frame  # the evaluated snapshot, with the columns conditions read
        self.compile_when = compile_when
        self.customers = customers
        self._stubs: Stubs | None = None

    def stubs(self) -> Stubs:
        """Every alert, in the row engine's order (customer, then rule), messages empty."""
        if self._stubs is None:
            rules = [r for r in self.program.rules if r.alert is not None and r.when is not None]
            world = _WORLD_FUNCTIONS | set(self.program.policy.model.counters)
            for rule in rules:
                parts = rule.message.parts if rule.message is not None else ()
                if any(calls(p.node) & world for p in parts if not isinstance(p, str)):
                    raise NotColumnar(f"rule `{rule.name}`'s message reads the whole world")
            try:
                hits = [
                    self.frame.filter(self.compile_when(r.when)).select(  # type: ignore[arg-type]
                        "customer", _rule=pl.lit(i, dtype=pl.Int32)
                    )
                    for i, r in enumerate(rules)
                ]
            except Unsupported as exc:
                raise NotColumnar(exc.reason) from None
            found = pl.concat(hits).sort("customer", "_rule") if hits else None
            out = Stubs()
            if found is not None and found.height:
                index = found.get_column("_rule").to_list()
                out.customer = found.get_column("customer").to_list()
                out.rule = [rules[i].name for i in index]
                out.level = [rules[i].alert or "" for i in index]
                out.group = [None] * found.height
                out.message = [""] * found.height
            self._stubs = out
        return self._stubs

    def messages(self, found: list[Alert]) -> list[str]:
        """The messages of some of `stubs`, rendered by the row engine for their customers."""
        from rulekit.engine.core.alerts import message

        if not found:
            return []
        customers = self._read({a.customer for a in found if a.customer is not None})
        rules = {r.name: r for r in self.program.rules}
        return [
            message(self.program, rules[a.rule], customers[a.customer], self.as_of)
            if a.customer is not None
            else a.message
            for a in found
        ]

    def _read(self, ids: set[str]) -> dict[str, Any]:
        """These customers at as-of, as the row engine reads their snapshot rows."""
        some = self.customers.frame.filter(pl.col("customer").is_in(sorted(ids)))
        part = CustomerFrame(some, self.customers.codes, self.customers.fields, self.customers.tz)
        view = Result(
            "run", "", "", self.as_of, self.customers.tz, [], Refusals([]), 0, 0, 0, frame=part
        )
        columns, rows = view.customer_table()
        cells = [
            [
                view.iso(v) if isinstance(v, datetime) else (int(v) if isinstance(v, bool) else v)
                for v in row
            ]
            for row in rows
        ]
        table = Table("<snapshot>", None, columns, cells, None, lines=list(range(2, len(rows) + 2)))
        replayer = Replayer(self.program, self.people)
        problems = snapshot.read_records(table, self.program, replayer)
        assert not problems, problems
        return snapshot.evaluate(replayer, self.as_of).customers


def calls(node: Any) -> set[str]:
    """The names of the functions a condition tree calls."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call):
            found.add(item.func)
        stack.extend(children(item))
    return found
