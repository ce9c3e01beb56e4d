"""The syntax tree of a condition, and `unparse` to turn a tree back into canonical text.

Every node is immutable and has `start` and `end`: 0-based code-point offsets of the node in
the condition string (end exclusive). Offsets do not take part in equality, so two trees are
equal when they have the same structure, whatever their layout in the text.
"""

from __future__ import annotations

from typing import Self

from rulekit.record import FrozenRecord
from rulekit.timeutil import Duration

#: The Python value of a literal: None, a bool, a number, a string, a Duration, or for a date
#: or date-time literal its ISO text (it becomes a datetime once the timezone is known).
LiteralValue = None | bool | int | float | str | Duration

#: Literal kinds.
LITERAL_KINDS = ("null", "bool", "number", "string", "duration", "date", "datetime")


class Tree(FrozenRecord):
    """What every node shares (`rulekit.record.FrozenRecord`): set once, equal and hashed by
    its fields other than `start` and `end`, which come last, shown as
    `Name(name='x', start=0, end=1)`."""

    __slots__ = ()
    uncompared = ("start", "end")
    start: int
    end: int

    def spanning(self, start: int, end: int) -> Self:
        """The same node at other offsets."""
        return type(self)(*self._values(self)[:-2], start, end)  # type: ignore[call-arg]


class Literal(Tree):
    """A constant: `null`, `true`, `3`, `38%` (kind number, 0.38), `'text'`, `30d`, `2026-03-01`."""

    __slots__ = ("value", "kind", "start", "end")
    value: LiteralValue
    kind: str

    def __init__(self, value: LiteralValue, kind: str, start: int = 0, end: int = 0) -> None:
        self._set(value, kind, start, end)


class Name(Tree):
    """A bare word: a field, an object, or a symbol such as a state name."""

    __slots__ = ("name", "start", "end")
    name: str

    def __init__(self, name: str, start: int = 0, end: int = 0) -> None:
        self._set(name, start, end)


class Attr(Tree):
    """An attribute of an object: `next_stage.target`."""

    __slots__ = ("obj", "name", "start", "end")
    obj: Node
    name: str

    def __init__(self, obj: Node, name: str, start: int = 0, end: int = 0) -> None:
        self._set(obj, name, start, end)


class Call(Tree):
    """A function call: `days_since(last_activity_at)`."""

    __slots__ = ("func", "args", "start", "end")
    func: str
    args: tuple[Node, ...]

    def __init__(self, func: str, args: tuple[Node, ...], start: int = 0, end: int = 0) -> None:
        self._set(func, args, start, end)


class Unary(Tree):
    """Unary minus: `-x`."""

    __slots__ = ("op", "operand", "start", "end")
    op: str
    operand: Node

    def __init__(self, op: str, operand: Node, start: int = 0, end: int = 0) -> None:
        self._set(op, operand, start, end)


class Binary(Tree):
    """Arithmetic: `a + b`, `a - b`, `a * b`, `a / b`."""

    __slots__ = ("op", "left", "right", "start", "end")
    op: str
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node, start: int = 0, end: int = 0) -> None:
        self._set(op, left, right, start, end)


class Compare(Tree):
    """A comparison: `==`, `!=`, `<`, `<=`, `>`, `>=`."""

    __slots__ = ("op", "left", "right", "start", "end")
    op: str
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node, start: int = 0, end: int = 0) -> None:
        self._set(op, left, right, start, end)


class InList(Tree):
    """Membership: `x in [a, b]`, `x not in names`."""

    __slots__ = ("negated", "left", "right", "start", "end")
    negated: bool
    left: Node
    right: Node

    def __init__(
        self, negated: bool, left: Node, right: Node, start: int = 0, end: int = 0
    ) -> None:
        self._set(negated, left, right, start, end)


class ListExpr(Tree):
    """A list literal: `[a, 'b', 3]`."""

    __slots__ = ("items", "start", "end")
    items: tuple[Node, ...]

    def __init__(self, items: tuple[Node, ...], start: int = 0, end: int = 0) -> None:
        self._set(items, start, end)


class BoolOp(Tree):
    """Two or more conditions joined by `and` or by `or`."""

    __slots__ = ("op", "items", "start", "end")
    op: str
    items: tuple[Node, ...]

    def __init__(self, op: str, items: tuple[Node, ...], start: int = 0, end: int = 0) -> None:
        self._set(op, items, start, end)


