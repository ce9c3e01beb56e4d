"""fmt's printer: the policy's nodes written line by line in the canonical layout, with each
comment where it was attached."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rulekit.authoring.fmt_comments import Attachment, Eol, Gap, node_kind, walk_nodes
from rulekit.authoring.fmt_layout import (
    INDENT,
    ROOT,
    SHORT,
    WIDTH,
    FmtError,
    child_kind,
    condition_role,
    key_order,
    normalise_condition,
)


@dataclass(slots=True)
class _Line:
    text: str
    comment: Eol | None = None
    raw: bool = False


def _width(text: str) -> int:
    from rulekit.source import display_width

    return display_width(text)


class Printer:
    def __init__(self, text: str, root: Any, found: Attachment) -> None:
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
            node_kind(n) == "scalar" and n.style in ("|", ">") for n in walk_nodes(node)
        ) and not self.found.inner.get(id(node), False)

    def flow(self, node: Any, kind: str | None, role: str | None) -> str:
        """A node in flow style on one line."""
        if node_kind(node) == "scalar":
            text = self.scalar(node, role)
            return text if text else "null"
        if node_kind(node) == "seq":
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
        if node_kind(node) == "scalar":
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
        if node_kind(node) == "seq":
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
        elif node_kind(v) == "map":
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
            if style == "block" and node_kind(item) == "map":
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
            empty = node_kind(v) == "scalar" and not self.raw(v)
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
