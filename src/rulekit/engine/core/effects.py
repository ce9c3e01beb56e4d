"""What taking a transition does to a customer: `set` values, cleared stages, the new state.

Shared by events, approvals and timers. The caller decides whether the move is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from rulekit.engine.core.event import Event
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env


def take(
    program: Program,
    customer: Customer,
    move: Move,
    at: datetime,
    event: Event | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Apply `move` to `customer` at `at`; return the values it set (for traces).

    `set` values are computed first, all against the record as it was; then the stages are
    cleared if asked, the values stored, and the state entered (a new `state_since` and stale
    timers) unless the move stays in the same state. The customer's `flags`, `dates` and
    `fields` are replaced, never changed in place, so that `Customer.save` may keep references.
    """
    env: Env | None = None
    target = move.target
    if move.choose is not None:  # picked against the record as it was
        env = Env(program, customer, at, event, actor)
        target = move.choose.pick(customer.flags, env)
    values: dict[str, Any] = {}
    for name, value in move.sets:
        if callable(value):
            quick = _QUICK.get(getattr(value, "python_source", ""))
            if quick is not None:
                value = quick(event, actor)
            else:
                if env is None:
                    env = Env(program, customer, at, event, actor)
                value = value(env)
        values[name] = value
    if move.clear_stages:
        n = len(customer.flags)
        customer.flags = [0] * n
        customer.dates = [None] * n
    fields = None
    for name, value in values.items():
        if name == "owner":
            if value != customer.owner:
                set_owner(customer, value, at)
        elif name == "pending_owner":
            customer.pending_owner = value
        else:
            if fields is None:
                fields = dict(customer.fields)  # a new dict: `Customer.save` keeps the old one
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
    if fields is not None:
        customer.fields = fields
    if target is not None:
        customer.state = target
        customer.state_since = at
        customer.version += 1
    return values


def _actor(event: Event | None, actor: str | None) -> Any:
    return actor if actor is not None else (event.actor if event is not None else None)


def _event_attr(name: str) -> Callable[[Event | None, str | None], Any]:
    def read(event: Event | None, actor: str | None) -> Any:
        return getattr(event, name) if event is not None else None

    return read


#: `set` values that only read the actor or a core column of the event (`owner: actor`,
#: `last_activity_at: event.at`, `owner: event.to`), by the source the condition compiles to,
#: read without building an Env: the same value (`Env.get` and `Event.as_mapping` give these
#: names before any field of the same name). `QUICK_READS` names what each reads.
QUICK_READS: dict[str, str] = {
    "lambda env: env.get('actor')": "actor",
    **{
        f"lambda env: _attr(env.get('event'), {name!r})": f"event.{name}"
        for name in ("row", "at", "customer", "type", "actor", "stage", "to")
    },
}
_QUICK: dict[str, Callable[[Event | None, str | None], Any]] = {
    source: _actor if read == "actor" else _event_attr(read.removeprefix("event."))
    for source, read in QUICK_READS.items()
}


def set_owner(customer: Customer, owner: str | None, at: datetime) -> None:
    """Give `customer` to `owner` (None: nobody) at `at`: the previous owner is remembered
    with the instant it left, and `owned_since` restarts (a new tuple: `save` keeps the old)."""
    if customer.owner is not None:
        customer.past = (*customer.past, (customer.owner, at))
    customer.owner = owner
    customer.owned_since = at if owner is not None else None


def mark_stage(program: Program, customer: Customer, stage: str, at: datetime) -> None:
    """Set a stage's flag to 1 with its date (a promoting event); new lists, as for `take`."""
    i = program.stage_index[stage] - 1
    flags, dates = list(customer.flags), list(customer.dates)
    flags[i] = 1
    dates[i] = at
    customer.flags, customer.dates = flags, dates


def add_fields(customer: Customer, fields: Mapping[str, Any]) -> None:
    """Copy an event's fields onto the customer (a new dict, as for `take`)."""
    if fields:
        customer.fields = {**customer.fields, **fields}
