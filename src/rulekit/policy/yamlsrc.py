"""Safe YAML reading that keeps the position of every node and refuses what a policy must not hold.

The result is plain data (dict, list, str, int, float, bool, None) plus a table of positions
keyed by path, so later stages can point at the exact text that set a value, even inside a
condition string. Keys are never resolved to booleans (`on:` stays the text "on"); values
follow YAML 1.2's core schema (only true/false are booleans). Duplicate keys, unknown tags and
alias bombs are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from rulekit.diagnostics import Diagnostic, DiagnosticError
from rulekit.record import Record
from rulekit.source import SourceText, Span

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_INT_DIGITS = 100  # no policy value needs more; Python refuses over 4,300

Path = tuple[str | int, ...]
Locate = Callable[[int, int], Span]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, minus implicit tag resolution: `_Builder.scalar` resolves plain scalars."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _CORE + "str"
        return _CORE + ("seq" if kind is yaml.SequenceNode else "map")


class Located(Record):
    """Where one node of a document is: offsets of its text and of its key (for mapping entries).

    Spans (line and column) are computed only when asked for: most nodes never need one.
    """

    __slots__ = ("source", "start", "end", "key", "style")

    def __init__(
        self,
        source: SourceText,
        start: int,
        end: int,
        key: tuple[int, int] | None = None,
        style: str | None = None,
    ) -> None:
        self.source = source
        self.start = start
        self.end = end
        self.key = key
        self.style = style

    @property
    def span(self) -> Span:
        """The value's span; for a block scalar (`|`, `>`) just its indicator."""
        end = self.start + 1 if self.style in ("|", ">") else max(self.end, self.start + 1)
        return self.source.span(self.start, end)

    @property
    def key_span(self) -> Span | None:
        """The span of the key holding this value, if it is a mapping entry."""
        return self.source.span(*self.key) if self.key else None

    def locate(self, value: str) -> Locate:
        """Return a function mapping offsets in the scalar's value to spans in the file."""
        source = self.source
        table = _align(value, source.text, self.start, self.end)

        def locate(start: int, end: int) -> Span:
            a = table[min(max(start, 0), len(table) - 1)]
            b = table[min(max(end, 0), len(table) - 1)]
            return source.span(a, max(a, b))

        return locate


class Document(Record):
    """A YAML document as plain data with the position of every node, by path."""

    __slots__ = ("data", "positions", "source")

    def __init__(
        self,
        data: Any,
        positions: dict[Path, Located] | None = None,
        source: SourceText | None = None,
    ) -> None:
        self.data = data
        self.positions: dict[Path, Located] = {} if positions is None else positions
        self.source = source

    def span(self, path: Path) -> Span | None:
        """The span of the value at `path`, or of its nearest located parent."""
        while True:
            loc = self.positions.get(path)
            if loc is not None:
                return loc.span
            if not path:
                return None
            path = path[:-1]

    def key_span(self, path: Path) -> Span | None:
        """The span of the key that holds the value at `path` (the value's span if none)."""
        loc = self.positions.get(path)
        if loc is not None and loc.key_span is not None:
            return loc.key_span
        return self.span(path)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "e": "\x1b"}
_HEX = {"x": 2, "u": 4, "U": 8}


def _units(raw: str) -> list[tuple[int, str]]:
    """The characters a scalar's raw text stands for, each with the raw offset it comes from.

    Decodes the escapes of double-quoted scalars (`\\u6d59` is one character) and the doubled
    quote of single-quoted ones; skips a block scalar's header line. Line folding is left to
    `_align`, which matches white space loosely.
    """
    quote = raw[:1] if raw[:1] in ("'", '"') else ""
    i = 1 if quote else 0
    if raw[:1] in ("|", ">"):
        nl = raw.find("\n")
        i = nl + 1 if nl >= 0 else len(raw)
    out: list[tuple[int, str]] = []
    while i < len(raw):
        ch = raw[i]
        if quote == '"' and ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            width = _HEX.get(nxt)
            if width is not None:
                try:
                    out.append((i, chr(int(raw[i + 2 : i + 2 + width], 16))))
                except ValueError:
                    out.append((i, nxt))
                i += 2 + width
            elif nxt == "\n":
                i += 2
            else:
                out.append((i, _ESCAPES.get(nxt, nxt)))
                i += 2
            continue
        if quote == "'" and ch == "'" and raw[i + 1 : i + 2] == "'":
            out.append((i, "'"))
            i += 2
            continue
        out.append((i, ch))
        i += 1
    return out


def _align(value: str, text: str, start: int, end: int) -> list[int]:
    """Map each offset of a scalar's value to an offset of its source text.

    Walks the decoded raw text alongside the value: each visible character of the value is
    found at or after the current position; white space that folding produced maps to where
    the raw text stands. Offset len(value) maps to the end of the last character.
    """
    units = _units(text[start:end])
    pos = 0
    table: list[int] = []
    for ch in value:
        found = -1
        if ch.isspace():
            if pos < len(units) and units[pos][1].isspace():
                found = pos
        else:
            for k in range(pos, min(len(units), pos + 16)):
                if units[k][1] == ch:
                    found = k
                    break
        if found >= 0:
            table.append(start + units[found][0])
            pos = found + 1
        else:
            table.append(start + (units[pos][0] if pos < len(units) else end - start))
    if table and pos > 0:
        last = units[pos - 1][0]
        width = units[pos][0] - last if pos < len(units) else 1
        table.append(start + last + max(1, width))
    else:
        table.append(table[-1] + 1 if table else start)
    return table


