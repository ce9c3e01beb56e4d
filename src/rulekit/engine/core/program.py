"""The runtime view of a compiled policy: transitions indexed by event and state, stage order.

Built once per run, so the replay loop does dictionary lookups and calls compiled
conditions, never walks the policy's models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from rulekit.engine.core.selector import Selector
from rulekit.engine.core.targets import Choice
from rulekit.graph.build import ANY, SAME, START, Trigger
from rulekit.timeutil import Duration

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy, SortKey
    from rulekit.engine.core.rules import Rule
    from rulekit.lang import Condition


@dataclass(frozen=True, slots=True)
class Target:
    """A stage's capability targets."""

    count: int | None
    reach: float | None
    days: float | None
    cost: float | None


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage of the path as conditions see it (per-customer parts come from `StageView`)."""

    code: str
    index: int  # 1 for the first stage
    name: str | None
    title: str | None
    capability: str | None
    target: Target
    requires: Condition | None


@dataclass(frozen=True, slots=True)
class Move:
    """A transition, ready to run."""

    name: str
    sources: frozenset[str]
    target: str | None  # None: stays in the same state
    event: str | None
    argument: str | None
    after: Duration | None
    roles: frozenset[str]
    approval: str | None
    when: Condition | None
    sets: tuple[tuple[str, Any], ...]  # (field, Condition or a constant)
    clear_stages: bool
    order: int  # position in the policy
    choose: Choice | None = None  # a target that depends on the customer (`target`: its else)


@dataclass(slots=True)
class Program:
    """Everything the engine needs from a policy, indexed for the hot loop."""

    policy: CompiledPolicy
    tz: tzinfo
    stages: list[Stage]
    stage_index: dict[str, int]
    states: list[str]
    public_states: frozenset[str]
    moves_by_event: dict[str, list[Move]]
    timers_from: dict[str, list[Move]]
    event_roles: dict[str, frozenset[str]]
    decides: dict[str, str]
    promotes: frozenset[str]
    needs: dict[str, tuple[str, ...]]
    approver_roles: frozenset[str]
    holds_slot: Selector | None
    limit: int | None
    team_limits: dict[str, int]
    field_types: dict[str, str]
    field_defaults: dict[str, Any]
    columns: dict[str, str]  # column name in a table -> field or core name
    formats: dict[str, str]  # field or core name -> its date format (`format:` in the policy)
    rank_among: Selector | None
    rank_order: tuple[SortKey, ...]
    overdue: tuple[Selector, Condition] | None
    forecast: tuple[Selector, Condition] | None
    approval_from: dict[str, Move] = field(default_factory=dict)  # state -> move claims wait on
    rules: list[Rule] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # `params.NAME` as conditions read it

    def stage_at(self, index: int) -> Stage | None:
        """The stage at 1-based `index`, or None outside the path."""
        return self.stages[index - 1] if 1 <= index <= len(self.stages) else None

    def event_reading(self) -> tuple[Any, ...]:
        """Everything `read_events` reads a history by: two programs with equal readings read
        a table into the same events and bad rows (a dry-run reads its history once)."""
        return (
            self.tz,
            self.columns,
            self.formats,
            self.field_types,
            self.moves_by_event.keys() | self.decides.keys(),
            self.promotes,
            self.needs,
            self.stage_index,
        )

    def limit_for(self, team: str | None) -> int | None:
        """The slot limit of a rep of `team`."""
        if team is not None and team in self.team_limits:
            return self.team_limits[team]
        return self.limit


def _constant_or_condition(policy: CompiledPolicy, path: tuple[str, ...], value: Any) -> Any:
    cond = policy.conditions.get(path)
    return cond if cond is not None else value


def _param(value: Any, policy: CompiledPolicy) -> Any:
    """A date parameter as an instant in the policy's zone; other values as they are."""
    if isinstance(value, str):
        from rulekit.timeutil import parse_instant

        try:
            return parse_instant(value, policy.tz) if value[:4].isdigit() else value
        except ValueError:
            return value
    return value


def _choice(policy: CompiledPolicy, name: str, to: Any, stages: list[Stage]) -> Choice | None:
    """The engine's form of a `to:` that depends on the customer, or None for a plain state."""
    if isinstance(to, str):
        return None
    states = policy.model.states
    return Choice(
        to.resume is not None,
        policy.conditions.get(("transitions", name, "to", "case")),
        dict(to.map),
        {s.index: s.code for s in stages if s.code in states},
        to.else_,
    )


