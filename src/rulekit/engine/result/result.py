"""The result of `replay` or `run`: customers, reps, rejected rows and counts.

`document()` is the JSON document of docs/formats.md; `customers_frame()` and friends give the
same tables as polars DataFrames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from rulekit.engine.core import collector, metrics
from rulekit.engine.core.alerts import AlertSource, Stubs, alerts, firing, message
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Env
from rulekit.engine.core.rules import Alert
from rulekit.engine.replay.refusals import Refusals
from rulekit.engine.replay.world import World
from rulekit.engine.result.chunked import Chunked
from rulekit.engine.result.customer_frame import CustomerFrame, numbers
from rulekit.engine.result.customer_states import CustomerStates, fields_object
from rulekit.engine.result.rows import CustomerRow, RepRow, plain_number, run_rep
from rulekit.engine.snapshot.records import funnel, measure, ranks
from rulekit.lang.runtime import truth
from rulekit.timeutil import format_instant, format_instants

if TYPE_CHECKING:
    import polars as pl

_FIRST = itemgetter(0)
NO_STAGE = "new"  # the funnel's label for customers with no stage (docs/formats.md)


@dataclass(slots=True)
class Result:
    """What a replay or a snapshot evaluation found."""

    mode: str  # "replay" or "run"
    policy_id: str
    policy_version: str
    as_of: datetime
    tz: tzinfo
    reps: list[RepRow]
    rejected: Refusals
    events: int
    applied: int
    timers: int
    world: World | None = None  # the row engine's state at as-of (None: columnar)
    rows: list[CustomerRow] | None = None  # the customers, or None until made on first use
    frame: CustomerFrame | None = None  # the columnar engine's customers
    _alerts: list[Alert] | None = None
    states: CustomerStates | None = None  # the row engine's customers
    _streaks: list[Alert] | None = None
    program: Program | None = None  # the columnar engine's (the row engine's is world's)
    people: People | None = None
    alert_source: AlertSource | None = None  # the alerts counted with polars, for the text

    @property
    def customers(self) -> list[CustomerRow]:
        """Every customer at as-of, in customer order (made from the states or the frame on
        first use)."""
        if self.rows is None:
            source = self.states if self.states is not None else self.frame
            assert source is not None, "a result has rows, states or a frame"
            with collector.paused():
                self.rows = source.rows()
        return self.rows

    def customer_column(self, name: str) -> list[Any]:
        """One attribute of every customer in customer order (customer, state, owner,
        pending_owner, state_since, lapses, renewals, holds_slot, and in `run` priority,
        overdue_days and due), without making the rows (a dry-run or a sweep compares and
        counts them; the text report reads its columns)."""
        if self.rows is not None:
            return [getattr(c, name) for c in self.rows]
        if self.states is not None:
            return self.states.column(name)
        assert self.frame is not None, "a result has rows, states or a frame"
        if name in ("lapses", "renewals"):
            return numbers(self.frame.series(name))
        if name == "due":
            to, at = self.frame.column("due_to"), self.frame.column("due_at")
            return [(t, a) if a is not None else None for t, a in zip(to, at, strict=True)]
        return self.frame.column(name)

    @property
    def customer_count(self) -> int:
        if self.rows is not None:
            return len(self.rows)
        return len(self.states if self.states is not None else self.frame or ())

    @property
    def alerts(self) -> list[Alert]:
        """The rules' alerts at as-of, computed on first use (most runs never ask)."""
        if self._alerts is None:
            program, world = self._row_world("alerts")
            found = alerts(program, program.rules, world.customers, self.as_of)
            self._alerts = found + self._streak_alerts()
        return self._alerts

    def alert_stubs(self) -> Stubs:
        """The alerts of `alerts`, in its order, as columns, the customers' messages not
        rendered: quick to count; `alert_messages` renders some."""
        if self._alerts is not None:
            return Stubs().extend(self._alerts)
        if self.alert_source is not None:
            found = self.alert_source.stubs()
            return found if self.world is None else found.extend(self._streak_alerts())
        program, world = self._row_world("alerts")
        found = firing(program, program.rules, world.customers, self.as_of)
        return found.extend(self._streak_alerts())

    def alert_messages(self, found: list[Alert]) -> list[str]:
        """The messages of some of `alert_stubs`, as `alerts` has them."""
        if self.world is None and self.alert_source is not None:
            return self.alert_source.messages(found)
        program, world = self._row_world("alerts")
        rules = {r.name: r for r in program.rules}
        return [
            a.message
            if a.customer is None or a.message
            else message(program, rules[a.rule], world.customers[a.customer], self.as_of)
            for a in found
        ]

    def _row_world(self, what: str) -> tuple[Program, World]:
        world = self.world
        if world is None:
            raise RuntimeError(
                f"{what} need the row engine: evaluate with engine='row' to read them"
            )
        return world.program, world

    def _streak_alerts(self) -> list[Alert]:
        """The streak rules' alerts (a snapshot checks its streaks once, here)."""
        if self._streaks is None:
            program, world = self._row_world("alerts")
            watching = metrics.streak_rules(program.rules)
            if watching and self.mode == "run":  # a snapshot: its one check is at as-of
                for rule in watching:
                    metric = metrics.named(program, rule)
                    values = metrics.compute(
                        program, metric, world.customers.values(), self.as_of, world.people
                    )
                    world.streaks.check(rule, values)
            self._streaks = metrics.streak_alerts(watching, world.streaks) if watching else []
        return self._streaks

    def metrics(self) -> dict[str, Any]:
        """Each declared metric at as-of: `{name: {per, values: {group: value}}}`."""
        world = self.world
        if world is None:
            raise RuntimeError("metrics need the row engine")
        program = world.program
        out: dict[str, Any] = {}
        for metric in metrics.build(program):
            values = metrics.compute(
                program, metric, world.customers.values(), self.as_of, world.people
            )
            out[metric.name] = {"per": metric.per, "values": values}
        return out

    def counts_line(self) -> str:
        """One line: events read, applied, refused, timers fired."""
        return (
            f"events {self.events:,} · applied {self.applied:,} · refused {len(self.rejected):,}"
            f" · timers fired {self.timers:,} · customers {self.customer_count:,}"
            f" · reps {len(self.reps):,}"
        )

    def iso(self, value: datetime | None) -> str | None:
        """An instant as ISO 8601 with offset in the policy's timezone."""
        return format_instant(value, self.tz) if value is not None else None

    def document(self, fields: bool = False, lazy: bool = False) -> dict[str, Any]:
        """The JSON document of docs/formats.md; with `fields`, each customer also carries its
        policy fields as an object `fields` (instants in ISO 8601, lists as lists).

        With `lazy`, the customers and the refused rows of a replay are `Chunked` sequences
        whose objects are made a slice at a time, for a writer that encodes them in chunks
        (`report.json_doc`): the document never holds them all at once."""
        run = self.mode == "run"
        named = self.world is not None and bool(self.world.quotas)
        with collector.paused():  # a million small dicts: nothing for the collector to find
            customers = self._customer_documents(run, fields, lazy)
            rejected: Sequence[dict[str, Any]] = (
                Chunked(len(self.rejected), partial(self._rejected_documents, named=named))
                if lazy
                else self._rejected_documents(0, len(self.rejected), named)
            )
        reps = []
        for r in self.reps:
            rep: dict[str, Any] = {
                "rep": r.rep,
                "slots_used": r.slots_used,
                "slot_limit": r.slot_limit,
            }
            if run:
                rep["expected_signings"] = r.expected_signings
                rep["funnel"] = r.funnel
                rep["violations"] = r.violations
            if named:
                rep["quotas"] = r.quotas
            reps.append(rep)
        doc = {
            "policy": {"id": self.policy_id, "version": self.policy_version},
            "as_of": self.iso(self.as_of),
            "customers": customers,
            "reps": reps,
            "rejected": rejected,
            "counts": {
                "events": self.events,
                "applied": self.applied,
                "rejected": len(self.rejected),
                "timers": self.timers,
            },
        }
        if self.world is not None and self.world.program.policy.model.metrics:
            doc["metrics"] = self.metrics()
        return doc

    def _customer_documents(self, run: bool, fields: bool, lazy: bool) -> Sequence[dict[str, Any]]:
        states, frame = self.states, self.frame
        make: Callable[[int, int], list[dict[str, Any]]]
        if states is not None:
            make = partial(states.documents, fields=fields)
        else:
            assert frame is not None, "a result's document reads its states or its frame"
            make = partial(self._frame_documents, frame, run, fields)
        n = self.customer_count
        return Chunked(n, make) if lazy else make(0, n)

    def _frame_documents(
        self, frame: CustomerFrame, run: bool, fields: bool, start: int, stop: int
    ) -> list[dict[str, Any]]:
        out = frame.documents(run, start, stop)
        if fields:  # the rows are in customer order too
            for row, c in zip(out, self.customers[start:stop], strict=True):
                row["fields"] = fields_object(c.fields, self.tz)
        return out

    def _rejected_documents(self, start: int, stop: int, named: bool) -> list[dict[str, Any]]:
        """The document's objects of refused rows `start` to `stop`."""
        part = self.rejected.rows[start:stop]  # (row, at, customer, type, actor, reason, ...)
        at = format_instants([x[1] for x in part], self.tz)
        if named:
            return [
                {"row": row, "at": a, "customer": customer, "type": kind, "actor": actor,
                 "reason": reason, "quota": quota}
                for (row, _, customer, kind, actor, reason, _, quota), a
                in zip(part, at, strict=True)
            ]  # fmt: skip
        return [
            {"row": row, "at": a, "customer": customer, "type": kind, "actor": actor,
             "reason": reason}
            for (row, _, customer, kind, actor, reason, _, _), a in zip(part, at, strict=True)
        ]  # fmt: skip

    def customer_table(self) -> tuple[list[str], list[list[Any]]]:
        """The customers as a records table (the snapshot columns of docs/formats.md first), so
        that a replay's `--out` file is a snapshot `run` can read; instants in the policy's
        zone."""
        if not self.customers:
            return [], []
        first = self.customers[0]
        codes = list(first.flags)
        extra = sorted({k for c in self.customers for k in c.fields} - {"lapses", "renewals"})
        columns = ["customer", "owner", "state", *codes, *(f"{c}_at" for c in codes)]
        columns += ["state_since", "lapses", "renewals", "pending_owner", *extra]
        columns += ["stage", "holds_slot"]
        run = self.mode == "run"
        if run:
            columns += ["priority", "overdue_days", "due_to", "due_at", "violations"]
        rows = []
        for c in self.customers:
            row: list[Any] = [c.customer, c.owner, c.state, *c.flags.values()]
            row += [self._local(c.dates[code]) for code in codes]
            row += [self._local(c.state_since), c.lapses, c.renewals, c.pending_owner]
            row += [_cell(c.fields.get(k), self) for k in extra]
            row += [c.stage, c.holds_slot]
            if run:
                row += [
                    c.priority,
                    c.overdue_days,
                    c.due[0] if c.due else None,
                    self._local(c.due[1]) if c.due else None,
                    ",".join(c.violations),
                ]
            rows.append(row)
        return columns, rows

    def _local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    def customers_frame(self) -> pl.DataFrame:
        """The customers as a polars DataFrame (the columns of `customer_table`)."""
        import polars as pl

        columns, rows = self.customer_table()
        return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)

    def reps_frame(self) -> pl.DataFrame:
        """The reps as a polars DataFrame."""
        import polars as pl

        return pl.DataFrame(
            [
                {
                    "rep": r.rep,
                    "slots_used": r.slots_used,
                    "slot_limit": r.slot_limit,
                    "expected_signings": r.expected_signings,
                    **{f"funnel_{k}": v for k, v in r.funnel.items()},
                }
                for r in self.reps
            ],
            infer_schema_length=None,
        )

    def rejected_frame(self) -> pl.DataFrame:
        """The refused and malformed rows as a polars DataFrame."""
        import polars as pl

        return pl.DataFrame(
            [
                {
                    "row": x.row,
                    "at": x.at,
                    "customer": x.customer,
                    "type": x.type,
                    "actor": x.actor,
                    "reason": x.reason,
                    "detail": x.detail,
                }
                for x in self.rejected
            ],
            schema={
                "row": pl.Int64,
                "at": pl.Datetime(time_zone="UTC"),
                "customer": pl.String,
                "type": pl.String,
                "actor": pl.String,
                "reason": pl.String,
                "detail": pl.String,
            },
        )


