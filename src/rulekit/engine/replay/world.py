"""What a replay builds: every customer, the slot ledger, the refusals, and what happened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from rulekit.engine.core.event import Event
from rulekit.engine.core.metrics import Streaks
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer
from rulekit.engine.core.slots import Ledger, named_ledgers
from rulekit.engine.core.timers import Timers
from rulekit.engine.replay.refusals import Rejection

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


#: the details of the refusals whose text does not depend on the event
NOT_ARCHIVED = "the customer has not been archived"
ALREADY_KNOWN = "the customer is already known"
NOTHING_PENDING = "nothing awaits approval"


def no_transition(state: str, kind: str) -> str:
    """The detail of invalid_transition."""
    return f"no transition from {state} on {kind}"


def not_public(state: str) -> str:
    """The detail of not_public."""
    return f"the customer is in {state}, not in the pool"


def over_quota(ledger: Ledger, rep: str) -> str:
    """The detail of quota_exceeded for an event that takes a transition."""
    return quota_detail(rep, ledger.used[rep], ledger.limit(rep))


@lru_cache(maxsize=4096)
def quota_detail(rep: str, used: int, limit: int | None) -> str:
    """`over_quota` of a rep that holds `used` slots of its `limit` (made once per rep at its
    limit: a large history refuses hundreds of thousands of archives with the same text)."""
    return f"{rep} holds {used} of {limit} slots"


def at_limit(rep: str) -> str:
    """The detail of quota_exceeded for a decision on a pending claim."""
    return f"{rep} is at the limit"


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
    rejected: list[Rejection] = field(default_factory=list)  # the fast loop's: plain tuples
    applied: int = 0
    timers_fired: int = 0
    actors: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)
    taken: Counter[str] = field(default_factory=Counter)  # transition name -> times taken
    refused: Counter[str] = field(default_factory=Counter)  # transition name -> times refused
    rules_fired: Counter[str] = field(default_factory=Counter)  # rule name -> actions taken
    streaks: Streaks = field(default_factory=Streaks)  # streak rules' runs per group
    ledger: Ledger = field(init=False)
    quotas: list[tuple[str, Ledger]] = field(init=False)  # the named quotas
    timers: Timers = field(init=False)

    def __post_init__(self) -> None:
        self.program.extra["people"] = self.people  # team(), is_admin(), person() read it
        self.ledger = Ledger(self.program, self.people)
        self.quotas = named_ledgers(self.program, self.people)
        self.timers = Timers(self.program)

    def over_limit(self, customer: Customer, now: datetime) -> tuple[str, str] | None:
        """(rep, quota) of the first quota `customer`'s change takes a rep past: `quota`
        (the policy's `quota:`) first, then the named quotas in order."""
        rep = self.ledger.over_limit(customer, now)
        if rep is not None:
            return rep, "quota"
        for name, ledger in self.quotas:
            rep = ledger.over_limit(customer, now)
            if rep is not None:
                return rep, name
        return None

    def commit(self, customer: Customer, now: datetime) -> None:
        """Record the slots `customer` takes now, in every quota."""
        self.ledger.commit(customer, now)
        for _, ledger in self.quotas:
            ledger.commit(customer, now)

    def admit(self, customer: Customer, now: datetime) -> tuple[str, str] | None:
        """`over_limit`, then `commit` if no quota refuses."""
        if not self.quotas:
            rep = self.ledger.admit(customer, now)
            return (rep, "quota") if rep is not None else None
        refused = self.over_limit(customer, now)
        if refused is None:
            self.commit(customer, now)
        return refused

    def quota_ledger(self, name: str) -> Ledger:
        """The ledger of quota `name` (`quota` for the policy's `quota:`)."""
        return dict(self.quotas).get(name, self.ledger)
