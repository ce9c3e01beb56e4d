"""The quota of sales rights: which reps a customer takes a slot of, and each rep's count.

A customer takes a slot of its owner while the policy's `quota.holds_slot` holds for it, and
a slot of its pending owner while a claim awaits approval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.core.selector import Selector
from rulekit.policy.pool_models import NamedQuotaSpec


class Ledger:
    """Slots used per rep, kept up to date customer by customer.

    The policy's `quota` by default; a named quota gives its own `holds` selector, its
    `limit_of` (rep -> limit) and whether a pending claim holds a slot.
    """

    def __init__(
        self,
        program: Program,
        people: People,
        holds: Selector | None = None,
        limit_of: Callable[[str], int | None] | None = None,
        pending: bool = True,
    ) -> None:
        self.program = program
        self.people = people
        self.used: Counter[str] = Counter()
        self.held: dict[str, tuple[str, ...]] = {}
        self._limits: dict[str, int | None] = {}  # rep -> limit (people do not change)
        self.holds = holds if limit_of is not None else program.holds_slot
        self._limit_of = limit_of or (lambda rep: program.limit_for(people.team(rep)))
        self._pending = pending
        holds = self.holds
        self._memo = holds.by_state if holds is not None else None  # state -> holds a slot

    def _owner_holds(self, customer: Customer, now: datetime) -> bool:
        holds = self.holds
        return holds is not None and holds(Env(self.program, customer, now))

    def holders(self, customer: Customer, now: datetime) -> tuple[str, ...]:
        """The reps whose slots `customer` takes as it is now."""
        owner, pending = customer.owner, customer.pending_owner
        if owner is None:
            holds = False
        else:
            memo = self._memo
            found = memo.get(customer.state) if memo is not None else None
            holds = found if found is not None else self._owner_holds(customer, now)
        if pending is None or not self._pending:
            return (owner,) if holds else ()  # type: ignore[return-value]
        if not holds or owner == pending:  # the owner's own pending move holds one slot
            return (pending,)
        return (owner, pending)  # type: ignore[return-value]

    def _first_over(self, before: tuple[str, ...], after: tuple[str, ...]) -> str | None:
        for rep in after:
            if rep in before:
                continue  # already counted (a rep holds at most one slot per customer)
            limit = self.limit(rep)
            if limit is not None and self.used[rep] + 1 > limit:
                return rep
        return None

    def over_limit(self, customer: Customer, now: datetime) -> str | None:
        """The first rep that `customer`'s change would take past the limit, if any."""
        return self._first_over(self.held.get(customer.id, ()), self.holders(customer, now))

    def commit(self, customer: Customer, now: datetime) -> None:
        """Record the slots `customer` takes now."""
        self._move(customer.id, self.held.get(customer.id, ()), self.holders(customer, now))

    def admit(self, customer: Customer, now: datetime) -> str | None:
        """`over_limit`, then `commit` if no rep goes past the limit (one look at the holders).

        Returns the rep that would go past the limit (nothing is recorded then), or None.
        """
        before = self.held.get(customer.id, ())
        after = self.holders(customer, now)
        if before == after:
            return None
        rep = self._first_over(before, after)
        if rep is None:
            self._move(customer.id, before, after)
        return rep

    def _move(self, cid: str, before: tuple[str, ...], after: tuple[str, ...]) -> None:
        if before == after:
            return
        used = self.used
        for rep in before:
            used[rep] -= 1
        for rep in after:
            used[rep] += 1
        self.held[cid] = after

    def limit(self, rep: str) -> int | None:
        """The rep's limit."""
        limits = self._limits
        if rep in limits:
            return limits[rep]
        limit = limits[rep] = self._limit_of(rep)
        return limit

    @property
    def limits(self) -> dict[str, int | None]:
        """The limits found so far, by rep (`limit` adds each rep it is asked for)."""
        return self._limits

    def has_room(self, rep: str) -> bool:
        """True if the rep may take one more slot."""
        limit = self.limit(rep)
        return limit is None or self.used.get(rep, 0) < limit


def named_ledgers(program: Program, people: People) -> list[tuple[str, Ledger]]:
    """A ledger per named quota (`quotas:`), in declaration order.

    A rep's limit in a quota is the strictest of those that match it: the quota's `limit`,
    its team's in `by_team`, its own in `by_rep` (no limit if none matches).
    """
    policy = program.policy
    out = []
    for name, spec in policy.model.quotas.items():
        condition = policy.conditions.get(("quotas", name, "holds_slot"))
        if condition is None:
            continue

        def limit_of(rep: str, spec: NamedQuotaSpec = spec) -> int | None:
            team = people.team(rep)
            found = [spec.limit, spec.by_rep.get(rep)]
            found.append(spec.by_team.get(team) if team is not None else None)
            given = [n for n in found if n is not None]
            return min(given) if given else None

        out.append((name, Ledger(program, people, Selector(condition), limit_of, spec.pending)))
    return out
