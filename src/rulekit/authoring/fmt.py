"""`rulekit fmt`: the canonical layout of a policy file, with every comment kept.

The file is read with ruamel.yaml's round-trip composer, which keeps each node's exact text,
its style (plain, quoted or block scalar; flow or block collection) and its position. The
layout is then printed here rather than by ruamel's emitter, so that the choices an author
makes on purpose survive: the line breaks that group the keys of a flow mapping, and the
padding that aligns the values of neighbouring keys. What fmt decides (docs/formatting.md):

- keys of known mappings in the order of the reference (named entries keep their order);
- two-space indentation, block sequences indented under their key;
- flow style for short block mappings and lists, block style for flow ones holding comments;
- flow mappings wrapped at 100 columns, continuation lines aligned after the bracket;
- scalars printed exactly as written; condition strings re-spaced by unparsing their syntax
  tree, only where that changes nothing but white space;
- comments kept where they were: full-line comments before the entry they precede (or at the
  end of the block they are indented into), end-of-line comments on the line of their text,
  at their column when it is still free; at most one blank line in a row.

The result is checked before it is returned: it must load to the same data (conditions
compared after normalising) and hold the same comments, else `FmtError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: Longest line fmt writes when it wraps a flow mapping (display columns).
WIDTH = 100
#: A block mapping or list whose flow form is at most this long is written in flow style.
SHORT = 60
INDENT = 2

ROOT = "Policy"
#: Sections of named entries: never folded into flow style, entries keep their order.
NAMED = {
    "fields": "FieldSpec",
    "events": "EventSpec",
    "stages": "StageSpec",
    "states": "StateSpec",
    "transitions": "TransitionSpec",
    "rules": "RuleSpec",
}
#: (kind of a mapping, key) -> kind of the value.
CHILD = {
    (ROOT, "quota"): "QuotaSpec",
    (ROOT, "priority"): "RankSpec",
    (ROOT, "overdue"): "MeasureSpec",
    (ROOT, "forecast"): "MeasureSpec",
    ("StageSpec", "target"): "Target",
    ("TransitionSpec", "set"): "set",
    ("QuotaSpec", "by_team"): "by_team",
    ("RuleSpec", "do"): "ActionSpec",
    ("ActionSpec", "overflow"): "OverflowSpec",
}
#: (kind of a mapping, key) of values that are conditions or expressions.
CONDITIONS = {
    ("TransitionSpec", "when"),
    ("StageSpec", "requires"),
    ("QuotaSpec", "holds_slot"),
    ("RankSpec", "among"),
    ("MeasureSpec", "among"),
    ("MeasureSpec", "value"),
    ("RuleSpec", "when"),
    ("OverflowSpec", "when"),
}


def _key_orders() -> dict[str, list[str]]:
    from rulekit.policy import models

    def keys(model: Any) -> list[str]:
        return [info.alias or name for name, info in model.model_fields.items()]

    orders = {
        name: keys(getattr(models, name))
        for name in (
            "EventSpec",
            "StageSpec",
            "Target",
            "StateSpec",
            "TransitionSpec",
            "QuotaSpec",
            "RankSpec",
            "MeasureSpec",
            "RuleSpec",
            "ActionSpec",
            "OverflowSpec",
        )
    }
    # At the top level only the identity keys are ordered (they come first); the sections
    # keep the author's order, since an overlay often leads with what it changes.
    root = keys(models.Policy)
    root.insert(root.index("version") + 1, "extends")
    orders[ROOT] = root[: root.index("timezone") + 1]
    orders["FieldSpec"] = keys(models.FieldSpec)
    return orders


_ORDERS: dict[str, list[str]] | None = None


def key_order(kind: str | None) -> list[str] | None:
    """The canonical key order of a mapping of `kind`, or None to keep the author's."""
    global _ORDERS
    if _ORDERS is None:
        _ORDERS = _key_orders()
    return _ORDERS.get(kind) if kind else None


