"""What a replay builds: every customer, the slot ledger, the refusals, and what happened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer
from rulekit.engine.core.slots import Ledger
from rulekit.engine.core.timers import Timers

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
