"""The replay loop specialised to one policy: each event type gets its own handler.

Before the events go through, `prepare` notes every actor of the log (a rep of the run
unless an admin, as the general loop notes them event by event) and builds the handler of
each event type the log has. A handler takes the event's columns as its arguments (a log
read column-wise has no Event objects). For a type that takes a transition it is a Python
function generated from the checked program
(rulekit.engine.replay.handler_code): the type's refusal checks, one branch per state it
leaves from, each transition's checks and effect written in place. The slot ledger is left
alone, and nothing is saved for an undo, when a transition cannot change whose slots a
customer takes (it sets no owner, asks no approval, and its source and target states hold a
slot alike, `holds_slot` being read by state); otherwise the ledger's admission is written
in place too. A type that decides a pending claim, and the timers, get closures here.

Handlers record the refusals they find with the general loop's reasons and details; what
they do not specialise (role refusals, skipped stages, stage locks, a claim already pending)
goes to the general `Replayer.settle` before anything has changed. `Replayer.replay` uses
this loop unless a customer is watched (`explain` traces the general path); the engine's
parity tests replay histories both ways and compare the results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rulekit.engine.core.effect_code import Effect, effect
from rulekit.engine.core.effects import add_fields, mark_stage
from rulekit.engine.core.event import Event
from rulekit.engine.core.plan import EventPlan
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.input.event_rows import EventLog
from rulekit.engine.replay.handler_code import Parts, generate
from rulekit.engine.replay.world import (
    ALREADY_KNOWN,
    NOT_ARCHIVED,
    NOTHING_PENDING,
    World,
    at_limit,
    no_transition,
    not_public,
    over_quota,
    quota_detail,
)
from rulekit.lang.runtime import truth

#: a handler: (row, at, customer, actor, stage, to, fields) -> None (see `ARGUMENTS`)
Handler = Callable[..., None]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Effects:
    """The effect of each transition, built once (for the loop and its handlers)."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self._built: dict[str, Effect] = {}  # transition name -> its effect

    def of(self, move: Move) -> Effect:
        """The effect of `move`."""
        found = self._built.get(move.name)
        if found is None:
            found = self._built[move.name] = effect(self.program, move)
        return found


