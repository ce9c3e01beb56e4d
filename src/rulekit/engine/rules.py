"""Policy rules at run time: alerts, automatic actions on a daily sweep, lead routing on events.

- A rule whose `when` reads the event (`event.type == 'archive'`) is checked right after each
  applied event, against that event's customer: routing (`do: {assign, overflow}`) lives here.
  Routing gives the customer to the rep of the `assign` target (`team:NAME` or a rep id) with
  the fewest open leads, skipping reps for whom `overflow.when` holds (it may read `rep`) and
  reps at their limit, then tries the `overflow.to` target. A customer in a public state takes
  the first transition out of it that sets an owner (a claim, approval skipped) for that rep.
- A rule with a `do` action that does not read the event is checked on a daily sweep at 00:00
  in the policy's timezone, for every customer (auto-recycle, auto-publish). Its action is an
  event type: the customer takes the transition that event would take from its state, as if
  an admin did it (no role check; `when` and the quota still apply).
- A rule with an `alert` raises it for each customer its `when` holds for at as-of.
Rule actions are not events: they are counted in `rules_fired`, not in `counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rulekit.engine.effects import take
from rulekit.engine.program import Move, Program
from rulekit.engine.record import Customer, Env
from rulekit.lang.runtime import truth

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.engine.events import Event
    from rulekit.engine.replay import Replayer
    from rulekit.lang import Condition, Template


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule, ready to run."""

    name: str
    when: Condition
    alert: str | None
    message: Template | None
    action: str | None
    assign: str | None
    overflow_when: Condition | None
    overflow_to: str | None

    @property
    def on_event(self) -> bool:
        """True if the rule reads the event being applied (checked after each event)."""
        return bool({"event", "actor"} & self.when.names)

    @property
    def acts(self) -> bool:
        """True if the rule changes customers (not just alerts)."""
        return self.action is not None or self.assign is not None


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule's alert for one customer."""

    customer: str
    rule: str
    level: str
    message: str


def build(policy: CompiledPolicy) -> list[Rule]:
    """The policy's rules, compiled."""
    out = []
    for name, spec in policy.model.rules.items():
        when = policy.conditions.get(("rules", name, "when"))
        if when is None:
            continue
        do = spec.do
        out.append(
            Rule(
                name,
                when,
                spec.alert,
                policy.templates.get(("rules", name, "message")),
                do.action if do else None,
                do.assign if do else None,
                policy.conditions.get(("rules", name, "do", "overflow", "when")),
                do.overflow.to if do and do.overflow else None,
            )
        )
    return out


class RuleRunner:
    """Runs rule actions against a replayer's world."""

    def __init__(self, replayer: Replayer, rules: list[Rule]) -> None:
        self.replayer = replayer
        self.on_event = [r for r in rules if r.acts and r.on_event]
        self.swept = [r for r in rules if r.acts and not r.on_event]

    def after_event(self, customer: Customer, event: Event) -> None:
        """Check the event rules for the customer an event was just applied to."""
        program = self.replayer.program
        for rule in self.on_event:
            if truth(rule.when(Env(program, customer, event.at, event))):
                self.act(rule, customer, event.at, event)

    def sweep(self, at: datetime) -> None:
        """Check the swept rules for every customer at `at`."""
        program = self.replayer.program
        customers = self.replayer.world.customers
        for cid in sorted(customers):
            customer = customers[cid]
            for rule in self.swept:
                if truth(rule.when(Env(program, customer, at))):
                    self.act(rule, customer, at, None)

    def act(self, rule: Rule, customer: Customer, at: datetime, event: Event | None) -> None:
        """Do what `rule` says to `customer`, unless the state or the quota does not allow it."""
        world = self.replayer.world
        saved = customer.save()
        values: dict[str, Any] = {}
        taken: str | None = None
        if rule.action is not None:
            move = self._move(rule.action, customer, at, event)
            if move is None:
                return
            values = take(self.replayer.program, customer, move, at, event)
            taken = move.name
        elif rule.assign is not None:
            rep = self._route(rule, customer, at, event)
            if rep is None or rep == customer.owner:
                return
            taking = self._taking_move(customer)
            if taking is not None:
                values = take(self.replayer.program, customer, taking, at, event, actor=rep)
                taken = taking.name
            else:
                customer.owner = rep
                values = {"owner": rep}
        if world.ledger.over_limit(customer, at) is not None:
            customer.restore(saved)
            return
        world.ledger.commit(customer, at)
        if customer.version != saved[-1]:
            world.timers.schedule(customer)
        world.rules_fired[rule.name] += 1
        if taken is not None:
            world.taken[taken] += 1
        self.replayer.record_rule(customer, rule.name, at, values)

    def _move(
        self, kind: str, customer: Customer, at: datetime, event: Event | None
    ) -> Move | None:
        program = self.replayer.program
        env = Env(program, customer, at, event)
        for move in program.moves_by_event.get(kind, ()):
            if customer.state in move.sources and move.argument is None:
                if move.when is None or truth(move.when(env)):
                    return move
        return None

    def _taking_move(self, customer: Customer) -> Move | None:
        """For a customer in a public state: the first transition out of it that gives the
        customer an owner (`set: {owner: actor}`, a claim), taken for the routed rep."""
        program = self.replayer.program
        if customer.state not in program.public_states:
            return None
        for moves in program.moves_by_event.values():
            for move in moves:
                if customer.state in move.sources and any(n == "owner" for n, _ in move.sets):
                    return move
        return None

    def _candidates(self, target: str) -> list[str]:
        """The reps a routing target names: `team:NAME` or one rep id; fewest slots first."""
        people = self.replayer.people
        used = self.replayer.world.ledger.used
        if target.startswith("team:"):
            team = target.removeprefix("team:")
            reps = [p.id for p in people.listed.values() if p.role == "rep" and p.team == team]
        else:
            reps = [target]
        return sorted(reps, key=lambda r: (used.get(r, 0), r))

    def _route(
        self, rule: Rule, customer: Customer, at: datetime, event: Event | None
    ) -> str | None:
        assert rule.assign is not None
        program = self.replayer.program
        for target in (rule.assign, rule.overflow_to):
            if target is None:
                continue
            for rep in self._candidates(target):
                env = Env(program, customer, at, event, bound={"rep": rep})
                if target == rule.assign and rule.overflow_when is not None:
                    if truth(rule.overflow_when(env)):
                        continue  # full: try the next rep, then the overflow target
                limit = self.replayer.world.ledger.limit(rep)
                if limit is None or self.replayer.world.ledger.used.get(rep, 0) < limit:
                    return rep
        return None


def alerts(
    program: Program, rules: list[Rule], customers: dict[str, Customer], at: datetime
) -> list[Alert]:
    """The alerts of every rule with an `alert`, for every customer, at `at`."""
    out = []
    for cid in sorted(customers):
        customer = customers[cid]
        env = Env(program, customer, at)
        for rule in rules:
            if rule.alert is not None and truth(rule.when(env)):
                text = rule.message.render(env) if rule.message is not None else rule.name
                out.append(Alert(cid, rule.name, rule.alert, text))
    return out
