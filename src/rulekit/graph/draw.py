"""Draw a policy's state graph as Mermaid (`stateDiagram-v2`) or Graphviz DOT text.

One line per edge of the graph, in policy order, so the output is deterministic and diffs
well. Event edges are labelled `event [argument] (by roles)`, timer edges `after 30d`; the
pseudo-state `start` is Mermaid's `[*]` and a point in DOT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rulekit.graph.build import ANY, START, Edge, StateGraph

#: words Mermaid reads as keywords in a state diagram; a state with such a name gets a suffix.
MERMAID_KEYWORDS = frozenset(
    {"as", "class", "classdef", "click", "direction", "end", "note", "start", "state", "style"}
)
_MERMAID_ID = re.compile(r"[A-Za-z0-9_]")


def state_label(name: str, attrs: dict[str, Any]) -> str:
    """A state's name and title (`合约期 Contract period`), or its id when it has neither."""
    words = [str(attrs[k]) for k in ("name", "title") if attrs.get(k)]
    return " ".join(words) or name


def edge_label(edge: Edge) -> str:
    """`promote D (by owner)`, `claim (by rep, admin approves)`, `after 30d`."""
    label = str(edge.trigger)
    extras = [f"by {', '.join(edge.by)}"] if edge.by and tuple(edge.by) != ("anyone",) else []
    if edge.approval:
        extras.append(f"{edge.approval} approves")
    if extras:
        label += f" ({', '.join(extras)})"
    if edge.when:
        label += f" if {edge.when}"
    return label


def _is_public(attrs: dict[str, Any]) -> bool:
    return bool(attrs.get("public"))


def _states(graph: StateGraph) -> list[tuple[str, dict[str, Any]]]:
    return [(n, a) for n, a in graph.nodes.items() if n not in (START, ANY)]


# -- Mermaid --------------------------------------------------------------------------------


def mermaid_id(name: str) -> str:
    """A Mermaid-safe id for a state name: `O+` → `O_plus`, `pre-sale` → `pre_sale`."""
    out = (
        "".join(ch if _MERMAID_ID.match(ch) else "_plus" if ch == "+" else "_" for ch in name)
        or "_"
    )
    if out[0].isdigit():
        out = "s_" + out
    if out.lower() in MERMAID_KEYWORDS:
        out += "_"
    return out


def mermaid_ids(names: Iterable[str]) -> dict[str, str]:
    """Safe, distinct Mermaid ids for `names`; a clash gets `_2`, `_3`... in order."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = candidate = mermaid_id(name)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        ids[name] = candidate
        taken.add(candidate)
    return ids


def _mermaid_text(text: str) -> str:
    """Text Mermaid shows as is: no double quotes, semicolons, `#` or line breaks."""
    return " ".join(text.replace('"', "'").replace(";", ",").replace("#", "no.").split())


def to_mermaid(graph: StateGraph) -> str:
    """The graph as a Mermaid `stateDiagram-v2`: states with their titles, then every edge."""
    states = _states(graph)
    ids = mermaid_ids(n for n, _ in states)
    ids[START] = "[*]"
    lines = ["stateDiagram-v2"]
    for name, attrs in states:
        lines.append(f'    state "{_mermaid_text(state_label(name, attrs))}" as {ids[name]}')
    for e in graph.edges:
        lines.append(f"    {ids[e.origin]} --> {ids[e.target]} : {_mermaid_text(edge_label(e))}")
    lines += [f"    {ids[n]} --> [*]" for n, a in states if a.get("terminal")]
    public = [ids[n] for n, a in states if _is_public(a)]
    if public:
        lines.append("    classDef public fill:#eeeeee,stroke:#666666,stroke-dasharray:4 4")
        lines.append(f"    class {','.join(public)} public")
    undefined = [ids[n] for n, a in states if a.get("kind") == "undefined"]
    if undefined:
        lines.append("    classDef undefined stroke:#cc0000,color:#cc0000")
        lines.append(f"    class {','.join(undefined)} undefined")
    return "\n".join(lines) + "\n"


# -- Graphviz DOT -----------------------------------------------------------------------------


def dot_quote(text: str) -> str:
    """`text` as a DOT double-quoted string (backslashes, quotes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _dot_attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


def _dot_node(name: str, attrs: dict[str, Any]) -> str:
    label = state_label(name, attrs)
    out = {"label": dot_quote(name if label == name else f"{name}\n{label}")}
    if _is_public(attrs):
        out.update(shape="ellipse", style="filled", fillcolor='"#eeeeee"')
    if attrs.get("terminal"):
        out["peripheries"] = "2"
    if attrs.get("kind") == "undefined":
        out.update(style="dashed", color="red", fontcolor="red")
    return f"  {dot_quote(name)} [{_dot_attrs(out)}];"


def to_dot(graph: StateGraph, name: str = "policy", title: str | None = None) -> str:
    """The graph as a Graphviz digraph: timers dashed, public states as ellipses, `start` a dot."""
    lines = [f"digraph {dot_quote(name)} {{"]
    graph_attrs = {"rankdir": "LR"}
    if title:
        graph_attrs.update(label=dot_quote(title), labelloc="t")
    lines.append(f"  graph [{_dot_attrs(graph_attrs)}];")
    lines.append('  node [shape=box, style=rounded, fontname="sans-serif"];')
    lines.append('  edge [fontname="sans-serif", fontsize=10];')
    lines.append(f'  {dot_quote(START)} [shape=point, width=0.15, label=""];')
    lines += [_dot_node(n, a) for n, a in _states(graph)]
    for e in graph.edges:
        attrs = {"label": dot_quote(edge_label(e))}
        if e.trigger.is_timer:
            attrs["style"] = "dashed"
        lines.append(f"  {dot_quote(e.origin)} -> {dot_quote(e.target)} [{_dot_attrs(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
