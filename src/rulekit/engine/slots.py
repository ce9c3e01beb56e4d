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
from rulekit.lang.runtime import truth


class Ledger:
    """Slots used per rep, kept up to date customer by customer."""

    def __init__(self, program: Program, people: People) -> None:
        self.program = program
        self.people = people
        self.used: Counter[str] = Counter()
        self.held: dict[str, tuple[str, ...]] = {}

    def holders(self, customer: Customer, now: datetime) -> tuple[str, ...]:
        """The reps whose slots `customer` takes as it is now."""
        cond = self.program.holds_slot
        if cond is None:
            return ()
        out: list[str] = []
        if customer.owner is not None and truth(cond(Env(self.program, customer, now))):
            out.append(customer.owner)
        if customer.pending_owner is not None:
            out.append(customer.pending_owner)
        return tuple(out)

    def over_limit(self, customer: Customer, now: datetime) -> str | None:
        """The first rep that `customer`'s change would take past the limit, if any."""
        before = Counter(self.held.get(customer.id, ()))
        after = Counter(self.holders(customer, now))
        for rep, n in after.items():
            gained = n - before.get(rep, 0)
            if gained > 0:
                limit = self.program.limit_for(self.people.team(rep))
                if limit is not None and self.used[rep] + gained > limit:
                    return rep
        return None

    def commit(self, customer: Customer, now: datetime) -> None:
        """Record the slots `customer` takes now."""
        before = self.held.get(customer.id, ())
        after = self.holders(customer, now)
        if before == after:
            return
        self.used.subtract(before)
        self.used.update(after)
        self.held[customer.id] = after

    def limit(self, rep: str) -> int | None:
        """The rep's limit."""
        return self.program.limit_for(self.people.team(rep))