class _Builder:
    """Turns a composed YAML node tree into plain data and positions."""

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.positions: dict[Path, Located] = {}
        self.problems: list[Diagnostic] = []
        self.count = 0

    def span(self, node: yaml.Node) -> Span:
        end = node.end_mark.index
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            end = node.start_mark.index + 1
        return self.source.span(node.start_mark.index, max(end, node.start_mark.index + 1))

    def build(self, node: yaml.Node, path: Path, key: tuple[int, int] | None = None) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise DiagnosticError(
                [
                    Diagnostic(
                        "RK005",
                        f"the document has more than {MAX_NODES:,} values once its aliases "
                        "are expanded",
                        self.span(node),
                        hint="a policy needs no YAML aliases (`*name`); write the values out",
                    )
                ]
            )
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        self.positions[path] = Located(
            self.source, node.start_mark.index, node.end_mark.index, key, style
        )
        if node.tag not in _ALLOWED_TAGS:
            self.problems.append(
                Diagnostic(
                    "RK006",
                    f"the YAML tag `{node.tag}` is not allowed in a policy",
                    self.span(node),
                    hint="remove the tag; policies hold plain text, numbers, lists and mappings",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        try:
            return self.scalar(node)
        except ValueError as exc:
            self.problems.append(
                Diagnostic(
                    "RK104",
                    f"{exc}: too large for a policy (at most {MAX_INT_DIGITS} digits)",
                    self.span(node),
                    hint="write a smaller number",
                )
            )
            return None

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge" or (
                isinstance(key_node, yaml.ScalarNode)
                and not key_node.style
                and key_node.value == "<<"
            ):
                self.problems.append(
                    Diagnostic(
                        "RK006",
                        "YAML merge keys (`<<`) are not allowed in a policy",
                        self.span(key_node),
                        hint="use `extends:` to build on another policy",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Diagnostic(
                        "RK103",
                        "a key must be a plain name, not a list or mapping",
                        self.span(key_node),
                    )
                )
                continue
            key = str(key_node.value)
            offsets = (key_node.start_mark.index, key_node.end_mark.index)
            if key in first:
                prev = self.source.span(*first[key])
                kspan = self.source.span(*offsets)
                self.problems.append(
                    Diagnostic(
                        "RK004",
                        f"the key `{key}` appears twice in this mapping",
                        kspan,
                        hint=f"it was first set on line {prev.line}; keep one of them",
                    )
                )
                continue
            first[key] = offsets
            out[key] = self.build(value_node, (*path, key), offsets)
        return out

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        text = node.value
        if node.style:  # quoted or block scalars are always text
            return text
        if text in _NULLS:
            return None
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        if _INT.match(text):
            digits = text.replace("_", "")
            if len(digits) > MAX_INT_DIGITS:
                raise ValueError(f"an integer of {len(digits):,} digits")
            return int(digits)
        if _FLOAT.match(text) and any(c.isdigit() for c in text):
            return float(text.replace("_", ""))
        if text.lower() in (".inf", "+.inf", "-.inf", ".nan"):
            return text
        return text


def read_text(path: str) -> str:
    """Read a policy file as text; raise DiagnosticError for unreadable or oversized files."""
    import errno

    from rulekit.safeio import read_capped

    try:
        raw = read_capped(path, MAX_FILE_BYTES)  # regular files only: never a FIFO, /dev/zero
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise DiagnosticError(
                [
                    Diagnostic(
                        "RK002",
                        f"the file is over {MAX_FILE_BYTES:,} bytes, the most a policy may be",
                        Span(path, 1, 1, 1, 1),
                        hint="split the rules over an overlay that `extends:` a base policy",
                    )
                ]
            ) from None
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK001", f"cannot read the file: {exc.strerror or exc}", Span(path, 1, 1, 1, 1)
                )
            ]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK001",
                    f"the file is not UTF-8 text (byte {exc.start})",
                    Span(path, 1, 1, 1, 1),
                    hint="save the policy as UTF-8",
                )
            ]
        ) from None


def parse_yaml(text: str, name: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document into plain data with positions; never raises on bad input."""
    source = SourceText(name, text)
    if len(text) > MAX_FILE_BYTES:
        return None, [
            Diagnostic(
                "RK002",
                f"the text has {len(text):,} characters; a policy may have at most "
                f"{MAX_FILE_BYTES:,}",
                source.span(0, 1),
            )
        ]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = source.span(mark.index, mark.index + 1) if mark else source.span(0, 1)
        problem = exc.problem or "the YAML cannot be read"
        hint = None
        if "\t" in problem or "cannot start any token" in problem:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif "another document" in problem:
            problem = "a policy file holds one YAML document; this is a second one"
            hint = "remove the `---` line, or split the file"
        return None, [Diagnostic("RK003", f"YAML syntax error: {problem}", span, hint=hint)]
    except yaml.reader.ReaderError as exc:
        return None, [
            Diagnostic(
                "RK003",
                "control characters are not allowed in YAML (found "
                f"U+{exc.character if isinstance(exc.character, int) else ord(exc.character):04X})",
                source.span(exc.position, exc.position + 1),
                hint="delete the invisible character; copy-pasting from a document can add one",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Diagnostic("RK003", f"YAML syntax error: {exc}", source.span(0, 1))]
    except RecursionError:
        return None, [Diagnostic("RK005", "the YAML is nested too deeply", source.span(0, 1))]
    if node is None:
        return Document(None, {}, source), []
    builder = _Builder(source)
    try:
        data = builder.build(node, ())
    except DiagnosticError as exc:
        return None, exc.diagnostics
    except RecursionError:
        return None, [Diagnostic("RK005", "the YAML is nested too deeply", source.span(0, 1))]
    return Document(data, builder.positions, source), builder.problems
