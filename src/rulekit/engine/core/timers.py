"""Timed transitions: scheduled when a customer enters a state, fired in time order.

A timer due at instant t fires before any event at t; the state it enters starts at t.
Entering a state anew (or leaving it) makes the timers scheduled before stale.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env
from rulekit.lang.runtime import truth


class Timers:
    """A queue of (due, customer, move), oldest first; stale entries are skipped.

    `queue` is a heap of (due, sequence, customer id, customer version, move): a hot loop may
    look at `queue[0][0]` to know whether anything is due before calling `fire_until`.
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        self.queue: list[tuple[datetime, int, str, int, Move]] = []
        self._seq = 0

    def schedule(self, customer: Customer) -> None:
        """Queue the timers of the customer's current state, from its `state_since`."""
        since = customer.state_since
        if since is None:
            return
        for move in self.program.timers_from.get(customer.state, ()):
            assert move.after is not None
            self._seq += 1
            heapq.heappush(
                self.queue,
                (move.after.add_to(since), self._seq, customer.id, customer.version, move),
            )

    def due(self, customer: Customer) -> tuple[Move, datetime] | None:
        """The first timer of the customer's state that may fire, and when (for `run`)."""
        since = customer.state_since
        if since is None:
            return None
        for move in self.program.timers_from.get(customer.state, ()):
            assert move.after is not None
            return move, move.after.add_to(since)
        return None

    def fire_until(
        self,
        until: datetime,
        customers: dict[str, Customer],
        fire: Callable[[Customer, Move, datetime], None],
    ) -> None:
        """Fire every timer due at or before `until`, in time order."""
        heap = self.queue
        while heap and heap[0][0] <= until:
            due, _, cid, version, move = heapq.heappop(heap)
            customer = customers[cid]
            if customer.version != version:
                continue
            if move.when is not None and not truth(move.when(Env(self.program, customer, due))):
                continue
            fire(customer, move, due)
