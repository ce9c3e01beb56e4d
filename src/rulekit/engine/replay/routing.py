"""Which rep a routing rule gives a lead to: `assign`/`overflow`, or an ordered list of routes.

- `do: {assign, overflow}` (the first routing syntax): the reps of the target with the fewest
  open leads first, skipping reps for whom `overflow.when` holds and reps at their limit, then
  the `overflow.to` target.
- `do: {routes: [...]}`: the routes in order; the first whose `when` holds (no `when`: any
  lead) and that finds a rep wins. In a route, reps for whom `skip` holds and reps at their
  limit (or whom a named quota would refuse the lead) are passed over; `strategy:
  least_loaded` takes the rep with the fewest open leads (per unit of `weight`, a number
  column of the people file), `round_robin` takes the reps of the team in the people file's
  order, one after the other (with a `weight`, a smooth weighted round robin: a rep of
  weight 2 gets two leads for one of a rep of weight 1).
A rep whose weight cell is blank weighs 1; a weight of 0 or less takes no lead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.rules import Route, Rule
from rulekit.lang.runtime import truth


class Router:
    """Picks reps for routing rules; keeps each round robin's turn."""

    def __init__(
        self,
        program: Program,
        people: People,
        used: Callable[[str], int],
        has_room: Callable[[str], bool],
    ) -> None:
        self.program, self.people = program, people
        self.used, self.has_room = used, has_room
        self.last: dict[tuple[str, int], str] = {}  # (rule, route) -> the last rep given
        self.credit: dict[tuple[str, int], dict[str, float]] = {}  # weighted round robin

    def members(self, target: str) -> list[str]:
        """The reps a target names: `team:NAME` (people-file order) or one rep id."""
        if target.startswith("team:"):
            team = target.removeprefix("team:")
            return [p.id for p in self.people.listed.values() if p.role == "rep" and p.team == team]
        return [target]

    def pick(
        self,
        rule: Rule,
        customer: Customer,
        at: datetime,
        event: Event | None,
        admits: Callable[[str], bool],
    ) -> str | None:
        """The rep `rule` gives `customer` to, or None. Reps are tried in the strategy's
        order; `admits(rep)` gives the customer to the rep and says whether every quota
        allows it (if not, it undoes that and the next rep is tried)."""
        if rule.routes:
            return self._routes(rule, customer, at, event, admits)
        assert rule.assign is not None
        for target in (rule.assign, rule.overflow_to):
            if target is None:
                continue
            reps = sorted(self.members(target), key=lambda r: (self.used(r), r))
            for rep in reps:
                if target == rule.assign and rule.overflow_when is not None:
                    env = Env(self.program, customer, at, event, bound={"rep": rep})
                    if truth(rule.overflow_when(env)):
                        continue  # full: try the next rep, then the overflow target
                if self.has_room(rep) and admits(rep):
                    return rep
        return None

    def _routes(
        self,
        rule: Rule,
        customer: Customer,
        at: datetime,
        event: Event | None,
        admits: Callable[[str], bool],
    ) -> str | None:
        program = self.program
        for i, route in enumerate(rule.routes):
            if route.when is not None:
                if not truth(route.when(Env(program, customer, at, event))):
                    continue
            open_reps = []
            for rep in self.members(route.assign):
                if self.weight(route, rep) <= 0 or not self.has_room(rep):
                    continue
                if route.skip is not None:
                    env = Env(program, customer, at, event, bound={"rep": rep})
                    if truth(route.skip(env)):
                        continue
                open_reps.append(rep)
            for rep in self._order((rule.name, i), route, open_reps):
                if admits(rep):
                    self._given((rule.name, i), route, open_reps, rep)
                    return rep
        return None

    def weight(self, route: Route, rep: str) -> float:
        """The rep's weight in a route: its number in the `weight` column (1 if blank)."""
        if route.weight is None:
            return 1.0
        person = self.people.listed.get(rep)
        cell = person.attributes.get(route.weight) if person is not None else None
        if cell is None:
            return 1.0
        try:
            return float(cell)
        except ValueError:
            return 1.0

    def _order(self, key: tuple[str, int], route: Route, reps: list[str]) -> list[str]:
        """The open reps of a route in the order its strategy tries them."""
        if route.strategy == "least_loaded":
            return sorted(reps, key=lambda r: (self.used(r) / self.weight(route, r), r))
        if route.weight is None:
            every = self.members(route.assign)
            last = self.last.get(key)
            start = every.index(last) + 1 if last in every else 0
            return [r for r in every[start:] + every[:start] if r in reps]
        credit = self.credit.get(key, {})
        after = {r: credit.get(r, 0.0) + self.weight(route, r) for r in reps}
        return sorted(reps, key=lambda r: -after[r])  # stable: the first of the best on a tie

    def _given(self, key: tuple[str, int], route: Route, reps: list[str], chosen: str) -> None:
        """Move a round robin on once `chosen` took the lead."""
        if route.strategy != "round_robin":
            return
        self.last[key] = chosen
        if route.weight is not None:
            credit = self.credit.setdefault(key, {})
            for rep in reps:
                credit[rep] = credit.get(rep, 0.0) + self.weight(route, rep)
            credit[chosen] -= sum(self.weight(route, r) for r in reps)