class FastLoop:
    """The handlers of one replay, built as event types are met."""

    def __init__(self, replayer: Any) -> None:
        """`replayer`: the `Replayer` it serves (typed loosely: it imports this module)."""
        self.replayer = replayer
        self.program: Program = replayer.program
        self.world: World = replayer.world
        self.handlers: dict[str, Handler] = {}
        self.effects = Effects(self.program)
        self._keeps: dict[tuple[str, str], bool] = {}  # (transition, source) -> slots kept
        self._holding = self._holding_states()

    def handler(self, kind: str) -> Handler:
        """The handler of event type `kind`."""
        found = self.handlers.get(kind)
        if found is None:
            rp = self.replayer
            todo = rp.plans.get(kind) or rp._plan(kind)
            found = self._deciding(todo) if todo.decides else self._taking(todo)
            self.handlers[kind] = found
        return found

    def prepare(self, log: EventLog) -> dict[str, Handler]:
        """Before the events of `log` go through the handlers: every actor is noted as the
        general loop notes it event by event (a rep of the run unless an admin: the handlers
        then read `admins[actor]` and note nothing) and its limit found (`limits[actor]`),
        and the handler of each event type of the log is built. Returns the handlers by
        type."""
        rp, actors = self.replayer, self.world.actors
        if log.columns is not None:
            kinds, people = set(log.columns[3]), set(log.columns[4])
        else:
            kinds, people = {e.type for e in log.events}, {e.actor for e in log.events}
        limit = self.world.ledger.limit
        for actor in people:
            if not rp._admin(actor):
                actors.add(actor)
            limit(actor)  # the handlers read `limits[actor]`
        for kind in sorted(kinds):
            self.handler(kind)
        return self.handlers

    def apply(self, event: Event) -> None:
        """Apply one event through its type's handler."""
        handle = self.handlers.get(event.type) or self.handler(event.type)
        e = event
        handle(e.row, e.at, e.customer, e.actor, e.stage, e.to, e.fields)

    # -- what a transition does to the slots ----------------------------------------------
    def _holding_states(self) -> dict[str, bool] | None:
        """Whether an owner's customer takes a slot, by state; None when the ledgers hold by
        more than the state (named quotas, or a `holds_slot` that reads other names)."""
        world, program = self.world, self.program
        if world.quotas:
            return None
        holds = world.ledger.holds
        if holds is None:
            return dict.fromkeys(program.states, False)
        if holds.by_state is None:
            return None
        n = len(program.stages)
        return {s: holds(Env(program, Customer("", s, n, None), _EPOCH)) for s in program.states}

    def keeps_slots(self, move: Move, source: str) -> bool:
        """True if taking `move` from `source` cannot change whose slots a customer takes."""
        key = (move.name, source)
        found = self._keeps.get(key)
        if found is None:
            holding = self._holding
            found = (
                holding is not None
                and source in holding
                and move.approval is None
                and move.choose is None
                and not any(name in ("owner", "pending_owner") for name, _ in move.sets)
                and (move.target is None or holding.get(move.target) == holding[source])
            )
            self._keeps[key] = found
        return found

    # -- timers ---------------------------------------------------------------------------
    def fire(self, customer: Customer, move: Move, due: datetime) -> None:
        """`Replayer._fire` for a replay without a watched customer."""
        keeps = self.keeps_slots(move, customer.state)
        self.effects.of(move)(customer, due, None, None)
        world = self.world
        world.timers_fired += 1
        world.taken[move.name] += 1
        if not keeps:
            world.commit(customer, due)
        world.timers.schedule(customer)

    # -- events ---------------------------------------------------------------------------
    def _admit(self) -> Callable[[Customer, datetime], str | None]:
        """`Ledger.admit` (or the replayer's, under named quotas), in one call when the
        ledger holds by state: the rep that would go past its limit, or None (then done)."""
        rp, world, holding = self.replayer, self.world, self._holding
        if world.quotas:
            named: Callable[[Customer, datetime], str | None] = rp._admit
            return named
        ledger = world.ledger
        if holding is None:
            return ledger.admit
        general, held, used, limit_of = ledger.admit, ledger.held, ledger.used, ledger.limit
        held_get, holding_get = held.get, holding.get

        def admit(customer: Customer, at: datetime) -> str | None:
            holds = holding_get(customer.state)
            if holds is None:
                return general(customer, at)
            owner, pending = customer.owner, customer.pending_owner
            holds = holds and owner is not None
            if pending is None:
                after: tuple[str, ...] = (owner,) if holds else ()  # type: ignore[assignment]
            elif not holds or owner == pending:
                after = (pending,)
            else:
                after = (owner, pending)  # type: ignore[assignment]
            cid = customer.id
            before = held_get(cid, ())
            if before == after:
                return None
            for rep in after:
                if rep not in before:
                    limit = limit_of(rep)
                    if limit is not None and used[rep] + 1 > limit:
                        return rep
            for rep in before:
                used[rep] -= 1
            for rep in after:
                used[rep] += 1
            held[cid] = after
            return None

        return admit

    def _done(self) -> Handler | None:
        rp = self.replayer
        return rp.done if rp.counters is not None or rp.rules.on_event else None

    def _taking(self, todo: EventPlan) -> Handler:
        """The handler of an event type that takes a transition (generated)."""
        rp, program, world = self.replayer, self.program, self.world
        scope = {
            "admins": rp._admins,
            "actors_add": world.actors.add,
            "customers_get": world.customers.get,
            "customers": world.customers,
            "refuse": rp.refuse,
            "settle": rp.settle,
            "admit": self._admit(),
            "world": world,
            "taken": world.taken,
            "schedule": world.timers.schedule,
            "Customer": Customer,
            "Env": Env,
            "truth": truth,
            "mark_stage": mark_stage,
            "add_fields": add_fields,
            "done": self._done(),
            "program": program,
            "ledger": world.ledger,
            "stage_index": program.stage_index,
            "n_stages": len(program.stages),
            "public": program.public_states,
            "NOT_ARCHIVED": NOT_ARCHIVED,
            "ALREADY_KNOWN": ALREADY_KNOWN,
            "no_transition": no_transition,
            "not_public": not_public,
            "over_quota": over_quota,
            "quota_detail": quota_detail,
            "refused": world.refused,
            "rejected_append": world.rejected.append,
            "Event": Event,
            "held": world.ledger.held,
            "held_get": world.ledger.held.get,
            "used": world.ledger.used,
            "limit_of": world.ledger.limit,
            "limits": world.ledger.limits,
        }
        parts = Parts(
            self.keeps_slots,
            self._holding,
            bool(world.quotas),
            frozenset(program.timers_from),
            frozenset(s.code for s in program.stages if s.requires is not None),
            self._done() is not None,
            scope,
        )
        handle: Handler = generate(todo, parts)
        return handle

    def _deciding(self, todo: EventPlan) -> Handler:
        """The handler of an event type that grants or denies a pending claim."""
        rp, program, world = self.replayer, self.program, self.world
        settle: Callable[..., None] = rp.settle
        refuse: Callable[..., None] = rp.refuse
        admins = rp._admins
        # plain tuples of Rejection's fields, as the generated handlers record
        rejected_append: Callable[[Any], None] = world.rejected.append
        customers, actors_add, taken = world.customers, world.actors.add, world.taken
        admit, done, schedule = self._admit(), self._done(), world.timers.schedule
        names_target, duplicate_if_known = todo.names_target, todo.duplicate_if_known
        free, owner_may = todo.roles.free, todo.roles.owner
        strict = todo.role_reason is not None
        grant, promotes = todo.decides == "grant", program.promotes
        effect_of, kind = self.effects.of, todo.kind  # not the loop's: it holds the handlers

        def handle(
            row: int, at: datetime, cid: str, actor: str, stage: Any, to: Any, fields: Any
        ) -> None:
            admin = admins[actor]  # noted by `prepare`
            if names_target and to is not None:
                actors_add(to)
            customer = customers.get(cid)
            if customer is None:  # recorded as `refuse` records it, without an Event
                return rejected_append(
                    (row, at, cid, kind, actor, "unknown_customer", NOT_ARCHIVED, None)
                )
            if duplicate_if_known or (
                strict and not (free[admin] or (owner_may and customer.owner == actor))
            ):
                event = Event(row, at, cid, kind, actor, stage, to, fields)
                return settle(event, customer, todo, admin)
            move = customer.pending
            if move is None:
                return rejected_append(
                    (row, at, cid, kind, actor, "no_pending_claim", NOTHING_PENDING, None)
                )
            event = Event(row, at, cid, kind, actor, stage, to, fields)  # the effect reads it
            claimant = customer.pending_owner
            saved = customer.save()
            customer.pending = None
            customer.pending_owner = None
            if grant:
                if move.argument is not None and move.event in promotes:
                    mark_stage(program, customer, move.argument, at)
                effect_of(move)(customer, at, event, claimant)
            rep = admit(customer, at)
            if rep is not None:
                customer.restore(saved)
                return refuse(event, "quota_exceeded", at_limit(rep), move)
            if grant and move.target is not None:
                schedule(customer)
            taken[move.name] += 1
            if done is None:
                world.applied += 1
            else:
                done(event)
            return None

        return handle