def _cell(value: Any, result: Result) -> Any:
    """A field's value for a table cell: instants in the policy's zone, other values as text."""
    if isinstance(value, datetime):
        return value.astimezone(result.tz)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def build(program: Program, world: World, as_of: datetime, mode: str, events: int) -> Result:
    """Turn a World at `as_of` into a Result (its customers kept as `CustomerStates`)."""
    run = mode == "run"
    rank = ranks(program, world, as_of) if run else {}
    defaults = program.field_defaults
    lapses, renewals = defaults.get("lapses", 0), defaults.get("renewals", 0)
    states = CustomerStates([], [s.code for s in program.stages], program.tz, run)
    shapes, shape, held, entries = states.shapes, states.flags, world.ledger.held, states.entries
    found = world.customers
    # a replay's customers in the order the world made them (near one another in memory:
    # twice as fast as in customer order at 100k customers), then sorted once; `run`
    # evaluates its measures in customer order
    for cid, c in sorted(found.items(), key=_FIRST) if run else found.items():
        f = c.fields
        flags = shapes.get(tuple(c.flags)) or shape(c.flags)
        n, m = f.get("lapses", lapses), f.get("renewals", renewals)
        if n.__class__ is not int or m.__class__ is not int:  # the common case: no call
            n, m = plain_number(n), plain_number(m)
        entry: tuple[Any, ...] = (
            cid, c.state, c.owner, c.pending_owner, flags, c.dates, c.state_since, n, m,
            bool(held.get(cid)), f,
        )  # fmt: skip
        if run:
            overdue = measure(program.overdue, Env(program, c, as_of))
            due = world.timers.due(c)
            entry += (
                rank.get(cid),
                max(0, int(overdue)) if isinstance(overdue, int | float) else None,
                (due[0].target or c.state, due[1]) if due is not None else None,
            )
        entries.append(entry)
    if not run:
        entries.sort(key=_FIRST)  # ids are unique: the order of `sorted(found)`
    reps = _reps(program, world, as_of, run)
    return Result(
        mode,
        program.policy.id,
        program.policy.version,
        as_of,
        program.tz,
        reps,
        Refusals(world.rejected),
        events,
        world.applied,
        world.timers_fired,
        world,
        states=states,
    )


