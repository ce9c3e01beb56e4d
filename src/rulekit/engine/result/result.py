"""The result of `replay` or `run`: customers, reps, rejected rows and counts.

`document()` is the JSON document of docs/formats.md; `customers_frame()` and friends give the
same tables as polars DataFrames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rulekit.engine.core import collector, metrics
from rulekit.engine.core.alerts import alerts
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Env
from rulekit.engine.core.rules import Alert
from rulekit.engine.replay.world import Rejection, World
from rulekit.engine.result.customer_frame import CustomerFrame
from rulekit.engine.result.rows import CustomerRow, RepRow, plain_number, run_rep
from rulekit.engine.snapshot.records import funnel, measure, ranks
from rulekit.lang.runtime import truth
from rulekit.timeutil import format_instant

if TYPE_CHECKING:
    import polars as pl

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
    rejected: list[Rejection]
    events: int
    applied: int
    timers: int
    world: World | None = None  # the row engine's state at as-of (None: columnar)
    rows: list[CustomerRow] | None = None  # the customers, or None until made from `frame`
    frame: CustomerFrame | None = None  # the columnar engine's customers
    _alerts: list[Alert] | None = None

    @property
    def customers(self) -> list[CustomerRow]:
        """Every customer at as-of, in customer order (made from the frame on first use)."""
        if self.rows is None:
            assert self.frame is not None, "a result has rows or a frame"
            with collector.paused():
                self.rows = self.frame.rows()
        return self.rows

    @property
    def customer_count(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.frame or ())

    @property
    def alerts(self) -> list[Alert]:
        """The rules' alerts at as-of, computed on first use (most runs never ask)."""
        if self._alerts is None:
            world = self.world
            if world is None:
                raise RuntimeError(
                    "alerts need the row engine: evaluate with engine='row' to read them"
                )
            program = world.program
            found = alerts(program, program.rules, world.customers, self.as_of)
            watching = metrics.streak_rules(program.rules)
            if watching:
                if self.mode == "run":  # a snapshot: its one check is the one at as-of
                    for rule in watching:
                        metric = metrics.named(program, rule)
                        values = metrics.compute(
                            program, metric, world.customers.values(), self.as_of, world.people
                        )
                        world.streaks.check(rule, values)
                found += metrics.streak_alerts(watching, world.streaks)
            self._alerts = found
        return self._alerts

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

    def document(self, fields: bool = False) -> dict[str, Any]:
        """The JSON document of docs/formats.md; with `fields`, each customer also carries its
        policy fields as an object `fields` (instants in ISO 8601, lists as lists)."""
        run = self.mode == "run"
        with collector.paused():  # a million small dicts: nothing for the collector to find
            customers = self._customer_documents(run)
            if fields:
                values = {c.customer: c.fields for c in self.customers}
                for row in customers:
                    found = values.get(row["customer"], {})
                    row["fields"] = {
                        k: self._json(found[k]) for k in sorted(found) if found[k] is not None
                    }
        reps = []
        named = self.world is not None and bool(self.world.quotas)
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
            "rejected": [
                {
                    "row": x.row,
                    "at": self.iso(x.at),
                    "customer": x.customer,
                    "type": x.type,
                    "actor": x.actor,
                    "reason": x.reason,
                }
                | ({"quota": x.quota} if named else {})
                for x in self.rejected
            ],
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

    def _customer_documents(self, run: bool) -> list[dict[str, Any]]:
        if self.rows is None and self.frame is not None:
            return self.frame.documents(run)
        customers = []
        for c in self.customers:
            row: dict[str, Any] = {
                "customer": c.customer,
                "state": c.state,
                "owner": c.owner,
                "pending_owner": c.pending_owner,
                "flags": c.flags,
                "stage": c.stage,
                "state_since": self.iso(c.state_since),
                "lapses": c.lapses,
                "renewals": c.renewals,
                "holds_slot": c.holds_slot,
            }
            if run:
                row["priority"] = c.priority
                row["overdue_days"] = c.overdue_days
                row["due"] = {"to": c.due[0], "at": self.iso(c.due[1])} if c.due else None
                row["violations"] = c.violations
            customers.append(row)
        return customers

    def _json(self, value: Any) -> Any:
        """A field's value in the JSON document."""
        if isinstance(value, datetime):
            return self.iso(value)
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list | tuple):
            return [self._json(v) for v in value]
        return str(value)

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
    """Turn a World at `as_of` into a Result."""
    run = mode == "run"
    rank = ranks(program, world, as_of) if run else {}
    codes = [s.code for s in program.stages]
    defaults = program.field_defaults
    customers = []
    for cid in sorted(world.customers):
        c = world.customers[cid]
        stage = program.stage_at(c.stage_index())
        held = world.ledger.held.get(cid, ())
        row = CustomerRow(
            customer=cid,
            state=c.state,
            owner=c.owner,
            pending_owner=c.pending_owner,
            flags=dict(zip(codes, c.flags, strict=True)),
            dates=dict(zip(codes, c.dates, strict=True)),
            stage=stage.code if stage else None,
            state_since=c.state_since,
            lapses=plain_number(c.fields.get("lapses", defaults.get("lapses", 0))),
            renewals=plain_number(c.fields.get("renewals", defaults.get("renewals", 0))),
            holds_slot=bool(held),
            fields=dict(c.fields),
        )
        if run:
            env = Env(program, c, as_of)
            row.priority = rank.get(cid)
            overdue = measure(program.overdue, env)
            row.overdue_days = max(0, int(overdue)) if isinstance(overdue, int | float) else None
            due = world.timers.due(c)
            if due is not None:
                move, at = due
                row.due = (move.target or c.state, at)
            if c.has_gap():
                row.violations.append("stage_skipped")
        customers.append(row)
    reps = _reps(program, world, as_of, run)
    return Result(
        mode,
        program.policy.id,
        program.policy.version,
        as_of,
        program.tz,
        reps,
        world.rejected,
        events,
        world.applied,
        world.timers_fired,
        world,
        rows=customers,
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
