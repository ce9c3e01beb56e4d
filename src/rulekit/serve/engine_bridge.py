"""The one module of the service that reads the engine's internals.

The service keeps, in each process, the engine's own replay state (a `Replayer` and its
`World`) and drives it one step at a time: `advance(until)` fires the timers and daily rule
sweeps due by an instant, `apply(event)` decides one event. That is exactly the loop
`rulekit replay` runs (`Replayer.replay`: advance to each event's instant, then apply it), so
a ledger replayed offline gives the same customers and reps as the live service.

Everything the engine calls back while it advances or applies (a timer fired, a rule action
taken) is recorded as a `Step`, which the ledger writes to its log.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rulekit.api import PolicyError, load
from rulekit.compiler import CompiledPolicy, compile_text
from rulekit.engine.core import program as programs
from rulekit.engine.core.alerts import alerts
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People, Person
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.replay.world import World
from rulekit.engine.result import result as results
from rulekit.tables import Table, TableError, read_table
from rulekit.timeutil import format_instant, parse_instant

__all__ = [
    "CORE",
    "CompiledPolicy",
    "People",
    "dry_run_ledger",
    "people_from_rows",
    "people_rows",
    "people_to_rows",
    "render_dry_run",
    "Event",
    "InputError",
    "LiveEngine",
    "Parsed",
    "PolicyError",
    "Step",
    "TableError",
    "compile_source",
    "load",
    "load_people",
    "read_table",
]

#: the core columns of an event row, in the order an exported history writes them
CORE = ("at", "customer", "type", "actor", "stage", "to")
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Step:
    """A timer fired or a rule action taken while the engine advanced or applied an event."""

    kind: str  # "timer" or "rule"
    at: datetime
    customer: str
    type: str  # the transition (timer) or the rule's name
    state: str


@dataclass(slots=True)
class Parsed:
    """Event rows read by the engine's own row reader: the events, or every problem."""

    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _Notes:
    """The steps taken and the customers touched since the service last took them."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.touched: set[str] = set()

    def rule(self, customer: Customer, rule: str, at: datetime, values: dict[str, Any]) -> None:
        """Note a rule action (the replayer's rule runner calls it)."""
        self.steps.append(Step("rule", at, customer.id, rule, customer.state))
        self.touched.add(customer.id)


class _Recorder(Replayer):
    """A Replayer that notes every timer it fires and every rule action it takes (in `notes`:
    the rule runner holds the notes, not the replayer, which would make a reference cycle)."""

    def __init__(self, program: Program, people: People) -> None:
        notes = _Notes()
        super().__init__(program, people, noted=notes.rule)
        self.notes = notes

    def _fire(self, customer: Customer, move: Move, due: datetime) -> None:
        super()._fire(customer, move, due)
        self.notes.steps.append(Step("timer", due, customer.id, move.name, customer.state))
        self.notes.touched.add(customer.id)


def compile_source(text: str, name: str) -> CompiledPolicy:
    """Compile a policy kept in the ledger (its text and the name it was loaded from)."""
    compiled, diags = compile_text(text, name)
    if compiled is None:
        raise PolicyError([d for d in diags if d.is_error] or diags)
    return compiled


def load_people(path: str | None, admins: Iterable[str] = ()) -> People:
    """The people file (or none) with every admin token's actor made an admin."""
    people = read_people(read_table(path)) if path else People()
    extra = [a for a in admins if not people.is_admin(a)]
    if not extra:
        return people
    if not people.from_file:  # without a file `admin` is the admin: keep it one
        people = People(from_file=True)
        people.listed["admin"] = Person("admin", None, None, "admin")
    for actor in extra:
        known = people.listed.get(actor)
        people.listed[actor] = Person(
            actor, known.name if known else None, known.team if known else None, "admin"
        )
    return people


def people_rows(people: People) -> list[list[str]]:
    """The people as `id, name, team, role` rows (for an export's people file)."""
    return [
        [p.id, p.name or "", p.team or "", p.role]
        for p in sorted(people.listed.values(), key=lambda p: p.id)
    ]


class LiveEngine:
    """One policy version's engine state, driven an event or an instant at a time."""

    def __init__(self, compiled: CompiledPolicy, people: People) -> None:
        self.compiled = compiled
        self.program = programs.build(compiled)
        self.people = people
        self.replayer = _Recorder(self.program, people)
        self.events = 0  # events applied or refused (the rows of an export)

    # -- identity ---------------------------------------------------------------------------
    @property
    def tz(self) -> Any:
        return self.program.tz

    def iso(self, at: datetime) -> str:
        """An instant as the service prints it (ISO 8601, offset of the policy's timezone)."""
        return format_instant(at, self.program.tz)

    def instant(self, text: str) -> datetime:
        """Read an instant (no offset: the policy's timezone)."""
        return parse_instant(text, self.program.tz)

    def field_names(self) -> list[str]:
        """The fields the policy declares for events (besides the core columns)."""
        return [n for n in self.program.field_types if n not in CORE]

    def is_admin(self, actor: str) -> bool:
        return self.people.is_admin(actor)

    def admin_only(self, kind: str) -> bool:
        """True if only an admin may send events of type `kind` (approve, reject...)."""
        return self.replayer._plan(kind).role_reason == "not_admin"

    def public_states(self) -> frozenset[str]:
        """The states of the public pool (L in the default policy)."""
        return frozenset(self.program.public_states)

    def has_sweeps(self) -> bool:
        """True if the policy has rules that act on a daily sweep."""
        return bool(self.replayer.rules.swept)

    # -- reading event rows -----------------------------------------------------------------
    def parse(self, rows: Sequence[Mapping[str, str | None]], name: str = "request") -> Parsed:
        """Read event rows (text cells by column name) with the engine's row reader.

        Every malformed row is reported as `name:row:column: message`; the events keep the
        order of the rows.
        """
        columns = list(CORE)
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        table = Table(name, None, columns, [[row.get(c) for c in columns] for row in rows], "utf-8")
        try:
            log = read_events(table, self.program, FAR_FUTURE)
        except InputError as exc:
            return Parsed(problems=list(exc.messages))
        problems = [m for bad in log.bad for m in bad.messages(name)]
        if problems:
            return Parsed(problems=problems)
        log.events.sort(key=lambda e: e.row)
        return Parsed(events=log.events)

    # -- driving ----------------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        """The earliest instant at which a timer or a sweep may act (None: nothing queued)."""
        queue = self.replayer.world.timers.queue
        due = queue[0][0] if queue else None
        if self.has_sweeps():
            sweep = self.replayer._next_sweep
            if sweep is None:
                return datetime.min.replace(tzinfo=UTC)
            due = sweep if due is None else min(due, sweep)
        return due

    def advance(self, until: datetime) -> list[Step]:
        """Fire the timers and sweeps due at or before `until`; the steps taken."""
        self.replayer.notes.steps = []
        self.replayer.advance(until)
        return self.replayer.notes.steps

    def apply(self, event: Event) -> tuple[str | None, list[Step], list[Step]]:
        """Advance to the event's instant and apply it.

        Returns (the refusal reason or None, the steps before it, the rule steps it caused).
        """
        before = self.advance(event.at)
        self.events += 1
        event.row = self.events
        self.replayer.notes.steps = []
        world = self.replayer.world
        refused = len(world.rejected)
        self.replayer.apply(event)
        self.replayer.notes.touched.add(event.customer)
        reason = world.rejected[-1].reason if len(world.rejected) > refused else None
        return reason, before, self.replayer.notes.steps

    def take_touched(self) -> set[str]:
        """The customers changed since the last call."""
        notes = self.replayer.notes
        touched, notes.touched = notes.touched, set()
        return touched

    # -- reading the state ------------------------------------------------------------------
    @property
    def world(self) -> World:
        return self.replayer.world

    def slots(self) -> dict[str, int]:
        """Slots used per rep (reps with none left out)."""
        return {rep: n for rep, n in self.world.ledger.used.items() if n}

    def slot_limit(self, rep: str) -> int | None:
        return self.world.ledger.limit(rep)

    def document(self, as_of: datetime) -> dict[str, Any]:
        """`replay --format json`'s document of the state at `as_of` (already advanced)."""
        result = results.build(self.program, self.world, as_of, "replay", self.events)
        return result.document()

    def _sub_world(self, customers: dict[str, Customer]) -> World:
        sub = World(self.program, self.people, customers=customers)
        sub.ledger = self.world.ledger
        sub.timers = self.world.timers
        return sub

    def customer(self, cid: str, as_of: datetime) -> dict[str, Any] | None:
        """The customer object of `run` (priority, overdue days, due) at `as_of`."""
        found = self.world.customers.get(cid)
        if found is None:
            return None
        owner = found.owner
        pool = {cid: found}  # a rank is among the owner's customers only
        if owner is not None:
            pool.update((k, c) for k, c in self.world.customers.items() if c.owner == owner)
        doc = results.build(self.program, self._sub_world(pool), as_of, "run", 0).document()
        out: dict[str, Any] = next(c for c in doc["customers"] if c["customer"] == cid)
        return out

    def rep(self, rep: str, as_of: datetime) -> dict[str, Any] | None:
        """The rep object of `run` plus `pursuit` (customer ids in priority order)."""
        world = self.world
        mine = {k: c for k, c in world.customers.items() if rep in (c.owner, c.pending_owner)}
        known = mine or rep in world.actors or rep in self.people.reps()
        if not known:
            return None
        sub = self._sub_world(mine)
        sub.actors = {rep}
        doc = results.build(self.program, sub, as_of, "run", 0).document()
        row: dict[str, Any] = next(r for r in doc["reps"] if r["rep"] == rep)
        ranked = [c for c in doc["customers"] if c["owner"] == rep and c["priority"] is not None]
        ranked.sort(key=lambda c: c["priority"])
        row["pursuit"] = [c["customer"] for c in ranked]
        row["customers"] = ranked
        return row

    def alerts(self, as_of: datetime) -> list[dict[str, Any]]:
        """The rules' alerts at `as_of`."""
        found = alerts(self.program, self.program.rules, self.world.customers, as_of)
        return [
            {"customer": a.customer, "rule": a.rule, "level": a.level, "message": a.message}
            for a in found
        ]

    def state_row(self, cid: str) -> dict[str, Any] | None:
        """A customer's current-state row (the `customers` table of the ledger)."""
        c = self.world.customers.get(cid)
        if c is None:
            return None
        stage = self.program.stage_at(c.stage_index())
        codes = [s.code for s in self.program.stages]
        return {
            "customer": cid,
            "state": c.state,
            "owner": c.owner,
            "pending_owner": c.pending_owner,
            "stage": stage.code if stage else None,
            "state_since": self.iso(c.state_since) if c.state_since else None,
            "flags": dict(zip(codes, c.flags, strict=True)),
        }

    def carry_over(self, old: LiveEngine, at: datetime) -> None:
        """Take over `old`'s customers at a deploy: same records, this policy's timers.

        Each customer keeps its state, owner, flags, dates and fields; a pending claim waits
        under this policy's approval; timers are scheduled anew from `state_since` with this
        policy's durations (one already past due fires at its own due instant).
        """
        world, program = self.world, self.program
        self.events = old.events
        world.rejected = list(old.world.rejected)
        world.applied = old.world.applied
        world.timers_fired = old.world.timers_fired
        world.actors = set(old.world.actors)
        n = len(program.stages)
        for cid in sorted(old.world.customers):
            was = old.world.customers[cid]
            c = copy.copy(was)  # every attribute of the record, whatever the engine keeps
            c.pending = program.approval_from.get(was.state) if was.pending_owner else None
            c.flags = (list(was.flags) + [0] * n)[:n]
            c.dates = (list(was.dates) + [None] * n)[:n]
            c.fields = dict(was.fields)
            world.customers[cid] = c
            world.ledger.commit(c, at)
            world.timers.schedule(c)
        self.replayer._next_sweep = None
        self.replayer.notes.touched = set(world.customers)


def dry_run_ledger(
    baseline: CompiledPolicy,
    candidate: CompiledPolicy,
    columns: list[str],
    rows: list[list[str]],
    people: People,
    as_of: datetime,
) -> Any:
    """`rulekit dry-run` of the ledger's own history (an exported table) under two policies."""
    from rulekit.analysis.dryrun import dry_run

    table = Table("ledger", None, columns, [list(r) for r in rows], "utf-8", text_only=True)
    folks = None
    if people.from_file:
        folks = Table("people", None, ["id", "name", "team", "role"], people_rows(people), "utf-8")
    return dry_run(baseline, candidate, table, as_of, people=folks, skip_bad_rows=True)


def render_dry_run(result: Any, fmt: str) -> str:
    """The dry-run report as `rulekit dry-run` prints it (text or JSON)."""
    import json

    if fmt == "json":
        return json.dumps(result.document(), ensure_ascii=False, indent=2) + "\n"
    from rich.console import Console

    from rulekit.report.dryrun_text import render

    console = Console(highlight=False, record=True, width=100)
    with console.capture() as captured:
        render(result, console, first=20)
    return captured.get()


def people_to_rows(people: People) -> list[list[str]] | None:
    """The people as rows to keep in the ledger (None: no people file, `admin` is the admin)."""
    return people_rows(people) if people.from_file else None


def people_from_rows(rows: list[list[str]] | None) -> People:
    """People kept in the ledger by `people_to_rows`."""
    people = People(from_file=rows is not None)
    for pid, name, team, role in rows or []:
        people.listed[pid] = Person(pid, name or None, team or None, role)
    return people
