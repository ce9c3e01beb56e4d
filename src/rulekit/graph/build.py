"""Build the state graph of a policy: a networkx MultiDiGraph of states and transitions.

Nodes are the policy's states plus the pseudo-state `start` (a customer not yet known).
Each transition becomes one edge per state it leaves from, keyed by the transition's name,
with its trigger: an event (`on: promote D`) or a timer (`after: 30d`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulekit.timeutil import Duration

if TYPE_CHECKING:
    import networkx as nx

    from rulekit.policy.models import Policy

START = "start"
ANY = "any"
SAME = "same"


@dataclass(frozen=True, slots=True)
class Trigger:
    """What fires a transition: an event type with an optional argument, or a timer."""

    event: str | None = None
    argument: str | None = None
    after: Duration | None = None

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


def sources(policy: Policy, from_states: list[str]) -> list[str]:
    """The states a transition leaves from (`any` is every state, not `start`)."""
    out: list[str] = []
    for state in from_states:
        out += list(policy.states) if state == ANY else [state]
    return out


def build(policy: Policy) -> nx.MultiDiGraph:
    """Return the policy's state graph. Names that are not states still become nodes."""
    import networkx as nx

    graph = nx.MultiDiGraph(id=policy.id, version=policy.version)
    graph.add_node(START, kind="start")
    for name, spec in policy.states.items():
        attrs: dict[str, Any] = spec.model_dump() if spec is not None else {}
        graph.add_node(name, kind="state", **attrs)
    for name, t in policy.transitions.items():
        trigger = Trigger.of(t.on, t.after)
        for origin in sources(policy, t.from_):
            target = origin if t.to == SAME else t.to
            for node in (origin, target):
                if node not in graph:
                    graph.add_node(node, kind="undefined")
            graph.add_edge(
                origin,
                target,
                key=name,
                transition=name,
                trigger=trigger,
                kind="timer" if trigger.is_timer else "event",
                by=tuple(t.by),
                when=t.when,
                approval=t.approval,
            )
    return graph
