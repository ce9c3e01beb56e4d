"""Build the state graph of a policy: its states, and one edge per transition and source state.

Nodes are the policy's states plus the pseudo-state `start` (a customer not yet known). Each
transition becomes one edge per state it leaves from, with its trigger: an event
(`on: promote D`) or a timer (`after: 30d`). `StateGraph.to_networkx()` gives the same graph
as a networkx MultiDiGraph (edges keyed by transition name) for drawing and analysis; the
checks run on the plain edge list, so `rulekit validate` does not pay networkx's import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rulekit.record import FrozenRecord, Record
from rulekit.timeutil import Duration

if TYPE_CHECKING:
    import networkx as nx

    from rulekit.policy.models import Policy

START = "start"
ANY = "any"
SAME = "same"


class Trigger(FrozenRecord):
    """What fires a transition: an event type with an optional argument, or a timer."""

    __slots__ = ("event", "argument", "after")
    event: str | None
    argument: str | None
    after: Duration | None

    def __init__(
        self, event: str | None = None, argument: str | None = None, after: Duration | None = None
    ) -> None:
        self._set(event, argument, after)

    @classmethod
    def of(cls, on: str | None, after: Duration | None) -> Trigger:
        """The trigger of a transition's `on` / `after` values."""
        if on is None:
            return cls(after=after)
        event, _, argument = on.strip().partition(" ")
        return cls(event=event, argument=argument.strip() or None)

    @property
    def is_timer(self) -> bool:
        """True for a timer edge."""
        return self.event is None

    def __str__(self) -> str:
        if self.event is None:
            return f"after {self.after}"
        return f"{self.event} {self.argument}" if self.argument else self.event


def targets(policy: Policy, to: Any) -> list[str]:
    """Every state a transition's `to` may lead to: the state, or each state a choice names
    (`map` values, the states named after stages for `resume`, then `else`)."""
    if isinstance(to, str):
        return [to]
    out: list[str] = list(to.map.values())
    if to.resume is not None:
        out += [code for code in policy.stages if code in policy.states]
    out.append(to.else_)
    return list(dict.fromkeys(out))


def sources(policy: Policy, from_states: list[str]) -> list[str]:
    """The states a transition leaves from (`any` is every state, not `start`)."""
    out: list[str] = []
    for state in from_states:
        out += list(policy.states) if state == ANY else [state]
    return out


class Edge(FrozenRecord):
    """One edge of the state graph: transition `transition` from `origin` to `target`."""

    __slots__ = ("origin", "target", "transition", "trigger", "by", "when", "approval")
    origin: str
    target: str
    transition: str
    trigger: Trigger
    by: tuple[str, ...]
    when: str | None
    approval: str | None

    def __init__(
        self,
        origin: str,
        target: str,
        transition: str,
        trigger: Trigger,
        by: tuple[str, ...],
        when: str | None,
        approval: str | None,
    ) -> None:
        self._set(origin, target, transition, trigger, by, when, approval)

    @property
    def kind(self) -> str:
        """`timer` or `event`."""
        return "timer" if self.trigger.is_timer else "event"


class StateGraph(Record):
    """States (with their attributes) and edges, in policy order."""

    __slots__ = ("nodes", "edges")

    def __init__(
        self, nodes: dict[str, dict[str, Any]] | None = None, edges: list[Edge] | None = None
    ) -> None:
        self.nodes: dict[str, dict[str, Any]] = {} if nodes is None else nodes
        self.edges: list[Edge] = [] if edges is None else edges

    def out_edges(self, state: str) -> Iterator[Edge]:
        """The edges leaving `state`."""
        return (e for e in self.edges if e.origin == state)

    def reachable(self, start: str) -> set[str]:
        """Every node reachable from `start`, `start` included."""
        succ: dict[str, set[str]] = {}
        for e in self.edges:
            succ.setdefault(e.origin, set()).add(e.target)
        seen, todo = {start}, [start]
        while todo:
            for nxt in succ.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def to_networkx(self) -> nx.MultiDiGraph:
        """The graph as a networkx MultiDiGraph; edge keys are transition names."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        for name, attrs in self.nodes.items():
            graph.add_node(name, **attrs)
        for e in self.edges:
            graph.add_edge(
                e.origin,
                e.target,
                key=e.transition,
                transition=e.transition,
                trigger=e.trigger,
                kind=e.kind,
                by=e.by,
                when=e.when,
                approval=e.approval,
                after=e.trigger.after,
            )
        return graph


def build(policy: Policy) -> StateGraph:
    """Return the policy's state graph. Names that are not states still become nodes."""
    graph = StateGraph()
    graph.nodes[START] = {"kind": "start"}
    for name, spec in policy.states.items():
        # the fields one by one, as model_dump() would give them (all plain values), without
        # building pydantic's serializer for the state model
        attrs: dict[str, Any] = (
            {key: getattr(spec, key) for key in type(spec).model_fields} if spec is not None else {}
        )
        graph.nodes[name] = {"kind": "state", **attrs}
    for name, t in policy.transitions.items():
        trigger = Trigger.of(t.on, t.after)
        for origin in sources(policy, t.from_):
            for to in targets(policy, t.to):
                target = origin if to == SAME else to
                for node in (origin, target):
                    graph.nodes.setdefault(node, {"kind": "undefined"})
                edge = Edge(origin, target, name, trigger, tuple(t.by), t.when, t.approval)
                graph.edges.append(edge)
    return graph
