"""The quota of sales rights: which reps a customer takes a slot of, and each rep's count.

A customer takes a slot of its owner while the policy's `quota.holds_slot` holds for it, and
a slot of its pending owner while a claim awaits approval.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from rulekit.engine.people import People
from rulekit.engine.program import Program
from rulekit.engine.record import Customer, Env


class Ledger:
    """Slots used per rep, kept up to date customer by customer."""

    def __init__(self, program: Program, people: People) -> None:
        self.program = program
        self.people = people
        self.used: Counter[str] = Counter()
        self.held: dict[str, tuple[str, ...]] = {}

    def _owner_holds(self, customer: Customer, now: datetime) -> bool:
        holds = self.program.holds_slot
        return holds is not None and holds(Env(self.program, customer, now))

    def holders(self, customer: Customer, now: datetime) -> tuple[str, ...]:
        """The reps whose slots `customer` takes as it is now."""
        owner, pending = customer.owner, customer.pending_owner
        holds = owner is not None and self._owner_holds(customer, now)
        if pending is None:
            return (owner,) if holds else ()  # type: ignore[return-value]
        return (owner, pending) if holds else (pending,)  # type: ignore[return-value]

    def over_limit(self, customer: Customer, now: datetime) -> str | None:
        """The first rep that `customer`'s change would take past the limit, if any."""
        before = self.held.get(customer.id, ())
        for rep in self.holders(customer, now):
            if rep in before:
                continue  # already counted (a rep holds at most one slot per customer)
            limit = self.program.limit_for(self.people.team(rep))
            if limit is not None and self.used[rep] + 1 > limit:
                return rep
        return None

    def commit(self, customer: Customer, now: datetime) -> None:
        """Record the slots `customer` takes now."""
        before = self.held.get(customer.id, ())
        after = self.holders(customer, now)
        if before == after:
            return
        used = self.used
        for rep in before:
            used[rep] -= 1
        for rep in after:
            used[rep] += 1
        self.held[customer.id] = after

    def limit(self, rep: str) -> int | None:
        """The rep's limit."""
        return self.program.limit_for(self.people.team(rep))