class Not(Tree):
    """Negation: `not x`."""

    __slots__ = ("operand", "start", "end")
    operand: Node

    def __init__(self, operand: Node, start: int = 0, end: int = 0) -> None:
        self._set(operand, start, end)


Node = Literal | Name | Attr | Call | Unary | Binary | Compare | InList | ListExpr | BoolOp | Not

# Binding strength of each construct, low to high (as in grammar.lark).
_OR, _AND, _NOT, _CMP, _SUM, _PROD, _UNARY, _ATOM = range(1, 9)
_BINARY_PREC = {"+": _SUM, "-": _SUM, "*": _PROD, "/": _PROD}
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def children(node: Node) -> tuple[Node, ...]:
    """Return the direct sub-expressions of `node`, left to right."""
    match node:
        case Attr(obj=obj):
            return (obj,)
        case Call(args=args):
            return args
        case Unary(operand=x) | Not(operand=x):
            return (x,)
        case Binary(left=a, right=b) | Compare(left=a, right=b) | InList(left=a, right=b):
            return (a, b)
        case ListExpr(items=items) | BoolOp(items=items):
            return items
    return ()


def depth(node: Node) -> int:
    """Return the nesting depth of a tree (1 for a leaf), without recursion."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in children(current))
    return best


def quote(text: str) -> str:
    """Return `text` as a single-quoted string literal of the condition language."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in text) + "'"


def unparse(node: Node) -> str:
    """Return the canonical text of a tree: single-spaced, with single-quoted strings.

    Parentheses appear only where precedence needs them, so parsing the result gives a tree
    equal to `node`.

    Args:
        node: The tree to render.

    Returns:
        The condition text.
    """
    return _unparse(node, 0)


def _literal(node: Literal) -> str:
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return duration_text(value)
    if isinstance(value, int | float):
        return repr(value)
    if node.kind in ("date", "datetime"):
        return str(value)
    return quote(str(value))


def duration_text(d: Duration) -> str:
    """The literal for a duration: `2y`, `3mo`, `14d`, `12h`, `90min`, `0.5s`."""
    if d.months and not d.seconds:
        return f"{d.months // 12}y" if d.months % 12 == 0 else f"{d.months}mo"
    secs = d.seconds
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if secs and secs % size == 0:
            return f"{secs // size:.0f}{unit}"
    if float(secs).is_integer():
        return f"{secs:.0f}s"
    from decimal import Decimal

    return format(Decimal(repr(secs)), "f") + "s"


def _prec(node: Node) -> int:
    match node:
        case BoolOp(op=op):
            return _OR if op == "or" else _AND
        case Not():
            return _NOT
        case Compare() | InList():
            return _CMP
        case Binary(op=op):
            return _BINARY_PREC.get(op, _SUM)
        case Unary():
            return _UNARY
    return _ATOM


def _unparse(node: Node, need: int) -> str:
    text = _render(node)
    return f"({text})" if _prec(node) < need else text


def _render(node: Node) -> str:
    match node:
        case Literal():
            return _literal(node)
        case Name(name=name):
            return name
        case Attr(obj=obj, name=name):
            inner = _unparse(obj, _ATOM)
            if isinstance(obj, Literal) and obj.kind == "number":
                inner = f"({inner})"
            return f"{inner}.{name}"
        case Call(func=func, args=args):
            return f"{func}(" + ", ".join(_unparse(a, _OR) for a in args) + ")"
        case ListExpr(items=items):
            return "[" + ", ".join(_unparse(a, _OR) for a in items) + "]"
        case Unary(op=op, operand=x):
            return op + _unparse(x, _UNARY)
        case Binary(op=op, left=a, right=b):
            prec = _BINARY_PREC.get(op, _SUM)
            return f"{_unparse(a, prec)} {op} {_unparse(b, prec + 1)}"
        case Compare(op=op, left=a, right=b):
            return f"{_unparse(a, _SUM)} {op} {_unparse(b, _SUM)}"
        case InList(negated=negated, left=a, right=b):
            word = "not in" if negated else "in"
            return f"{_unparse(a, _SUM)} {word} {_unparse(b, _SUM)}"
        case Not(operand=x):
            return "not " + _unparse(x, _NOT)
        case BoolOp(op=op, items=items):
            need = _AND if op == "or" else _NOT
            return f" {op} ".join(_unparse(a, need) for a in items)
    return "null"
