"""Checks of a policy's state graph and capability targets, each with a stable code.

RK301 undefined state · RK302 unreachable state · RK303 a state with no way out ·
RK304 ambiguous transitions · RK305 a timer cycle of zero duration ·
RK310 a target choice that cannot choose (`resume` without stage states, `map` without `case`) ·
RK306 a trigger or a rule's `do` naming an unknown event or stage ·
RK104 a transition with neither or both of `on` and `after`, or a reserved state name ·
RK401 reach not decreasing along the path · RK402 stage days not adding up to the cycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING, Any

from rulekit.diagnostics import Diagnostic, did_you_mean, one_of
from rulekit.graph.build import ANY, SAME, START, Edge, Trigger, sources
from rulekit.policy.yamlsrc import Document, Path
from rulekit.source import Span

if TYPE_CHECKING:
    from rulekit.graph.build import StateGraph
    from rulekit.policy.models import Policy, TransitionSpec


def check(policy: Policy, graph: StateGraph, doc: Document) -> list[Diagnostic]:
    """Run every graph and target check; return their diagnostics."""
    out: list[Diagnostic] = []
    out += _triggers(policy, doc)
    out += _undefined_states(policy, doc)
    if not any(d.code == "RK301" for d in out):
        out += _reachability(policy, graph, doc)
    out += _ambiguous(policy, doc)
    out += _timer_cycles(policy, graph, doc)
    out += _targets(policy, doc)
    out += _rule_actions(policy, doc)
    return out


def _rule_actions(policy: Policy, doc: Document) -> list[Diagnostic]:
    """A rule's `do: EVENT` must name an event type of the policy."""
    out = []
    for name, rule in policy.rules.items():
        action = rule.do.action if rule.do is not None else None
        if action is None or not policy.events or action in policy.events:
            continue
        out.append(
            Diagnostic(
                "RK306",
                f"rule `{name}` does `{action}`, which is not an event of this policy",
                doc.span(("rules", name, "do")),
                hint=did_you_mean(action, policy.events)
                or f"the events are {one_of(policy.events)}",
            )
        )
    return out


def _from_items(t: TransitionSpec, name: str, doc: Document) -> Iterator[tuple[str, Any]]:
    base = ("transitions", name, "from")
    for i, state in enumerate(t.from_):
        path = (*base, i) if (*base, i) in doc.positions else base
        yield state, doc.span(path)


def _undefined_states(policy: Policy, doc: Document) -> list[Diagnostic]:
    known = set(policy.states)
    out = [
        Diagnostic(
            "RK104",
            f"`{name}` is a word transitions use (`from: start`, `from: any`, `to: same`); "
            "a state cannot be called so",
            doc.key_span(("states", name)),
            hint="rename the state",
        )
        for name in known & {START, ANY, SAME}
    ]
    for name, t in policy.transitions.items():
        for state, span in _from_items(t, name, doc):
            if state not in known and state not in (START, ANY):
                out.append(_undefined(state, known | {START, ANY}, span, "leaves from"))
        if isinstance(t.to, str):
            if t.to not in known and t.to != SAME:
                span = doc.span(("transitions", name, "to"))
                out.append(_undefined(t.to, known | {SAME}, span, "goes to"))
            continue
        base = ("transitions", name, "to")
        named = [(s, (*base, "map", k)) for k, s in t.to.map.items()]
        for state, path in [*named, (t.to.else_, (*base, "else"))]:
            if state not in known:
                out.append(_undefined(state, known, doc.span(path), "goes to"))
        if t.to.resume is not None and not any(c in known for c in policy.stages):
            out.append(
                Diagnostic(
                    "RK310",
                    f"transition `{name}` resumes at the furthest stage, but no state is "
                    "named after a stage",
                    doc.span((*base, "resume")),
                    hint="name the stage states after their stages (stage D → state D), "
                    "or drop `resume`",
                )
            )
        if t.to.map and t.to.case is None:
            out.append(
                Diagnostic(
                    "RK310",
                    f"transition `{name}` maps values to states but has no `case` to compute "
                    "the value",
                    doc.span((*base, "map")),
                    hint='add `case: "team(owner)"` (an expression giving text)',
                )
            )
    return out


