"""Replay a history: events in time order, timers before events at the same instant, refusals.

A refused event changes nothing and gets one reason, the first that applies in this order:
unknown_customer, duplicate_customer, not_admin, not_owner, not_public, claim_pending,
no_pending_claim, stage_skipped, invalid_transition, stage_lock, quota_exceeded. Each is
derived from the policy: who a transition is `by`, the states it leaves from, `public`
states, `approval`, promoting events and stage locks, and the quota.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rulekit.engine.effects import mark_stage, take
from rulekit.engine.events import Event, EventLog
from rulekit.engine.people import People
from rulekit.engine.program import START, Move, Program
from rulekit.engine.record import Customer, Env
from rulekit.engine.rules import RuleRunner
from rulekit.engine.slots import Ledger
from rulekit.engine.timers import Timers
from rulekit.lang.runtime import truth

REASONS = (
    "unknown_customer",
    "duplicate_customer",
    "not_admin",
    "not_owner",
    "not_public",
    "claim_pending",
    "no_pending_claim",
    "stage_skipped",
    "invalid_transition",
    "stage_lock",
    "quota_exceeded",
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused (or malformed) row."""

    row: int
    at: datetime | None
    customer: str | None
    type: str | None
    actor: str | None
    reason: str
    detail: str = ""


@dataclass(slots=True)
class Step:
    """One thing that happened to a watched customer (for `explain`)."""

    at: datetime
    kind: str  # "event" or "timer"
    event: Event | None
    move: str | None
    state: str | None
    reason: str | None = None
    detail: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    slots: tuple[int, int] | None = None


@dataclass(slots=True)
class World:
    """Every customer, the slot ledger, and what happened."""

    program: Program
    people: People
    customers: dict[str, Customer] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    applied: int = 0
    timers_fired: int = 0
    actors: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)
    taken: Counter[str] = field(default_factory=Counter)  # transition name -> times taken
    refused: Counter[str] = field(default_factory=Counter)  # transition name -> times refused
    rules_fired: Counter[str] = field(default_factory=Counter)  # rule name -> actions taken
    ledger: Ledger = field(init=False)
    timers: Timers = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.program, self.people)
        self.timers = Timers(self.program)