def child_kind(kind: str | None, key: Any) -> str | None:
    """The kind of the value at `key` of a mapping of `kind`."""
    if kind == ROOT and isinstance(key, str) and key in NAMED:
        return "named:" + key
    if kind and kind.startswith("named:"):
        return NAMED[kind[6:]]
    return CHILD.get((kind or "", key))


def condition_role(kind: str | None, key: Any) -> str | None:
    """'expr' for a condition value, 'order' for a priority sort key, else None."""
    if kind == "set":
        return "expr"
    if kind == "RankSpec" and key == "order":
        return "order"
    return "expr" if (kind or "", key) in CONDITIONS else None


class FmtError(Exception):
    """A file fmt cannot format; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# ---------------------------------------------------------------------------- conditions


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def normalise_expression(text: str) -> str:
    """The condition re-spaced as `unparse` writes it, if that changes nothing but spacing."""
    from rulekit.lang.ast import unparse
    from rulekit.lang.parser import parse

    node, problems = parse(text)
    if node is None or problems:
        return text
    new = unparse(node)
    return new if _squash(new) == _squash(text) else text


def normalise_condition(text: str, role: str) -> str:
    """Normalise a condition (`expr`) or a sort key (`order`: an expression, asc or desc)."""
    if role == "order":
        m = re.fullmatch(r"\s*(.*?)\s+(asc|desc)\s*", text, re.S)
        if m:
            return f"{normalise_expression(m.group(1))} {m.group(2)}"
    return normalise_expression(text)


def canonical_data(value: Any, kind: str | None = ROOT, role: str | None = None) -> Any:
    """Plain policy data with its conditions normalised (what fmt must not change)."""
    if isinstance(value, dict):
        return {
            k: canonical_data(v, child_kind(kind, k), condition_role(kind, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [canonical_data(v, None, role) for v in value]
    if isinstance(value, str) and role:
        return normalise_condition(value, role)
    return value


# ---------------------------------------------------------------------------- source scan


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


def _nodes(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if _kind(current) == "map":
            for k, v in current.value:
                stack.extend((k, v))
        elif _kind(current) == "seq":
            stack.extend(current.value)


def _kind(node: Any) -> str:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return "map"
    if isinstance(node, SequenceNode):
        return "seq"
    return "scalar"


def _compose(text: str) -> Any:
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
    if node is None or _kind(node) != "map" or node.flow_style:
        raise FmtError("not a policy document: the file must be a block mapping of keys")
    return node


def _implicit(event: Any) -> bool:
    implicit = getattr(event, "implicit", None)
    if isinstance(implicit, tuple):
        return any(implicit)
    return bool(implicit)


def _scan(text: str, root: Any) -> tuple[list[Gap], list[Eol]]:
    """Find comments and blank lines: `#` after white space outside every scalar's text."""
    inside = bytearray(len(text) + 1)
    for node in _nodes(root):
        if _kind(node) == "scalar":
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
    root = _compose(text)
    gaps, eols = _scan(text, root)
    found = [(g.line, g.text) for g in gaps if g.text] + [(e.line, e.text) for e in eols]
    return [t for _, t in sorted(found)]


# ---------------------------------------------------------------------------- attachment


@dataclass
class _Attach:
    leading: dict[int, list[Gap]] = field(default_factory=dict)
    trailing: dict[int, list[Gap]] = field(default_factory=dict)
    eol: dict[int, Eol] = field(default_factory=dict)
    inner: dict[int, bool] = field(default_factory=dict)


def _entries(node: Any) -> list[tuple[Any, Any]]:
    """(head node, value node) of each entry: (key, value) or (item, item)."""
    if _kind(node) == "map":
        return list(node.value)
    return [(item, item) for item in node.value]


def _attach(root: Any, gaps: list[Gap], eols: list[Eol]) -> _Attach:
    found = _Attach()
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
        if _kind(node) == "scalar":
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
            if _kind(node) == "seq":
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
    for node in _nodes(root):
        if _kind(node) == "scalar":
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
        best = max(before, key=lambda n: (n.end_mark.index, _kind(n) != "scalar"))
        found.eol[id(best)] = c
    if extra:
        raise FmtError("fmt cannot tell which text this comment belongs to", extra[0].line + 1)

    def inner(node: Any) -> bool:
        if _kind(node) == "scalar":
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


