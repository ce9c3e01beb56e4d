"""Resolve the names in a condition and check its types against a `Scope`.

`check` gives every node a type, records which root names and functions the condition uses,
and reports each problem with its offsets and a diagnostic code (RK202 unknown name, RK203
type mismatch, RK204 wrong number of arguments, RK205 unknown function, RK206 unknown
attribute). It never raises.
"""

from __future__ import annotations

from typing import NamedTuple

from rulekit.diagnostics import did_you_mean, one_of
from rulekit.lang import ast
from rulekit.lang.ast import Node, unparse
from rulekit.lang.functions import Function
from rulekit.lang.scope import Scope
from rulekit.lang.types import (
    ANY,
    BOOL,
    DATETIME,
    DURATION,
    LIST,
    NULL,
    NUMBER,
    STRING,
    Kind,
    Type,
    comparable,
    fits,
    join,
)
from rulekit.record import Record


class CheckProblem(NamedTuple):
    """A problem found by the checker: offsets, diagnostic code, message and optional hint."""

    start: int
    end: int
    code: str
    message: str
    hint: str | None = None


class TypedInfo(Record):
    """What the checker learned about a tree.

    Attributes:
        root: The type of the whole expression.
        types: The type of each node, by `id(node)`.
        symbols: The Name nodes that are symbols (text constants), by `id(node)`.
        functions: The function each Call node resolves to, by `id(node)`.
        names: The root names the expression reads.
    """

    __slots__ = ("root", "types", "symbols", "functions", "names")

    def __init__(self, root: Type = ANY) -> None:
        self.root = root
        self.types: dict[int, Type] = {}
        self.symbols: dict[int, str] = {}
        self.functions: dict[int, Function] = {}
        self.names: set[str] = set()

    def type_of(self, node: Node) -> Type:
        """The type of `node` (ANY if the checker did not see it)."""
        return self.types.get(id(node), ANY)


_ORDERED = (Kind.NUMBER, Kind.DATE, Kind.DATETIME, Kind.DURATION)
_ARITH_HINT = {
    "+": "`+` adds numbers or durations, or a duration to a date",
    "-": "`-` subtracts numbers or durations, a duration from a date, or two dates",
    "*": "`*` multiplies numbers, or a duration by a number",
    "/": "`/` divides numbers, a duration by a number, or two durations",
}


def check(
    node: Node, scope: Scope, expect: Type | None = BOOL
) -> tuple[TypedInfo, list[CheckProblem]]:
    """Type-check a tree.

    Args:
        node: The parsed condition or expression.
        scope: The names, symbols and functions it may use.
        expect: The type the whole expression must have (BOOL for a condition), or None.

    Returns:
        What the checker learned, and the problems found (empty if the tree is valid).
    """
    checker = _Checker(scope)
    try:
        root = checker.visit(node)
        bad_bool = expect is not None and expect.kind is Kind.BOOL
        if expect is not None and (not fits(root, expect) or (bad_bool and root == NULL)):
            if expect.kind is Kind.BOOL:
                message = f"a condition must be true or false; {_what(node, root)}"
            else:
                message = f"expected {expect.article()}; {_what(node, root)}"
            checker.problem(node, "RK203", message)
    except RecursionError:
        checker.problem(node, "RK203", "the condition is nested too deeply to check")
        root = ANY
    checker.info.root = root
    return checker.info, checker.problems


def _what(node: Node, t: Type) -> str:
    """`` `region` is text``, ``'abc' is text``, or ``this is a number``."""
    if isinstance(node, ast.Name | ast.Attr | ast.Literal):
        return f"`{unparse(node)}` is {t.article()}"
    return f"this is {t.article()}"