class Replayer:
    """Applies events and timers to a World."""

    def __init__(self, program: Program, people: People, watch: str | None = None) -> None:
        self.program = program
        self.people = people
        self.world = World(program, people)
        self.watch = watch
        self.rules = RuleRunner(self, program.rules)
        self._next_sweep: datetime | None = None
        used = self.world.ledger.used
        program.extra["slots"] = lambda rep: used.get(rep, 0)

    # -- timers ---------------------------------------------------------------------------
    def _fire(self, customer: Customer, move: Move, due: datetime) -> None:
        values = take(self.program, customer, move, due)
        self.world.timers_fired += 1
        self.world.taken[move.name] += 1
        self.world.ledger.commit(customer, due)
        self.world.timers.schedule(customer)
        if customer.id == self.watch:
            self.world.steps.append(
                Step(due, "timer", None, move.name, customer.state, values=values)
            )

    def advance(self, until: datetime) -> None:
        """Fire the timers due at or before `until`, and the daily rule sweeps before it."""
        if self.rules.swept:
            if self._next_sweep is None:
                self._next_sweep = _next_midnight(until, self.program)
            while self._next_sweep <= until:
                sweep = self._next_sweep
                self.world.timers.fire_until(sweep, self.world.customers, self._fire)
                self.rules.sweep(sweep)
                self._next_sweep = _next_midnight(sweep, self.program)
        self.world.timers.fire_until(until, self.world.customers, self._fire)

    def record_rule(
        self, customer: Customer, rule: str, at: datetime, values: dict[str, Any]
    ) -> None:
        """Note a rule's action on a watched customer (for `explain`)."""
        if customer.id == self.watch:
            self.world.steps.append(
                Step(at, "rule", None, f"rule {rule}", customer.state, values=values)
            )

    # -- events ---------------------------------------------------------------------------
    def replay(
        self,
        log: EventLog,
        as_of: datetime,
        skip_bad_rows: bool,
        on_event: Callable[[], None] | None = None,
    ) -> World:
        """Apply a history's events up to `as_of`, then the timers due by then."""
        world = self.world
        for bad in log.bad if skip_bad_rows else ():
            if bad.late:
                continue
            world.rejected.append(
                Rejection(
                    bad.row,
                    bad.at,
                    bad.customer,
                    bad.type,
                    bad.actor,
                    "bad_row",
                    "; ".join(m for _, m in bad.problems),
                )
            )
            if bad.actor is not None and not self.people.is_admin(bad.actor):
                world.actors.add(bad.actor)  # "every actor ... (refused rows too)"
        for event in log.events:
            self.advance(event.at)
            self.apply(event)
            if on_event is not None:
                on_event()
        self.advance(as_of)
        return world

    def apply(self, event: Event) -> None:
        """Apply one event, or record why it is refused."""
        world = self.world
        if not self.people.is_admin(event.actor):
            world.actors.add(event.actor)
        if event.to is not None and "to" in self.program.needs.get(event.type, ()):
            world.actors.add(event.to)  # a reassign target is a rep of the run
        customer = world.customers.get(event.customer)
        before = world.ledger.used.get(event.actor, 0)
        reason, detail, move, values = self._decide(event, customer)
        if move is not None:
            (world.refused if reason is not None else world.taken)[move.name] += 1
        if reason is None and self.rules.on_event:
            applied_to = world.customers.get(event.customer)
            if applied_to is not None:
                self.rules.after_event(applied_to, event)
        if reason is not None:
            world.rejected.append(
                Rejection(
                    event.row, event.at, event.customer, event.type, event.actor, reason, detail
                )
            )
        else:
            world.applied += 1
        if event.customer == self.watch:
            current = world.customers.get(event.customer)
            after = world.ledger.used.get(event.actor, 0)
            world.steps.append(
                Step(
                    event.at,
                    "event",
                    event,
                    move.name if move else None,
                    current.state if current else None,
                    reason,
                    detail,
                    values,
                    (before, after) if before != after else None,
                )
            )

    def _decide(
        self, event: Event, customer: Customer | None
    ) -> tuple[str | None, str, Move | None, dict[str, Any]]:
        """Check an event against the policy and apply it if allowed.

        Returns (reason, detail, move, values set): reason is None when applied.
        """
        program, people = self.program, self.people
        kind = event.type
        moves = program.moves_by_event.get(kind, [])
        decides = program.decides.get(kind)
        actor = event.actor
        admin = people.is_admin(actor)
        if customer is None:
            if decides or not any(START in m.sources for m in moves):
                return "unknown_customer", "the customer has not been archived", None, {}
        elif moves and all(m.sources == {START} for m in moves):
            return "duplicate_customer", "the customer is already known", None, {}
        roles = program.approver_roles if decides else program.event_roles.get(kind, frozenset())
        if not _role_ok(roles, actor, admin, customer):
            if roles == {"admin"}:
                return "not_admin", f"only an admin may {kind}", None, {}
            if "owner" in roles:
                owner = customer.owner if customer else None
                return "not_owner", f"the owner is {owner or 'nobody'}", None, {}
        if customer is not None and not decides:
            public = program.public_states
            if moves and all(m.sources <= public for m in moves) and customer.state not in public:
                return (
                    "not_public",
                    f"the customer is in {customer.state}, not in the pool",
                    None,
                    {},
                )
            if customer.pending is not None and any(m.approval for m in moves):
                return "claim_pending", f"{customer.pending_owner} has a claim pending", None, {}
        if decides:
            assert customer is not None
            if customer.pending is None:
                return "no_pending_claim", "nothing awaits approval", None, {}
            return self._decide_pending(event, customer, decides == "grant")
        if kind in program.promotes and event.stage is not None:
            current = customer.stage_index() if customer is not None else 0
            wanted = program.stage_index[event.stage]
            if wanted > current + 1:
                nxt = program.stage_at(current + 1)
                return (
                    "stage_skipped",
                    f"the next stage is {nxt.code if nxt else 'none'}, not {event.stage}",
                    None,
                    {},
                )
        return self._take_event(event, customer, moves, admin)

    def _take_event(
        self, event: Event, customer: Customer | None, moves: list[Move], admin: bool
    ) -> tuple[str | None, str, Move | None, dict[str, Any]]:
        program, world = self.program, self.world
        state = customer.state if customer is not None else START
        created = customer is None
        if customer is None:
            customer = Customer(event.customer, START, len(program.stages), event.at)
        env: Env | None = None
        chosen = None
        for move in moves:
            if state not in move.sources:
                continue
            if move.argument is not None and move.argument != event.stage:
                continue
            if not _role_ok(move.roles, event.actor, admin, customer):
                continue
            if move.when is not None:
                env = env or Env(program, customer, event.at, event)
                if not truth(move.when(env)):
                    continue
            chosen = move
            break
        if chosen is None:
            return "invalid_transition", f"no transition from {state} on {event.type}", None, {}
        if event.type in program.promotes and event.stage is not None:
            lock = program.stages[program.stage_index[event.stage] - 1].requires
            if lock is not None and not truth(lock(env or Env(program, customer, event.at, event))):
                return "stage_lock", f"stage {event.stage} requires {lock.text}", chosen, {}
        saved = customer.save()
        values: dict[str, Any] = {}
        if chosen.approval is not None:
            customer.pending = chosen
            customer.pending_owner = event.actor
        else:
            if event.type in program.promotes and event.stage is not None:
                mark_stage(program, customer, event.stage, event.at)
            customer.fields.update(event.fields)
            values = take(program, customer, chosen, event.at, event)
        rep = world.ledger.over_limit(customer, event.at)
        if rep is not None:
            customer.restore(saved)
            limit = world.ledger.limit(rep)
            return (
                "quota_exceeded",
                f"{rep} holds {world.ledger.used[rep]} of {limit} slots",
                chosen,
                {},
            )
        if created:
            world.customers[customer.id] = customer
        world.ledger.commit(customer, event.at)
        if chosen.target is not None and chosen.approval is None:
            world.timers.schedule(customer)
        return None, "", chosen, values

    def _decide_pending(
        self, event: Event, customer: Customer, grant: bool
    ) -> tuple[str | None, str, Move | None, dict[str, Any]]:
        program, world = self.program, self.world
        move = customer.pending
        assert move is not None
        claimant = customer.pending_owner
        saved = customer.save()
        customer.pending = None
        customer.pending_owner = None
        values: dict[str, Any] = {}
        if grant:
            values = take(program, customer, move, event.at, event, actor=claimant)
        rep = world.ledger.over_limit(customer, event.at)
        if rep is not None:
            customer.restore(saved)
            return "quota_exceeded", f"{rep} is at the limit", move, {}
        world.ledger.commit(customer, event.at)
        if grant and move.target is not None:
            world.timers.schedule(customer)
        return None, "", move, values


def _next_midnight(after: datetime, program: Program) -> datetime:
    """The first 00:00 in the policy's timezone strictly after `after`."""
    from datetime import timedelta

    local = after.astimezone(program.tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.replace(tzinfo=program.tz)


def _role_ok(roles: frozenset[str], actor: str, admin: bool, customer: Customer | None) -> bool:
    """True if `actor` matches one of `roles` for this customer."""
    for role in roles:
        if role == "anyone":
            return True
        if role == "admin" and admin:
            return True
        if role == "rep" and not admin:
            return True
        if role == "owner" and customer is not None and customer.owner == actor:
            return True
    return False
