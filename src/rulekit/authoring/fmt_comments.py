"""fmt's reading of the source: the YAML composed with positions, its comments and blank lines
found, and each attached to the entry or text it belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rulekit.authoring.fmt_layout import FmtError


@dataclass(slots=True)
class Gap:
    """A full-line comment (`text`) or a blank line (`text` None) between entries."""

    line: int
    col: int
    text: str | None


@dataclass(slots=True)
class Eol:
    """An end-of-line comment."""

    line: int
    index: int
    col: int
    text: str


def walk_nodes(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if node_kind(current) == "map":
            for k, v in current.value:
                stack.extend((k, v))
        elif node_kind(current) == "seq":
            stack.extend(current.value)


def node_kind(node: Any) -> str:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return "map"
    if isinstance(node, SequenceNode):
        return "seq"
    return "scalar"


def compose(text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

    yaml = YAML(typ="rt")
    try:
        for event in yaml.parse(text):
            if isinstance(event, AliasEvent) or (
                isinstance(event, ScalarEvent | CollectionStartEvent)
                and (event.anchor or (event.tag and not _implicit(event)))
            ):
                mark = event.start_mark
                raise FmtError(
                    "fmt does not rewrite files with YAML anchors, aliases or tags",
                    mark.line + 1,
                    mark.column + 1,
                )
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FmtError(f"YAML syntax error: {exc.problem or exc}", line, col) from None
    except YAMLError as exc:
        raise FmtError(f"YAML syntax error: {exc}") from None
    if node is None or node_kind(node) != "map" or node.flow_style:
        raise FmtError("not a policy document: the file must be a block mapping of keys")
    return node


def _implicit(event: Any) -> bool:
    implicit = getattr(event, "implicit", None)
    if isinstance(implicit, tuple):
        return any(implicit)
    return bool(implicit)


def scan(text: str, root: Any) -> tuple[list[Gap], list[Eol]]:
    """Find comments and blank lines: `#` after white space outside every scalar's text."""
    inside = bytearray(len(text) + 1)
    for node in walk_nodes(root):
        if node_kind(node) == "scalar":
            a, b = node.start_mark.index, node.end_mark.index
            if node.style in ("|", ">"):  # the header line may hold a comment
                a = min(b, text.find("\n", a) + 1 if "\n" in text[a:b] else b)
            inside[a:b] = b"\x01" * (b - a)
    gaps: list[Gap] = []
    eols: list[Eol] = []
    start = 0
    for number, line in enumerate(text.split("\n")):
        end = start + len(line)
        if not line.strip():
            if not inside[start]:
                gaps.append(Gap(number, 0, None))
        else:
            for i in range(start, end):
                if text[i] == "#" and not inside[i] and (i == start or text[i - 1] in " \t"):
                    comment = text[i:end].rstrip()
                    if text[start:i].strip():
                        eols.append(Eol(number, i, i - start, comment))
                    else:
                        gaps.append(Gap(number, i - start, comment))
                    break
        start = end + 1
    return gaps, eols


def comments_of(text: str) -> list[str]:
    """Every comment of a YAML text, in order (for checks)."""
    root = compose(text)
    gaps, eols = scan(text, root)
    found = [(g.line, g.text) for g in gaps if g.text] + [(e.line, e.text) for e in eols]
    return [t for _, t in sorted(found)]


@dataclass
class Attachment:
    leading: dict[int, list[Gap]] = field(default_factory=dict)
    trailing: dict[int, list[Gap]] = field(default_factory=dict)
    eol: dict[int, Eol] = field(default_factory=dict)
    inner: dict[int, bool] = field(default_factory=dict)


def _entries(node: Any) -> list[tuple[Any, Any]]:
    """(head node, value node) of each entry: (key, value) or (item, item)."""
    if node_kind(node) == "map":
        return list(node.value)
    return [(item, item) for item in node.value]


def attach(root: Any, gaps: list[Gap], eols: list[Eol]) -> Attachment:
    found = Attachment()
    pos = 0

    def take(cond: Any) -> list[Gap]:
        nonlocal pos
        out = []
        while pos < len(gaps) and cond(gaps[pos]):
            out.append(gaps[pos])
            pos += 1
        return out

    def walk(node: Any, bound: float) -> None:
        nonlocal pos
        if node_kind(node) == "scalar":
            return
        entries = _entries(node)
        for i, (head, value) in enumerate(entries):
            line = head.start_mark.line
            found.leading[id(head)] = take(lambda g, line=line: g.line < line)
            nxt = entries[i + 1][0].start_mark.line if i + 1 < len(entries) else bound
            walk(value, nxt)
        if node.flow_style:
            end = node.end_mark.line
            found.trailing[id(node)] = take(lambda g: g.line < end)
        elif entries:
            indent = entries[0][0].start_mark.column
            if node_kind(node) == "seq":
                indent = node.start_mark.column
            got = take(lambda g: g.line < bound and (g.text is None or g.col >= indent))
            while got and got[-1].text is None:
                got.pop()
                pos -= 1
            found.trailing[id(node)] = got

    walk(root, float("inf"))
    leftover = gaps[pos:]
    if any(g.text for g in leftover):  # pragma: no cover - the root takes every comment
        raise FmtError("a comment could not be placed", leftover[0].line + 1)

    # End-of-line comments: to the last scalar or flow collection ending before the `#`.
    candidates: dict[int, list[Any]] = {}
    for node in walk_nodes(root):
        if node_kind(node) == "scalar":
            if node.style in ("|", ">") or node.end_mark.index == node.start_mark.index:
                continue
        elif not node.flow_style:
            continue
        candidates.setdefault(node.end_mark.line, []).append(node)
    extra: list[Gap] = []
    for c in eols:
        before = [n for n in candidates.get(c.line, []) if n.end_mark.index <= c.index]
        if not before:
            extra.append(Gap(c.line, c.col, c.text))
            continue
        best = max(before, key=lambda n: (n.end_mark.index, node_kind(n) != "scalar"))
        found.eol[id(best)] = c
    if extra:
        raise FmtError("fmt cannot tell which text this comment belongs to", extra[0].line + 1)

    def inner(node: Any) -> bool:
        if node_kind(node) == "scalar":
            return False
        result = any(g.text for g in found.trailing.get(id(node), []))
        for head, value in _entries(node):
            if any(g.text for g in found.leading.get(id(head), [])):
                result = True
            for sub in (head, value) if head is not value else (value,):
                if id(sub) in found.eol or inner(sub):
                    result = True
        found.inner[id(node)] = result
        return result

    inner(root)
    return found