def _glued(node: ast.Binary) -> str | None:
    """`O+R` written without spaces between two names: return that text."""
    left, right = node.left, node.right
    if isinstance(left, ast.Name) and isinstance(right, ast.Name):
        if right.start - left.end == len(node.op):
            return f"{left.name}{node.op}{right.name}"
    return None


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.info = TypedInfo()
        self.problems: list[CheckProblem] = []

    def problem(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        self.problems.append(CheckProblem(node.start, node.end, code, message, hint))

    def visit(self, node: Node) -> Type:
        t = self._visit(node)
        self.info.types[id(node)] = t
        return t

    def _visit(self, node: Node) -> Type:
        match node:
            case ast.Literal():
                return self.literal(node)
            case ast.Name():
                return self.name(node)
            case ast.Attr():
                return self.attr(node)
            case ast.Call():
                return self.call(node)
            case ast.Unary():
                return self.unary(node)
            case ast.Binary():
                return self.binary(node)
            case ast.Compare():
                return self.compare(node)
            case ast.InList():
                return self.in_list(node)
            case ast.ListExpr():
                return self.list_expr(node)
            case ast.BoolOp():
                return self.bool_op(node)
            case ast.Not():
                return self.not_(node)
        return ANY

    def literal(self, node: ast.Literal) -> Type:
        kinds = {
            "null": NULL,
            "bool": BOOL,
            "number": NUMBER,
            "string": STRING,
            "duration": DURATION,
            "date": Type(Kind.DATE),
            "datetime": DATETIME,
        }
        return kinds.get(node.kind, ANY)

    def name(self, node: ast.Name) -> Type:
        scope = self.scope
        if node.name in scope.names:
            self.info.names.add(node.name)
            return scope.names[node.name]
        if node.name in scope.symbols:
            self.info.symbols[id(node)] = scope.symbols[node.name]
            return STRING
        if node.name in scope.functions:
            hint: str | None = f"`{node.name}` is a function; write `{node.name}()`"
        else:
            hint = did_you_mean(node.name, [*scope.names, *scope.symbols])
        if hint is None:
            quoted = "'" + node.name.replace("'", "\\'") + "'"
            known = f"known names: {one_of(sorted(scope.names))}; " if scope.names else ""
            hint = f"{known}to write text, quote it: {quoted}"
        self.problem(node, "RK202", f"unknown name `{node.name}`", hint)
        return ANY

    def attr(self, node: ast.Attr) -> Type:
        obj = self.visit(node.obj)
        if obj.is_loose:
            return obj
        start = node.end - len(node.name)
        where = CheckProblem(start, node.end, "RK206", "", None)
        if obj.kind is not Kind.OBJECT:
            message = f"{_what(node.obj, obj)} and has no attribute `{node.name}`"
            self.problems.append(where._replace(message=message))
            return ANY
        if node.name in obj.attrs:
            return obj.attrs[node.name]
        if obj.name == "person":  # another column of the people file: text
            return STRING
        owner = f"`{unparse(node.obj)}`"
        hint = did_you_mean(node.name, obj.attrs) or (
            f"it has {one_of(sorted(obj.attrs))}" if obj.attrs else None
        )
        message = f"{owner} has no attribute `{node.name}`"
        if obj.name == "params":  # a parameter the policy does not declare
            message = f"unknown parameter `{node.name}`"
            hint = did_you_mean(node.name, obj.attrs) or (
                f"declare it under `params:`; declared: {one_of(sorted(obj.attrs))}"
                if obj.attrs
                else "declare it under `params:`, e.g. `params: {cooldown: 30d}`"
            )
            where = where._replace(code="RK210")
        self.problems.append(where._replace(message=message, hint=hint))
        return ANY

    def call(self, node: ast.Call) -> Type:
        args = [self.visit(a) for a in node.args]
        fn = self.scope.functions.get(node.func)
        if fn is None:
            hint = did_you_mean(node.func, self.scope.functions) or (
                f"functions: {one_of(sorted(self.scope.functions))}"
            )
            end = node.start + len(node.func)
            message = f"unknown function `{node.func}`"
            self.problems.append(CheckProblem(node.start, end, "RK205", message, hint))
            return ANY
        self.info.functions[id(node)] = fn
        if not fn.min_args <= len(args) <= fn.max_args:
            self.problem(node, "RK204", _arity(fn, len(args)), f"usage: {fn.signature()}")
            return fn.result_type(args)
        before = len(self.problems)
        for i, (arg, t) in enumerate(zip(node.args, args, strict=True)):
            accepted = fn.params[i]
            if not any(fits(t, want) for want in accepted):
                wanted = " or ".join(w.article() for w in accepted)
                message = f"argument {i + 1} of `{fn.name}` must be {wanted}; {_what(arg, t)}"
                self.problem(arg, "RK203", message, f"usage: {fn.signature()}")
        if fn.same_kind and len(self.problems) == before:
            first, second = fn.same_kind
            a, b = args[first], args[second]
            if not a.is_loose and not b.is_loose and not comparable(a, b):
                message = (
                    f"arguments {first + 1} and {second + 1} of `{fn.name}` must be of one "
                    f"kind; {_what(node.args[first], a)} and {_what(node.args[second], b)}"
                )
                hint = f"usage: {fn.signature()}"
                self.problem(node, "RK211", message, hint)
                return ANY
        return fn.result_type(args)

    def unary(self, node: ast.Unary) -> Type:
        t = self.visit(node.operand)
        if t.is_loose or t.kind in (Kind.NUMBER, Kind.DURATION):
            return t
        message = f"`-` needs a number or a duration; {_what(node.operand, t)}"
        self.problem(node.operand, "RK203", message)
        return ANY

    def binary(self, node: ast.Binary) -> Type:
        word = _glued(node)
        known = {*self.scope.names, *self.scope.symbols}
        if word and not {node.left.name, node.right.name} <= known:  # type: ignore[union-attr]
            hint = f"`{word}` is not a plain name; quote it: '{word}'"
            self.problem(node, "RK202", f"unknown name `{word}`", hint)
            return ANY
        a, b = self.visit(node.left), self.visit(node.right)
        if a.kind is Kind.NULL or b.kind is Kind.NULL:
            return NULL
        if a.kind is Kind.ANY or b.kind is Kind.ANY:
            return ANY
        result = _arith(node.op, a, b)
        if result is not None:
            return result
        glued = f"`{word}` is not a plain name; quote it: '{word}'" if word else None
        for side, t in ((node.left, a), (node.right, b)):
            if t.kind not in _ORDERED:
                message = f"`{node.op}` works on numbers, dates and durations; {_what(side, t)}"
                self.problem(node if word else side, "RK203", message, glued)
                return ANY
        message = f"cannot apply `{node.op}` to {a.article()} and {b.article()}"
        self.problem(node, "RK203", message, _ARITH_HINT.get(node.op))
        return ANY

    def compare(self, node: ast.Compare) -> Type:
        a, b = self.visit(node.left), self.visit(node.right)
        if node.op in ("==", "!="):
            if not comparable(a, b):
                message = (
                    f"`{node.op}` compares values of the same kind, but "
                    f"{_what(node.left, a)} and {_what(node.right, b)}"
                )
                hint = None
                if {a.kind, b.kind} == {Kind.STRING, Kind.NUMBER}:
                    hint = _text_number_hint(node, a)
                self.problem(node, "RK203", message, hint)
            return BOOL
        for side, t in ((node.left, a), (node.right, b)):
            if not t.is_loose and t.kind not in _ORDERED:
                message = f"`{node.op}` compares numbers, dates or durations; {_what(side, t)}"
                self.problem(side, "RK203", message)
                return BOOL
        if not comparable(a, b):
            message = f"`{node.op}` cannot compare {a.article()} with {b.article()}"
            hint = None
            if {a.kind, b.kind} == {Kind.DURATION, Kind.NUMBER}:
                hint = "write the number with a unit, e.g. 30d, or use days(...) on the duration"
            self.problem(node, "RK203", message, hint)
        return BOOL

    def in_list(self, node: ast.InList) -> Type:
        a, b = self.visit(node.left), self.visit(node.right)
        word = "not in" if node.negated else "in"
        if b.is_loose:
            return BOOL
        if b.kind is not Kind.LIST:
            message = f"`{word}` needs a list on its right; {_what(node.right, b)}"
            self.problem(node.right, "RK203", message, "for example: state in [A, B]")
            return BOOL
        elem = b.elem or ANY
        if not comparable(a, elem):
            message = f"{_what(node.left, a)} but the list holds {elem.plural()}"
            self.problem(node, "RK203", message)
        return BOOL

    def list_expr(self, node: ast.ListExpr) -> Type:
        elem = NULL
        first: Type | None = None
        for item in node.items:
            t = self.visit(item)
            if t.kind is Kind.NULL:
                continue
            if first is not None and not comparable(first, t):
                message = (
                    f"a list must hold values of one kind; {_what(item, t)} "
                    f"but the first item is {first.article()}"
                )
                self.problem(item, "RK203", message)
                continue
            first = first or t
            elem = join(elem, t)
        return LIST(ANY if elem.kind is Kind.NULL else elem)

    def bool_op(self, node: ast.BoolOp) -> Type:
        for item in node.items:
            t = self.visit(item)
            if not t.is_loose and t.kind is not Kind.BOOL:
                message = f"`{node.op}` joins conditions (true or false); {_what(item, t)}"
                self.problem(item, "RK203", message)
        return BOOL

    def not_(self, node: ast.Not) -> Type:
        t = self.visit(node.operand)
        if not t.is_loose and t.kind is not Kind.BOOL:
            message = f"`not` needs a condition (true or false); {_what(node.operand, t)}"
            self.problem(node.operand, "RK203", message)
        return BOOL


def _arity(fn: Function, got: int) -> str:
    lo, hi = fn.min_args, fn.max_args
    if hi == 0:
        return f"`{fn.name}` takes no arguments, got {got}"
    count = f"{lo}" if lo == hi else f"{lo} to {hi}"
    noun = "argument" if hi == 1 else "arguments"
    return f"`{fn.name}` takes {count} {noun}, got {got}"


def _arith(op: str, a: Type, b: Type) -> Type | None:
    """The result type of `a op b`, or None if the operator does not apply."""
    ka, kb = a.kind, b.kind
    if ka is Kind.NUMBER and kb is Kind.NUMBER:
        return NUMBER
    if op in "+-" and ka is Kind.DURATION and kb is Kind.DURATION:
        return DURATION
    if op in "+-" and a.is_temporal and kb is Kind.DURATION:
        return DATETIME
    if op == "+" and ka is Kind.DURATION and b.is_temporal:
        return DATETIME
    if op == "-" and a.is_temporal and b.is_temporal:
        return DURATION
    if op in "*/" and ka is Kind.DURATION and kb is Kind.NUMBER:
        return DURATION
    if op == "*" and ka is Kind.NUMBER and kb is Kind.DURATION:
        return DURATION
    if op == "/" and ka is Kind.DURATION and kb is Kind.DURATION:
        return NUMBER
    return None


def _text_number_hint(node: ast.Compare, left: Type) -> str:
    """The hint for `==` between text and a number: say which side to change. A quoted
    literal (`budget == '3'`) is text already: compare the number field with a number."""
    number_side, text_side = (node.left, node.right)
    if left.kind is not Kind.NUMBER:
        number_side, text_side = text_side, number_side
    if isinstance(text_side, ast.Literal) and isinstance(text_side.value, str):
        shown = text_side.value.replace("`", "")[:20]
        return f"`'{shown}'` is quoted, so it is text; to compare with a number, drop the quotes"
    if isinstance(number_side, ast.Literal):
        return "to compare with text, quote the number: '3'"
    return "convert one side, so that both are numbers or both are text"