def expected_signings(program: Program, world: World, as_of: datetime) -> dict[str, float]:
    """Per owner: the sum of the forecast over the owner's customers (unrounded)."""
    signings: dict[str, float] = {}
    for c in world.customers.values():
        if c.owner is None:
            continue
        value = measure(program.forecast, Env(program, c, as_of))
        if isinstance(value, int | float):
            signings[c.owner] = signings.get(c.owner, 0.0) + value
    return signings


def _reps(program: Program, world: World, as_of: datetime, run: bool) -> list[RepRow]:
    people = world.people
    # the people file's reps, non-admin actors, targets, owners and pending owners
    names: set[str] = set(people.reps()) | world.actors
    for c in world.customers.values():
        for rep in (c.owner, c.pending_owner):
            if rep is not None:
                names.add(rep)
    signings = expected_signings(program, world, as_of) if run else {}
    counts = funnel(program, world, NO_STAGE) if run else {}
    labels = [NO_STAGE, *(s.code for s in program.stages)]
    out = []
    for name in sorted(names):
        used, limit = world.ledger.used.get(name, 0), world.ledger.limit(name)
        if run:
            tally: Mapping[str, int] = counts.get(name, {})
            row = run_rep(name, used, limit, signings.get(name, 0.0), tally, labels)
        else:
            row = RepRow(name, used, limit)
        for quota, ledger in world.quotas:
            held, cap = ledger.used.get(name, 0), ledger.limit(name)
            row.quotas[quota] = {"used": held, "limit": cap}
            if run and cap is not None and held > cap:
                row.violations.append(f"over_quota:{quota}")
        out.append(row)
    return out


__all__ = ["CustomerFrame", "CustomerRow", "RepRow", "Result", "build", "truth"]
