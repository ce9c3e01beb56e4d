"""A customer's record during a run, and the environment conditions read it through.

`Env.get(name)` answers every name of the policy's scope (see rulekit.names) from the
record, the event being applied and the evaluation instant, computing stage names on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rulekit.timeutil import whole_days

if TYPE_CHECKING:
    from rulekit.engine.core.event import Event
    from rulekit.engine.core.program import Move, Program, Stage


class Customer:
    """The state of one customer: lifecycle state, owner, pending claim, stage flags, fields."""

    __slots__ = (
        "id",
        "state",
        "owner",
        "pending_owner",
        "pending",
        "state_since",
        "flags",
        "dates",
        "fields",
        "version",
        "owned_since",
        "past",
    )

    def __init__(self, id: str, state: str, n_stages: int, state_since: datetime | None) -> None:
        self.id = id
        self.state = state
        self.owner: str | None = None
        self.pending_owner: str | None = None
        self.pending: Move | None = None
        self.state_since = state_since
        self.flags = [0] * n_stages
        self.dates: list[datetime | None] = [None] * n_stages
        self.fields: dict[str, Any] = {}
        self.version = 0  # bumped on every change of state: older timers are stale
        self.owned_since: datetime | None = None  # when the owner got it (effects.set_owner)
        self.past: tuple[tuple[str, datetime], ...] = ()  # (previous owner, instant it left)

    def save(self) -> tuple[Any, ...]:
        """Everything an event may change, to undo a refused event.

        Cheap: it keeps references, because `flags`, `dates` and `fields` are never changed in
        place (see rulekit.engine.effects: a change replaces the list or the dict).
        """
        return (
            self.state,
            self.owner,
            self.pending_owner,
            self.pending,
            self.state_since,
            self.flags,
            self.dates,
            self.fields,
            self.version,
            self.owned_since,
            self.past,
        )

    def restore(self, saved: tuple[Any, ...]) -> None:
        """Undo to a `save()`."""
        (
            self.state,
            self.owner,
            self.pending_owner,
            self.pending,
            self.state_since,
            self.flags,
            self.dates,
            self.fields,
            self.version,
            self.owned_since,
            self.past,
        ) = saved

    def stage_index(self) -> int:
        """1-based index of the furthest stage in an unbroken run of 1s (0: no stage)."""
        n = 0
        for flag in self.flags:
            if flag != 1:
                break
            n += 1
        return n

    def has_gap(self) -> bool:
        """True if a stage flag is 1 after a 0 (a skipped stage)."""
        seen_zero = False
        for flag in self.flags:
            if flag != 1:
                seen_zero = True
            elif seen_zero:
                return True
        return False


class StageView:
    """A stage as a condition sees it for one customer: targets plus the customer's flag."""

    __slots__ = ("_stage", "_customer")

    def __init__(self, stage: Stage, customer: Customer | None) -> None:
        self._stage = stage
        self._customer = customer

    def __getattr__(self, name: str) -> Any:
        stage = self._stage
        if name == "flag":
            return self._customer.flags[stage.index - 1] if self._customer else None
        if name == "at":
            return self._customer.dates[stage.index - 1] if self._customer else None
        if name == "code":
            return stage.code
        return getattr(stage, name, None)


class StagesView:
    """`stages.D`: every stage by code."""

    __slots__ = ("_env",)

    def __init__(self, env: Env) -> None:
        self._env = env

    def __getattr__(self, code: str) -> Any:
        index = self._env.program.stage_index.get(code)
        return self._env.stage(index) if index else None


class Env(Mapping[str, Any]):
    """The names a condition reads, for one customer at one instant (and maybe one event)."""

    __slots__ = ("program", "customer", "now", "event", "actor", "bound", "_event_map")
    program: Program
    customer: Customer
    now: datetime
    event: Event | None
    actor: str | None
    bound: dict[str, Any] | None

    def __init__(
        self,
        program: Program,
        customer: Customer,
        now: datetime,
        event: Event | None = None,
        actor: str | None = None,
        bound: dict[str, Any] | None = None,
    ) -> None:
        self.program = program
        self.customer = customer
        self.now = now
        self.event = event
        self.actor = actor if actor is not None else (event.actor if event else None)
        self.bound = bound  # names a rule binds for one check, such as `rep`
        self._event_map: dict[str, Any] | None = None

    def event_map(self) -> dict[str, Any] | None:
        """`event` as conditions read it (built on first use), or None without an event."""
        found = self._event_map
        if found is None and self.event is not None:
            found = self._event_map = self.event.as_mapping()
        return found

    def get(self, name: str, default: Any = None) -> Any:
        """The value of `name`: a record property, a stage object, the event, or a field."""
        bound = self.bound
        if bound is not None and name in bound:
            return bound[name]
        getter = _GETTERS.get(name)
        if getter is not None:
            return getter(self)
        event = self.event
        if event is not None and name in event.fields:
            return event.fields[name]
        value = self.customer.fields.get(name)
        if value is None:
            return self.program.field_defaults.get(name, default)
        return value

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_GETTERS)

    def __len__(self) -> int:
        return len(_GETTERS)

    def stage(self, index: int) -> StageView | None:
        """The stage at 1-based `index` as seen by this customer, or None."""
        stage = self.program.stage_at(index)
        return StageView(stage, self.customer) if stage is not None else None

    def days_since(self, instant: datetime | None) -> int | None:
        """Whole days from `instant` to now."""
        return whole_days(instant, self.now) if instant is not None else None


def _stage_since(env: Env) -> datetime | None:
    c = env.customer
    i = c.stage_index()
    return c.dates[i - 1] if i and c.dates[i - 1] is not None else c.state_since


def _state_stage_index(env: Env) -> int:
    return env.program.stage_index.get(env.customer.state, 0)


_GETTERS: dict[str, Callable[[Env], Any]] = {
    "customer": lambda e: e.customer.id,
    "state": lambda e: e.customer.state,
    "owner": lambda e: e.customer.owner,
    "pending_owner": lambda e: e.customer.pending_owner,
    "pending": lambda e: e.customer.pending is not None,
    "state_since": lambda e: e.customer.state_since,
    "days_in_state": lambda e: e.days_since(e.customer.state_since),
    "stage": lambda e: s.code if (s := e.program.stage_at(e.customer.stage_index())) else None,
    "stage_index": lambda e: e.customer.stage_index() or None,
    "stage_since": _stage_since,
    "days_in_stage": lambda e: e.days_since(_stage_since(e)),
    "this_stage": lambda e: e.stage(e.customer.stage_index()),
    "next_stage": lambda e: e.stage(e.customer.stage_index() + 1),
    "first_stage": lambda e: e.stage(1),
    "last_stage": lambda e: e.stage(len(e.program.stages)),
    "stage_of_state": lambda e: e.stage(_state_stage_index(e)),
    "stage_after_state": lambda e: e.stage(_state_stage_index(e) + 1),
    "stages": lambda e: StagesView(e),
    "actor": lambda e: e.actor,
    "event": lambda e: e.event_map(),
    "now": lambda e: e.now,
    "rep": lambda e: None,
    "owned_since": lambda e: e.customer.owned_since,
    "previous_owners": lambda e: [rep for rep, _ in e.customer.past],
    "__past__": lambda e: e.customer.past,
    "__slots__": lambda e: e.program.extra.get("slots"),
    "__counters__": lambda e: e.program.extra.get("counters"),
    "__people__": lambda e: e.program.extra.get("people"),
    "tz": lambda e: e.program.tz,
    "params": lambda e: e.program.params,
}
