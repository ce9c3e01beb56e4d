"""Rule actions at run time: automatic actions on a daily sweep, lead routing after events.

- A rule whose `when` reads the event is checked right after each applied event, against that
  event's customer: routing (`do: {assign, overflow}`) lives here.
- A rule with a `do` action that does not read the event is checked on the daily sweep, for
  every customer; it takes the transition its event type would take, as if an admin did it.
What the rules are is `rulekit.engine.core.rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from rulekit.engine.core import metrics
from rulekit.engine.core.counters import ROUTED
from rulekit.engine.core.effects import set_owner, take
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Rule
from rulekit.engine.replay.routing import Router
from rulekit.engine.replay.world import Step, World
from rulekit.lang.runtime import truth
from rulekit.policy.values import Schedule

#: told of a rule action: (the customer, the rule's name, the instant, the values it set)
Noted = Callable[[Customer, str, datetime, dict[str, Any]], None]


class RuleRunner:
    """Runs rule actions against a replayer's world."""

    def __init__(
        self,
        program: Program,
        people: People,
        world: World,
        rules: list[Rule],
        watch: str | None = None,
        noted: Noted | None = None,
    ) -> None:
        """`watch`: the customer whose rule actions go to `world.steps` (for `explain`);
        `noted`: told of every rule action."""
        self.program, self.people, self.world = program, people, world
        self.watch, self.noted = watch, noted
        self.on_event = [r for r in rules if r.acts and r.on_event]
        self.swept = [r for r in rules if (r.acts and not r.on_event) or r.streak is not None]
        self.schedules: dict[Schedule, list[Rule]] = {}
        for rule in self.swept:
            self.schedules.setdefault(rule.schedule, []).append(rule)
        ledger = world.ledger
        used = ledger.used
        self.router = Router(program, people, lambda rep: used.get(rep, 0), ledger.has_room)
        self.metrics = {m.name: m for m in metrics.build(program)} if self.swept else {}

    def after_event(self, customer: Customer, event: Event) -> None:
        """Check the event rules for the customer an event was just applied to."""
        program = self.program
        for rule in self.on_event:
            if truth(rule.when(Env(program, customer, event.at, event))):  # type: ignore[misc]
                self.act(rule, customer, event.at, event)

    def sweep(self, at: datetime, rules: list[Rule] | None = None) -> None:
        """Check the swept rules (all, or those given) for every customer at `at`, then the
        streak rules' metrics."""
        program = self.program
        customers = self.world.customers
        due = self.swept if rules is None else rules
        acting = [r for r in due if r.when is not None]
        if acting:
            for cid in sorted(customers):
                customer = customers[cid]
                for rule in acting:
                    if truth(rule.when(Env(program, customer, at))):  # type: ignore[misc]
                        self.act(rule, customer, at, None)
        for rule in due:
            if rule.streak is not None:
                metric = self.metrics[rule.streak.metric]
                values = metrics.compute(program, metric, customers.values(), at, self.people)
                self.world.streaks.check(rule, values)

    def act(self, rule: Rule, customer: Customer, at: datetime, event: Event | None) -> None:
        """Do what `rule` says to `customer`, unless the state or the quota does not allow it."""
        world = self.world
        saved, version = customer.save(), customer.version
        values: dict[str, Any] = {}
        taken: str | None = None
        if rule.action is not None:
            if event is None:  # a swept action: `event.at` is the sweep's instant
                event = action_event(rule.action, customer.id, at)
            move = self._move(rule.action, customer, at, event)
            if move is None:
                return
            values = take(self.program, customer, move, at, event)
            taken = move.name
        elif rule.assign is not None or rule.routes:
            owner, taking = customer.owner, self._taking_move(customer)

            def admits(rep: str) -> bool:
                nonlocal values, taken
                if rep == owner:
                    return True  # already the owner's: nothing to do
                if taking is not None:
                    values = take(self.program, customer, taking, at, event, actor=rep)
                    taken = taking.name
                else:
                    set_owner(customer, rep, at)
                    values = {"owner": rep}
                if world.over_limit(customer, at) is not None:
                    customer.restore(saved)
                    return False
                return True

            rep = self.router.pick(rule, customer, at, event, admits)
            if rep is None or rep == owner:
                return
        if world.over_limit(customer, at) is not None:
            customer.restore(saved)
            return
        world.commit(customer, at)
        if customer.version != version:
            world.timers.schedule(customer)
        world.rules_fired[rule.name] += 1
        counted = self.program.extra.get("counters")
        if counted is not None and rule.action is None:
            counted.note(ROUTED, at, customer.owner, customer.owner, customer.id)
        if taken is not None:
            world.taken[taken] += 1
        if customer.id == self.watch:
            world.steps.append(
                Step(at, "rule", None, f"rule {rule.name}", customer.state, values=values)
            )
        if self.noted is not None:
            self.noted(customer, rule.name, at, values)

    def _move(
        self, kind: str, customer: Customer, at: datetime, event: Event | None
    ) -> Move | None:
        program = self.program
        env = Env(program, customer, at, event)
        for move in program.moves_by_event.get(kind, ()):
            if customer.state in move.sources and move.argument is None:
                if move.when is None or truth(move.when(env)):
                    return move
        return None

    def _taking_move(self, customer: Customer) -> Move | None:
        """For a customer in a public state: the first transition out of it that gives the
        customer an owner (`set: {owner: actor}`, a claim), taken for the routed rep."""
        program = self.program
        if customer.state not in program.public_states:
            return None
        for moves in program.moves_by_event.values():
            for move in moves:
                if customer.state in move.sources and any(n == "owner" for n, _ in move.sets):
                    return move
        return None


def action_event(kind: str, customer: str, at: datetime) -> Event:
    """The event a swept rule action applies: its type, the sweep's instant, no actor (an
    action is nobody's: `actor` is null) and no row (row 0)."""
    return Event(0, at, customer, kind, cast(str, None))