def _undefined(state: str, known: set[str], span: Any, verb: str) -> Diagnostic:
    return Diagnostic(
        "RK301",
        f"the transition {verb} `{state}`, which is not a state of this policy",
        span,
        hint=did_you_mean(state, known) or f"the states are {one_of(sorted(known))}",
    )


def _triggers(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    for name, t in policy.transitions.items():
        path = ("transitions", name)
        if (t.on is None) == (t.after is None):
            which = "both `on` and `after`" if t.on else "neither `on` nor `after`"
            out.append(
                Diagnostic(
                    "RK104",
                    f"transition `{name}` has {which}",
                    doc.key_span(path),
                    hint="give an event (`on: renew`) or a timer (`after: 30d`), one of them",
                )
            )
            continue
        if t.on is None or not policy.events:
            continue
        trig = Trigger.of(t.on, None)
        span = doc.span((*path, "on"))
        spec = policy.events.get(trig.event or "")
        if trig.event not in policy.events:
            out.append(
                Diagnostic(
                    "RK306",
                    f"transition `{name}` waits for the event `{trig.event}`, which the policy's "
                    "`events` do not define",
                    span,
                    hint=did_you_mean(trig.event or "", policy.events)
                    or f"the events are {one_of(policy.events)}",
                )
            )
        elif spec is not None and spec.promotes:
            if trig.argument is None:
                out.append(
                    Diagnostic(
                        "RK306",
                        f"`{trig.event}` moves a customer to a stage; name which one",
                        span,
                        hint=f"write `on: {trig.event} {next(iter(policy.stages), 'D')}`",
                    )
                )
            elif trig.argument not in policy.stages:
                out.append(
                    Diagnostic(
                        "RK306",
                        f"`{trig.argument}` is not a stage of the path",
                        span,
                        hint=did_you_mean(trig.argument, policy.stages)
                        or f"the stages are {one_of(policy.stages)}",
                    )
                )
        elif trig.argument is not None:
            out.append(
                Diagnostic(
                    "RK306",
                    f"the event `{trig.event}` takes no stage, but `{t.on}` names one",
                    span,
                    hint=f"write `on: {trig.event}`, or mark the event `promotes: true`",
                )
            )
    return out


def _reachability(policy: Policy, graph: StateGraph, doc: Document) -> list[Diagnostic]:
    out = []
    reachable = graph.reachable(START)
    for state, spec in policy.states.items():
        span = doc.key_span(("states", state))
        if state not in reachable:
            out.append(
                Diagnostic(
                    "RK302",
                    f"no transition leads to the state `{state}`",
                    span,
                    hint="add a transition into it, or remove the state",
                )
            )
        terminal = spec is not None and spec.terminal
        targets = {e.target for e in graph.out_edges(state)}
        if not terminal and not targets - {state}:
            has_self = state in targets
            out.append(
                Diagnostic(
                    "RK303",
                    f"a customer in `{state}` can never leave it",
                    span,
                    hint="add a transition out of it, or mark it `terminal: true`"
                    + (" (its only transitions stay in the state)" if has_self else ""),
                )
            )
    return out


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True if some actor could match a role of `a` and a role of `b`."""
    if "anyone" in a or "anyone" in b:
        return True
    pairs = {(x, y) for x in a for y in b}
    disjoint = {("rep", "admin"), ("admin", "rep")}
    return any(p not in disjoint for p in pairs)


def _ambiguous(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    edges: dict[tuple[str, Trigger], list[str]] = {}
    for name, t in policy.transitions.items():
        if (t.on is None) == (t.after is None):
            continue
        trig = Trigger.of(t.on, t.after)
        for origin in sources(policy, t.from_):
            edges.setdefault((origin, trig), []).append(name)
    reported: set[tuple[str, str]] = set()
    for (origin, trig), names in edges.items():
        for a, b in combinations(names, 2):
            ta, tb = policy.transitions[a], policy.transitions[b]
            if ta.when or tb.when or (a, b) in reported:
                continue
            if trig.is_timer or _overlap(tuple(ta.by), tuple(tb.by)):
                reported.add((a, b))
                out.append(
                    Diagnostic(
                        "RK304",
                        f"transitions `{a}` and `{b}` both leave `{origin}` on `{trig}`; "
                        "nothing tells which one applies",
                        doc.key_span(("transitions", b)),
                        hint="give one of them a `when:` condition, or different `by:` roles",
                    )
                )
    return out


def _timer_cycles(policy: Policy, graph: StateGraph, doc: Document) -> list[Diagnostic]:
    instant = [e for e in graph.edges if e.trigger.after is not None and e.trigger.after.is_zero]
    out = []
    for cycle in _cycles(instant):
        names = [e.transition for e in cycle]
        states = [e.origin for e in cycle]
        out.append(
            Diagnostic(
                "RK305",
                "timers of zero duration go round in a cycle: "
                + " → ".join([*states, states[0]])
                + " (transitions "
                + ", ".join(f"`{n}`" for n in names)
                + ")",
                doc.span(("transitions", names[0], "after")),
                hint="give at least one of these timers a duration above zero",
            )
        )
    return out


def _targets(policy: Policy, doc: Document) -> list[Diagnostic]:
    out = []
    prev: tuple[str, float] | None = None
    total = 0.0
    days_known = True
    for name, stage in policy.stages.items():
        reach = stage.target.reach
        if reach is not None:
            if prev is not None and reach > prev[1]:
                out.append(
                    Diagnostic(
                        "RK401",
                        f"stage `{name}` reaches {reach:.0%} of customers, more than "
                        f"`{prev[0]}` before it ({prev[1]:.0%})",
                        doc.span(("stages", name, "target", "reach")),
                        hint="a customer reaches a stage only through the ones before it",
                    )
                )
            prev = (name, reach)
        if stage.target.days is None:
            days_known = False
        else:
            total += stage.target.days
    if policy.cycle is not None and days_known and policy.stages:
        cycle = policy.cycle.approx_days
        if abs(total - cycle) > 1e-9:
            out.append(
                Diagnostic(
                    "RK402",
                    f"stage days add up to {total:g}, the cycle is {policy.cycle}",
                    _own_span(doc, [("cycle",)])
                    or _own_span(doc, [("stages", n, "target", "days") for n in policy.stages])
                    or doc.span(("cycle",)),
                    hint="make the stages' target days add up to the cycle, or change the cycle",
                )
            )
    return out


def _cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle per strongly connected group of `edges` (depth-first; graphs here are tiny)."""
    found: list[list[Edge]] = []
    covered: set[str] = set()
    succ: dict[str, list[Edge]] = {}
    for e in edges:
        succ.setdefault(e.origin, []).append(e)
    for start in succ:
        if start in covered:
            continue
        stack: list[tuple[str, list[Edge]]] = [(start, [])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for e in succ.get(node, []):
                if e.target == start:
                    cycle = [*path, e]
                    found.append(cycle)
                    covered.update(x.origin for x in cycle)
                    stack.clear()
                    break
                if e.target not in seen:
                    seen.add(e.target)
                    stack.append((e.target, [*path, e]))
    return found


def _own_span(doc: Document, paths: list[Path]) -> Span | None:
    """The span of the first of `paths` set by the document's own file (not by a base)."""
    own = doc.source.name if doc.source else None
    for path in paths:
        loc = doc.positions.get(path)
        if loc is not None and loc.source.name == own:
            return loc.span
    return None