# ---------------------------------------------------------------------------- printing


@dataclass(slots=True)
class _Line:
    text: str
    comment: Eol | None = None
    raw: bool = False


def _width(text: str) -> int:
    from rulekit.source import display_width

    return display_width(text)


class _Printer:
    def __init__(self, text: str, root: Any, found: _Attach) -> None:
        self.text = text
        self.root = root
        self.found = found
        self.lines: list[_Line] = []

    # -- helpers

    def raw(self, node: Any) -> str:
        return self.text[node.start_mark.index : node.end_mark.index]

    def comment(self, node: Any) -> None:
        c = self.found.eol.get(id(node))
        if c is not None and self.lines:
            self.lines[-1].comment = c

    def gap(self, items: Iterable[Gap], indent: int, first: bool) -> None:
        for g in items:
            if g.text is None:
                if first or not self.lines or self.lines[-1].text == "":
                    continue
                self.lines.append(_Line(""))
            else:
                first = False
                self.lines.append(_Line(" " * indent + g.text))

    def scalar(self, node: Any, role: str | None) -> str:
        raw = self.raw(node)
        style = node.style
        if "\n" in raw:
            parts = raw.split("\n")
            inner = [p.strip() for p in parts[1:-1]]
            if any(not p for p in inner) or (
                style == '"' and any(p.rstrip().endswith("\\") for p in parts[:-1])
            ):
                line = node.start_mark.line + 1
                raise FmtError(
                    "fmt cannot join this text of several lines; write it on one line or "
                    "as a block scalar (| or >)",
                    line,
                    node.start_mark.column + 1,
                )
            raw = " ".join([parts[0].rstrip(), *inner, parts[-1].lstrip()])
        if role and isinstance(node.value, str) and "\n" not in node.value:
            quote = style if style in ("'", '"') else ""
            body = raw[1:-1] if quote else raw
            if body == node.value:
                new = normalise_condition(node.value, role)
                if new != node.value:
                    raw = quote + new + quote
        return raw

    def flow_ok(self, node: Any) -> bool:
        """Whether a node can be written in flow style (no block scalar inside)."""
        return not any(
            _kind(n) == "scalar" and n.style in ("|", ">") for n in _nodes(node)
        ) and not self.found.inner.get(id(node), False)

    def flow(self, node: Any, kind: str | None, role: str | None) -> str:
        """A node in flow style on one line."""
        if _kind(node) == "scalar":
            text = self.scalar(node, role)
            return text if text else "null"
        if _kind(node) == "seq":
            return "[" + ", ".join(self.flow(n, None, role) for n in node.value) + "]"
        items = [
            f"{self.scalar(k, None)}: "
            + self.flow(v, child_kind(kind, k.value), condition_role(kind, k.value))
            for k, v in self.ordered(node, kind)
        ]
        return "{" + ", ".join(items) + "}"

    def ordered(self, node: Any, kind: str | None) -> list[tuple[Any, Any]]:
        order = key_order(kind)
        pairs = list(node.value)
        if not order:
            return pairs
        rank: dict[str, float] = {k: i for i, k in enumerate(order)}
        if kind != ROOT and "title" in rank and len(pairs) > 1:
            # A label written first or last stays there; elsewhere it takes its place.
            if pairs[0][0].value == "title":
                rank["title"] = -1
            elif pairs[-1][0].value == "title":
                rank["title"] = len(order)
        known = [p for p in pairs if isinstance(p[0].value, str) and p[0].value in rank]
        known.sort(key=lambda p: rank[p[0].value])
        return known + [p for p in pairs if p not in known]

    def style(self, node: Any, kind: str | None, column: int) -> str:
        """'scalar', 'literal' (block scalar), 'flow' or 'block' for a value in block context."""
        if _kind(node) == "scalar":
            return "literal" if node.style in ("|", ">") else "scalar"
        if node.flow_style:
            return "block" if self.found.inner.get(id(node)) else "flow"
        if kind and kind.startswith("named:") or not self.flow_ok(node):
            return "block"
        text = self.flow(node, kind, None)
        if _width(text) <= SHORT and column + _width(text) <= WIDTH:
            return "flow"
        return "block"

    def fill(self, node: Any, kind: str | None, role: str | None, prefix: str) -> None:
        """Write a flow collection after `prefix`, wrapping at WIDTH and where the author did."""
        if _kind(node) == "seq":
            pairs = [(None, n) for n in node.value]
            opening, closing = "[", "]"
        else:
            pairs = self.ordered(node, kind)
            opening, closing = "{", "}"
        items: list[tuple[str, int, int]] = []
        for k, v in pairs:
            if k is None:
                text = self.flow(v, None, role)
                first = v
            else:
                sub = self.flow(v, child_kind(kind, k.value), condition_role(kind, k.value))
                text = f"{self.scalar(k, None)}: {sub}"
                first = k
            items.append((text, first.start_mark.line, v.end_mark.line))
        if not items:
            self.lines.append(_Line(prefix + opening + closing))
            self.comment(node)
            return
        cont = " " * (_width(prefix) + 1)
        current = prefix + opening
        keep_breaks = bool(node.flow_style)
        previous_end = -1
        for i, (text, start_line, end_line) in enumerate(items):
            piece = text + ("," if i + 1 < len(items) else closing)
            if i == 0:
                current += piece
            elif (keep_breaks and start_line > previous_end) or _width(
                current + " " + piece
            ) > WIDTH:
                self.lines.append(_Line(current))
                current = cont + piece
            else:
                current += " " + piece
            previous_end = end_line
        self.lines.append(_Line(current))
        self.comment(node)

    # -- block context

    def mapping(self, node: Any, indent: int, kind: str | None, first_prefix: str | None) -> None:
        pairs = self.ordered(node, kind)
        header: Any = None
        if kind == ROOT and node.value:
            # The comments above the file's first key are the file's header: they stay on top.
            header = node.value[0][0]
            self.gap(self.found.leading.get(id(header), []), indent, first=True)
        styles = []
        for k, v in pairs:
            column = indent + len(self.scalar(k, None)) + 2
            styles.append(self.style(v, child_kind(kind, k.value), column))
        pads = self.pads(pairs, styles)
        for i, ((k, v), style, pad) in enumerate(zip(pairs, styles, pads, strict=True)):
            nested = first_prefix is not None or indent > 0 or header is not None
            if k is not header:
                self.gap(self.found.leading.get(id(k), []), indent, first=i == 0 and nested)
            lead = " " * indent
            if i == 0 and first_prefix is not None:
                lead = first_prefix
            head = lead + self.scalar(k, None) + ":"
            sub_kind = child_kind(kind, k.value)
            role = condition_role(kind, k.value)
            self.value(v, head, pad, style, indent, k.start_mark.column, sub_kind, role, k)
            if style in ("scalar", "flow"):
                self.comment(v)
        self.gap(self.found.trailing.get(id(node), []), indent, first=False)

    def value(
        self,
        v: Any,
        head: str,
        pad: int,
        style: str,
        indent: int,
        old_indent: int,
        kind: str | None,
        role: str | None,
        key: Any = None,
    ) -> None:
        if style == "scalar":
            text = self.scalar(v, role)
            self.lines.append(_Line(head + (" " * pad + text if text else "")))
            self.comment(key)
        elif style == "flow":
            self.fill(v, kind, role, head + " " * pad)
            self.comment(key)
        elif style == "literal":
            self.literal(v, head, indent - old_indent, key)
        elif _kind(v) == "map":
            self.lines.append(_Line(head))
            self.comment(key)
            self.mapping(v, indent + INDENT, kind, None)
        else:
            self.lines.append(_Line(head))
            self.comment(key)
            self.sequence(v, indent + INDENT, role)

    def literal(self, node: Any, head: str, delta: int, key: Any) -> None:
        raw = self.raw(node)
        header, _, body = raw.partition("\n")
        header = re.split(r"\s#", header, maxsplit=1)[0]
        self.lines.append(_Line(head + " " + header.strip()))
        self.comment(key)
        lines = body.split("\n")
        keep = "+" in header
        if not keep:
            while lines and not lines[-1].strip():
                lines.pop()
        for line in lines:
            if not line.strip() and len(line) <= max(0, -delta):
                self.lines.append(_Line("", raw=True))
            elif delta >= 0:
                self.lines.append(_Line(" " * delta + line, raw=True))
            else:
                self.lines.append(_Line(line[-delta:], raw=True))

    def sequence(self, node: Any, indent: int, role: str | None) -> None:
        for i, item in enumerate(node.value):
            self.gap(self.found.leading.get(id(item), []), indent, first=i == 0)
            prefix = " " * indent + "-"
            style = self.style(item, None, indent + 2)
            if style == "block" and _kind(item) == "map":
                self.mapping(item, indent + INDENT, None, prefix + " ")
            elif style == "block":
                self.lines.append(_Line(prefix))
                self.sequence(item, indent + INDENT, role)
            else:
                old = node.start_mark.column
                self.value(item, prefix, 1, style, indent, old, None, role)
                if style in ("scalar", "flow"):
                    self.comment(item)
        self.gap(self.found.trailing.get(id(node), []), indent, first=False)

    def pads(self, pairs: list[tuple[Any, Any]], styles: list[str]) -> list[int]:
        """Spaces after `key:`: one, or the author's when it aligns the value with a neighbour."""
        rel: list[int | None] = []
        for (k, v), style in zip(pairs, styles, strict=True):
            same_line = v.start_mark.line == k.start_mark.line
            empty = _kind(v) == "scalar" and not self.raw(v)
            if style in ("scalar", "flow") and same_line and not empty:
                rel.append(v.start_mark.column - k.start_mark.column)
            else:
                rel.append(None)
        out = []
        for i, (k, _) in enumerate(pairs):
            r = rel[i]
            least = len(self.scalar(k, None)) + 2
            aligned = r is not None and (
                (i > 0 and rel[i - 1] == r) or (i + 1 < len(rel) and rel[i + 1] == r)
            )
            out.append(r - least + 1 if aligned and r is not None and r > least else 1)
        return out

    def render(self) -> str:
        self.mapping(self.root, 0, ROOT, None)
        out = []
        for line in self.lines:
            if line.raw:
                out.append(line.text)
                continue
            text = line.text.rstrip()
            if line.comment is not None:
                col = line.comment.col
                if col < len(text) + 1:
                    col = len(text) + 2
                text = text.ljust(col) + line.comment.text
            out.append(text)
        while out and not out[-1].strip():
            out.pop()
        return "\n".join(out) + "\n"


def format_text(text: str, name: str = "<text>") -> str:
    """Return the canonical layout of a policy file's text.

    Raises:
        FmtError: the text is not YAML fmt can rewrite, or the result would not load to the
            same data with the same comments (a bug; the file is then left as it is).
    """
    from rulekit.policy.yamlsrc import parse_yaml

    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    before, problems = parse_yaml(text, name)
    if before is None:
        d = problems[0]
        line, col = (d.span.line, d.span.column) if d.span else (1, 1)
        raise FmtError(d.message, line, col)
    root = _compose(text)
    gaps, eols = _scan(text, root)
    found = _attach(root, gaps, eols)
    result = _Printer(text, root, found).render()
    after, _ = parse_yaml(result, name)
    if after is None or canonical_data(after.data) != canonical_data(before.data):
        raise FmtError("fmt would change what the file means; it is left as it is (a bug)")
    if sorted(comments_of(result)) != sorted(comments_of(text)):
        raise FmtError("fmt would lose a comment; the file is left as it is (a bug)")
    return result
