"""Replay a history: events in time order, timers before events at the same instant, refusals.

A refused event changes nothing and gets one reason, the first that applies in this order:
unknown_customer, duplicate_customer, not_admin, not_owner, not_public, claim_pending,
no_pending_claim, stage_skipped, invalid_transition, stage_lock, quota_exceeded. Each is
derived from the policy: who a transition is `by`, the states it leaves from, `public`
states, `approval`, promoting events and stage locks, and the quota.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rulekit.engine.core import counters
from rulekit.engine.core.effects import add_fields, mark_stage, take
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.core.plan import EventPlan, plan, plans
from rulekit.engine.core.program import START, Move, Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Rule
from rulekit.engine.core.schedules import next_run
from rulekit.engine.input.event_rows import EventLog
from rulekit.engine.replay.refusals import Rejection
from rulekit.engine.replay.rule_runner import Noted, RuleRunner
from rulekit.engine.replay.world import (
    ALREADY_KNOWN,
    NOT_ARCHIVED,
    NOTHING_PENDING,
    Step,
    World,
    at_limit,
    no_transition,
    not_public,
    over_quota,
)
from rulekit.lang.runtime import truth
from rulekit.policy.values import DAILY, Schedule

#: fires a timer: (the customer, the transition, the instant it is due)
Fire = Callable[[Customer, Move, datetime], None]


class Replayer:
    """Applies events and timers to a World.

    It makes no reference cycle, which the paused collector relies on
    (rulekit.engine.core.collector): what it keeps (its rule runner, the router) holds none
    of its bound methods, and it keeps nothing of the specialised loop, which holds it."""

    def __init__(
        self,
        program: Program,
        people: People,
        watch: str | None = None,
        *,
        specialised: bool = True,
        noted: Noted | None = None,
    ) -> None:
        """`watch`: the customer whose steps go to `world.steps` (for `explain`); `noted`:
        told of every rule action."""
        self.program = program
        self.people = people
        self.world = World(program, people)
        self.watch = watch
        self.rules = RuleRunner(program, people, self.world, program.rules, watch, noted)
        self._next_sweep: datetime | None = None
        self._runs: dict[Schedule, datetime] = {}  # the next run of each rule schedule
        self._refused_by: tuple[str, str] | None = None  # a named quota's refusal
        self.plans = plans(program)
        self._admins: dict[str, bool] = {}  # actor -> is an admin
        used = self.world.ledger.used
        program.extra["slots"] = lambda rep: used.get(rep, 0)
        self.counters = program.extra["counters"] = counters.build(program.policy)
        # `replay` runs the loop specialised to the policy (rulekit.engine.replay.fast) unless
        # a customer is watched, this replayer is told not to, or a subclass changes `apply`
        self.specialised = specialised and type(self).apply is Replayer.apply

    # -- timers ---------------------------------------------------------------------------
    def _fire(self, customer: Customer, move: Move, due: datetime) -> None:
        values = take(self.program, customer, move, due)
        self.world.timers_fired += 1
        self.world.taken[move.name] += 1
        self.world.commit(customer, due)
        self.world.timers.schedule(customer)
        if customer.id == self.watch:
            self.world.steps.append(
                Step(due, "timer", None, move.name, customer.state, values=values)
            )

    def advance(self, until: datetime, fire: Fire | None = None) -> None:
        """Fire the timers due at or before `until`, and the scheduled rule sweeps before it
        (in time order; rules of several schedules due at once run in one sweep). `fire`
        fires a timer (`_fire` unless told otherwise: the specialised loop's own)."""
        if fire is None:
            fire = self._fire
        if self.rules.swept:
            schedules = self.rules.schedules
            if len(schedules) == 1 and DAILY in schedules:
                self._daily(until, fire)
            else:
                self._scheduled(until, schedules, fire)
        self.world.timers.fire_until(until, self.world.customers, fire)

    def _daily(self, until: datetime, fire: Fire) -> None:
        if self._next_sweep is None:
            self._next_sweep = _next_midnight(until, self.program)
        while self._next_sweep <= until:
            sweep = self._next_sweep
            self.world.timers.fire_until(sweep, self.world.customers, fire)
            self.rules.sweep(sweep)
            self._next_sweep = _next_midnight(sweep, self.program)

    def _scheduled(
        self, until: datetime, schedules: dict[Schedule, list[Rule]], fire: Fire
    ) -> None:
        tz = self.program.tz
        runs = self._runs
        if not runs:
            runs.update({s: next_run(s, until, tz) for s in schedules})
        while True:
            due = min(runs.values())
            if due > until:
                return
            self.world.timers.fire_until(due, self.world.customers, fire)
            now = [s for s, at in runs.items() if at == due]
            rules = sorted((r for s in now for r in schedules[s]), key=lambda r: r.order)
            self.rules.sweep(due, rules)
            for s in now:
                runs[s] = next_run(s, due, tz, previous=due)

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
        if self.watch is None and self.specialised:
            fire = self._replay_specialised(log, on_event)
        else:
            fire = self._fire
            self._each(log, self.apply, fire, on_event)
        self.advance(as_of, fire)
        return world

    def _each(
        self,
        log: EventLog,
        apply: Callable[[Event], None],
        fire: Fire,
        on_event: Callable[[], None] | None,
    ) -> None:
        """Each event of `log` through `apply`, the timers (through `fire`) and sweeps due
        before it first."""
        timers, customers = self.world.timers, self.world.customers
        queue = timers.queue
        swept = bool(self.rules.swept)
        for event in log.events:
            if swept:
                self.advance(event.at, fire)
            elif queue and queue[0][0] <= event.at:
                timers.fire_until(event.at, customers, fire)
            apply(event)
            if on_event is not None:
                on_event()

    def _replay_specialised(self, log: EventLog, on_event: Callable[[], None] | None) -> Fire:
        """The events of `replay`, each through its type's handler (rulekit.engine.replay.fast);
        the timers fire through the loop's own `fire`, returned for the rest of the replay.
        The replayer keeps nothing of the loop (the loop holds the replayer: no cycle)."""
        from rulekit.engine.replay.fast import FastLoop

        loop = FastLoop(self)
        fire = loop.fire
        handlers = loop.prepare(log)
        if self.rules.swept:
            self._each(log, loop.apply, fire, on_event)
            return fire
        timers, customers = self.world.timers, self.world.customers
        queue, fire_until = timers.queue, timers.fire_until
        for row, at, cid, kind, actor, stage, to, fields in log.rows():
            if queue and queue[0][0] <= at:
                fire_until(at, customers, fire)
            handlers[kind](row, at, cid, actor, stage, to, fields)
            if on_event is not None:  # a progress bar (a replay in a terminal)
                on_event()
        return fire

    def _admin(self, actor: str) -> bool:
        admin = self._admins.get(actor)
        if admin is None:
            admin = self._admins[actor] = self.people.is_admin(actor)
        return admin

    def _plan(self, kind: str) -> EventPlan:
        found = self.plans.get(kind)
        if found is None:
            found = self.plans[kind] = plan(self.program, kind)
        return found

    def apply(self, event: Event) -> None:
        """Apply one event, or record why it is refused."""
        world = self.world
        actor = event.actor
        admin = self._admins.get(actor)
        if admin is None:
            admin = self._admin(actor)
        if not admin:
            world.actors.add(actor)
        todo = self.plans.get(event.type) or self._plan(event.type)
        if todo.names_target and event.to is not None:
            world.actors.add(event.to)  # a reassign target is a rep of the run
        customer = world.customers.get(event.customer)
        self.settle(event, customer, todo, admin)

    def settle(self, event: Event, customer: Customer | None, todo: EventPlan, admin: bool) -> None:
        """Decide an event whose actor is noted, apply it or record why it is refused, and
        count it (`apply` without its first steps; the specialised loop's way out)."""
        world = self.world
        actor = event.actor
        watched = self.watch is not None and event.customer == self.watch
        before = world.ledger.used.get(actor, 0) if watched else 0
        reason, detail, move, values = self._decide(event, customer, todo, admin)
        if reason is not None:
            self.refuse(event, reason, detail, move)
        elif move is not None:
            world.taken[move.name] += 1
        if watched:  # the event's step first, then the routing it triggers
            current = world.customers.get(event.customer)
            after = world.ledger.used.get(actor, 0)
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
        if reason is None:
            self.done(event)

    def refuse(self, event: Event, reason: str, detail: str, move: Move | None = None) -> None:
        """Record an event refused for `reason` (`move`: the transition it would have taken)."""
        world = self.world
        if move is not None:
            world.refused[move.name] += 1
        quota = None
        if reason == "quota_exceeded" and world.quotas:
            quota, detail = self._refused_by or ("quota", detail)
            self._refused_by = None
        world.rejected.append(
            Rejection(
                event.row, event.at, event.customer, event.type, event.actor, reason, detail, quota
            )
        )

    def done(self, event: Event) -> None:
        """What follows an applied event: the counters, the event rules, the count."""
        if self.counters is not None:
            self._count(event)
        if self.rules.on_event:
            applied_to = self.world.customers.get(event.customer)
            if applied_to is not None:
                self.rules.after_event(applied_to, event)
        self.world.applied += 1

    def _count(self, event: Event) -> None:
        found = self.world.customers.get(event.customer)
        owner = (found.owner or found.pending_owner) if found is not None else None
        assert self.counters is not None
        self.counters.note(event.type, event.at, event.actor, owner, event.customer)

    def _decide(
        self, event: Event, customer: Customer | None, todo: EventPlan, admin: bool
    ) -> tuple[str | None, str, Move | None, dict[str, Any]]:
        """Check an event against the policy and apply it if allowed.

        Returns (reason, detail, move, values set): reason is None when applied.
        """
        kind, actor = event.type, event.actor
        if customer is None:
            if todo.unknown_if_new:
                return "unknown_customer", NOT_ARCHIVED, None, {}
        elif todo.duplicate_if_known:
            return "duplicate_customer", ALREADY_KNOWN, None, {}
        owner = customer.owner if customer is not None else None
        if not todo.roles.allow(actor, admin, owner):
            if todo.role_reason == "not_admin":
                return "not_admin", f"only an admin may {kind}", None, {}
            if todo.role_reason == "not_owner":
                return "not_owner", f"the owner is {owner or 'nobody'}", None, {}
        decides = todo.decides
        if customer is not None and not decides:
            if todo.only_public and customer.state not in self.program.public_states:
                return "not_public", not_public(customer.state), None, {}
            if todo.waits and customer.pending is not None:
                return "claim_pending", f"{customer.pending_owner} has a claim pending", None, {}
        if decides:
            assert customer is not None
            if customer.pending is None:
                return "no_pending_claim", NOTHING_PENDING, None, {}
            return self._decide_pending(event, customer, decides == "grant")
        if todo.promotes and event.stage is not None:
            program = self.program
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
        return self._take_event(event, customer, todo, admin)

    def _take_event(
        self, event: Event, customer: Customer | None, todo: EventPlan, admin: bool
    ) -> tuple[str | None, str, Move | None, dict[str, Any]]:
        program, world = self.program, self.world
        at, actor, stage = event.at, event.actor, event.stage
        created = customer is None
        if customer is None:
            state = START
            customer = Customer(event.customer, START, len(program.stages), at)
        else:
            state = customer.state
        env: Env | None = None
        chosen = None
        for option in todo.options.get(state, ()):
            move = option.move
            if move.argument is not None and move.argument != stage:
                continue
            if not option.roles.allow(actor, admin, customer.owner):
                continue
            if move.when is not None:
                if env is None:
                    env = Env(program, customer, at, event)
                if not truth(move.when(env)):
                    continue
            chosen = move
            break
        if chosen is None:
            return "invalid_transition", no_transition(state, event.type), None, {}
        promoted = todo.promotes and stage is not None
        if promoted:
            assert stage is not None
            lock = program.stages[program.stage_index[stage] - 1].requires
            if lock is not None and not truth(lock(env or Env(program, customer, at, event))):
                return "stage_lock", f"stage {stage} requires {lock.text}", chosen, {}
        saved = customer.save()
        values: dict[str, Any] = {}
        if chosen.approval is not None:
            customer.pending = chosen
            customer.pending_owner = actor
        else:
            if promoted:
                assert stage is not None
                mark_stage(program, customer, stage, at)
            if event.fields:
                add_fields(customer, event.fields)
            values = take(program, customer, chosen, at, event)
        rep = world.ledger.admit(customer, at) if not world.quotas else self._admit(customer, at)
        if rep is not None:
            customer.restore(saved)
            return "quota_exceeded", over_quota(world.ledger, rep), chosen, {}
        if created:
            world.customers[customer.id] = customer
        if chosen.target is not None and chosen.approval is None:
            if customer.state in program.timers_from:
                world.timers.schedule(customer)
        return None, "", chosen, values

    def _admit(self, customer: Customer, at: datetime) -> str | None:
        """Admit a change under every quota; a named quota's refusal is noted for `apply`."""
        refused = self.world.admit(customer, at)
        if refused is None:
            return None
        rep, quota = refused
        if quota != "quota":
            ledger = self.world.quota_ledger(quota)
            self._refused_by = (
                quota,
                f"{rep} holds {ledger.used[rep]} of {ledger.limit(rep)} `{quota}` slots",
            )
        return rep

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
            if move.argument is not None and move.event in program.promotes:
                mark_stage(program, customer, move.argument, event.at)  # `sign` approved
            values = take(program, customer, move, event.at, event, actor=claimant)
        if world.quotas:
            rep = self._admit(customer, event.at)
        else:
            rep = world.ledger.admit(customer, event.at)
        if rep is not None:
            customer.restore(saved)
            return "quota_exceeded", at_limit(rep), move, {}
        if grant and move.target is not None:
            world.timers.schedule(customer)
        return None, "", move, values


def _next_midnight(after: datetime, program: Program) -> datetime:
    """The first 00:00 in the policy's timezone strictly after `after`."""
    from datetime import timedelta

    local = after.astimezone(program.tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.replace(tzinfo=program.tz)