def _selector(condition: Condition | None) -> Selector | None:
    return Selector(condition) if condition is not None else None


def build(policy: CompiledPolicy) -> Program:
    """Index a compiled policy for the engine."""
    model = policy.model
    stages = []
    for i, (code, spec) in enumerate(model.stages.items(), start=1):
        goal = spec.target
        stages.append(
            Stage(
                code,
                i,
                spec.name,
                spec.title,
                spec.capability,
                Target(goal.count, goal.reach, goal.days, goal.cost),
                policy.conditions.get(("stages", code, "requires")),
            )
        )
    moves_by_event: dict[str, list[Move]] = {}
    timers_from: dict[str, list[Move]] = {}
    for order, (name, t) in enumerate(model.transitions.items()):
        trigger = Trigger.of(t.on, t.after)
        sources: set[str] = set()
        for s in t.from_:
            sources |= set(model.states) if s == ANY else {s}
        sets = tuple(
            (target, _constant_or_condition(policy, ("transitions", name, "set", target), value))
            for target, value in t.set.items()
        )
        choice = _choice(policy, name, t.to, stages)
        move = Move(
            name,
            frozenset(sources),
            choice.otherwise if choice is not None else (None if t.to == SAME else str(t.to)),
            trigger.event,
            trigger.argument,
            trigger.after,
            frozenset(t.by),
            t.approval,
            policy.conditions.get(("transitions", name, "when")),
            sets,
            t.clear_stages,
            order,
            choice,
        )
        if trigger.is_timer:
            for s in sources:
                timers_from.setdefault(s, []).append(move)
        else:
            moves_by_event.setdefault(trigger.event or "", []).append(move)
    for moves in timers_from.values():
        moves.sort(key=lambda m: ((m.after or Duration()).approx_days, m.order))
    events = model.events
    quota = model.quota
    columns: dict[str, str] = {}
    for name, fspec in model.fields.items():
        columns[fspec.column or name] = name
    defaults = {n: f.default for n, f in model.fields.items() if f.default is not None}
    measure = {}
    for section in ("overdue", "forecast"):
        among = policy.conditions.get((section, "among"))
        value = policy.conditions.get((section, "value"))
        measure[section] = (
            (Selector(among), value) if among is not None and value is not None else None
        )
    from rulekit.engine.core.rules import build as build_rules

    approval_from = {
        state: move
        for moves in moves_by_event.values()
        for move in moves
        if move.approval
        for state in move.sources
    }
    from rulekit.names import param_value

    params = {}
    for name, raw in model.params.items():
        found = param_value(raw)
        params[name] = _param(found[1], policy) if found is not None else None
    return Program(
        params=params,
        approval_from=approval_from,
        rules=build_rules(policy),
        policy=policy,
        tz=policy.tz,
        stages=stages,
        stage_index={s.code: s.index for s in stages},
        states=list(model.states),
        public_states=frozenset(n for n, s in model.states.items() if s is not None and s.public),
        moves_by_event=moves_by_event,
        timers_from=timers_from,
        event_roles={
            e: frozenset(r for m in moves for r in m.roles) for e, moves in moves_by_event.items()
        },
        decides={e: s.decides for e, s in events.items() if s is not None and s.decides},
        promotes=frozenset(e for e, s in events.items() if s is not None and s.promotes),
        needs={e: tuple(s.needs) for e, s in events.items() if s is not None and s.needs},
        approver_roles=frozenset(
            [t.approval for t in model.transitions.values() if t.approval is not None]
            + [r for s in events.values() if s is not None and s.decides for r in s.by or ()]
        ),
        holds_slot=_selector(policy.conditions.get(("quota", "holds_slot"))),
        limit=quota.limit if quota is not None else None,
        team_limits=dict(quota.by_team) if quota is not None else {},
        field_types={n: f.type for n, f in model.fields.items()},
        field_defaults=defaults,
        columns=columns,
        formats={n: f.format for n, f in model.fields.items() if f.format is not None},
        rank_among=_selector(policy.conditions.get(("priority", "among"))),
        rank_order=policy.order,
        overdue=measure["overdue"],
        forecast=measure["forecast"],
    )


__all__ = ["START", "Move", "Program", "Stage", "Target", "build"]
