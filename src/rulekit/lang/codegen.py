"""Compile a checked tree into a Python function `fn(env) -> value`.

The generator writes Python source from the tree (never from the user's text): names become
``env.get('name')``, constants are Python literals or entries of a constants table, and
operators are inlined where that is null-safe and type-safe, or else call the helpers in
`rulekit.lang.runtime`. The source is compiled once with a filename that points back at the
policy, so a traceback names the condition.
"""

from __future__ import annotations

import math
import types as pytypes
import warnings
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from rulekit.lang import ast, runtime
from rulekit.lang.ast import Node
from rulekit.lang.checker import TypedInfo
from rulekit.lang.types import Kind
from rulekit.timeutil import parse_instant

Evaluator = Callable[[Mapping[str, Any]], Any]

_BOOLEAN_NODES = (ast.Compare, ast.InList, ast.BoolOp, ast.Not)
_ARITH = {
    "+": "_add({}, {}, _tz)",
    "-": "_sub({}, {}, _tz)",
    "*": "_mul({}, {})",
    "/": "_div({}, {})",
}
_HELPERS: dict[str, Any] = {
    "_NUM": runtime.NUMBER_TYPES,
    "_str": str,
    "_truth": runtime.truth,
    "_eq": runtime.eq,
    "_ne": runtime.ne,
    "_order": runtime.order,
    "_in": runtime.contains,
    "_not_in": runtime.not_contains,
    "_add": runtime.add,
    "_sub": runtime.sub,
    "_mul": runtime.mul,
    "_div": runtime.div,
    "_neg": runtime.neg,
    "_attr": runtime.attr,
}


class _Generator:
    def __init__(self, info: TypedInfo, tz: tzinfo) -> None:
        self.info = info
        self.tz = tz
        self.consts: dict[str, Any] = {"_tz": tz}
        self.temps = 0

    def const(self, value: Any) -> str:
        name = f"_c{len(self.consts)}"
        self.consts[name] = value
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def kind(self, node: Node) -> Kind:
        return self.info.type_of(node).kind

    def boolean(self, node: Node) -> str:
        """Code for `node` used as a condition: always a Python bool."""
        code = self.emit(node)
        if isinstance(node, _BOOLEAN_NODES) or (
            isinstance(node, ast.Literal) and node.kind == "bool"
        ):
            return code
        return f"_truth({code})"

    def emit(self, node: Node) -> str:
        match node:
            case ast.Literal():
                return self.literal(node)
            case ast.Name(name=name):
                if id(node) in self.info.symbols:
                    return repr(name)
                return f"env.get({name!r})"
            case ast.Attr(obj=obj, name=name):
                return f"_attr({self.emit(obj)}, {name!r})"
            case ast.Call():
                return self.call(node)
            case ast.Unary(operand=operand):
                return f"_neg({self.emit(operand)})"
            case ast.Binary(op=op, left=left, right=right):
                return _ARITH[op].format(self.emit(left), self.emit(right))
            case ast.Compare():
                return self.compare(node)
            case ast.InList():
                return self.in_list(node)
            case ast.ListExpr(items=items):
                return "[" + "".join(self.emit(item) + ", " for item in items) + "]"
            case ast.BoolOp(op=op, items=items):
                return "(" + f" {op} ".join(self.boolean(item) for item in items) + ")"
            case ast.Not(operand=operand):
                return f"(not {self.boolean(operand)})"
        raise TypeError(f"not a condition node: {node!r}")

    def literal(self, node: ast.Literal) -> str:
        value = node.value
        if node.kind in ("date", "datetime"):
            return self.const(parse_instant(str(value), self.tz))
        if value is None or isinstance(value, bool | int | str):
            return repr(value)
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        return self.const(value)

    def call(self, node: ast.Call) -> str:
        fn = self.info.functions[id(node)]
        name = self.const(fn.call)
        return f"{name}(env" + "".join(", " + self.emit(a) for a in node.args) + ")"

    def compare(self, node: ast.Compare) -> str:
        op, left, right = node.op, node.left, node.right
        if op in ("==", "!=") and (_is_null(right) or _is_null(left)):
            other = left if _is_null(right) else right
            if isinstance(other, ast.Literal | ast.ListExpr):  # known now: no need to test
                return repr(_is_null(other) == (op == "=="))
            test = "is" if op == "==" else "is not"
            return f"({self.emit(other)} {test} None)"
        if op in ("==", "!=") and isinstance(right, ast.Literal) and _is_plain(right):
            plain = self.kind(left) is _PLAIN[right.kind]
        else:
            plain = False
        if plain:
            if op == "==":
                return f"({self.emit(left)} == {self.emit(right)})"
            t = self.temp()
            return f"(({t} := {self.emit(left)}) is not None and {t} != {self.emit(right)})"
        if op in ("==", "!="):
            helper = "_eq" if op == "==" else "_ne"
            return f"{helper}({self.emit(left)}, {self.emit(right)}, _tz)"
        if self.kind(left) is Kind.NUMBER and self.kind(right) is Kind.NUMBER:
            a, b = self.temp(), self.emit(right)
            guard = f"({a} := {self.emit(left)}).__class__ in _NUM"
            if not _is_plain(right):
                tb = self.temp()
                guard += f" and ({tb} := {b}).__class__ in _NUM"
                b = tb
            return f"({guard} and {a} {op} {b})"
        return f"_order({op!r}, {self.emit(left)}, {self.emit(right)}, _tz)"

    def in_list(self, node: ast.InList) -> str:
        left, right = node.left, node.right
        if isinstance(right, ast.ListExpr) and right.items:
            values = [self.constant(item) for item in right.items]
            kind = self.kind(left)
            if kind is Kind.STRING and all(isinstance(v, str) for v in values):
                check = "_str"
            elif kind is Kind.NUMBER and all(runtime.is_number(v) for v in values):
                check = "_NUM"
            else:
                check = ""
            if check:
                t, members = self.temp(), self.const(frozenset(values))
                test = "is" if check == "_str" else "in"
                word = "not in" if node.negated else "in"
                guard = f"({t} := {self.emit(left)}).__class__ {test} {check}"
                return f"({guard} and {t} {word} {members})"
        helper = "_not_in" if node.negated else "_in"
        return f"{helper}({self.emit(right)}, {self.emit(left)}, _tz)"

    def constant(self, node: Node) -> Any:
        """The Python value of a constant list item (a plain literal or a symbol), else a marker."""
        if isinstance(node, ast.Name) and id(node) in self.info.symbols:
            return node.name
        if _is_plain(node):
            assert isinstance(node, ast.Literal)
            return node.value
        return _NOT_CONSTANT


_NOT_CONSTANT = object()
_PLAIN = {"string": Kind.STRING, "number": Kind.NUMBER, "bool": Kind.BOOL}


def _is_null(node: Node) -> bool:
    return isinstance(node, ast.Literal) and node.kind == "null"


def _is_plain(node: Node) -> bool:
    """A string, number or bool literal that Python writes as a literal."""
    if not isinstance(node, ast.Literal) or node.kind not in _PLAIN:
        return False
    return not isinstance(node.value, float) or math.isfinite(node.value)


def generate(
    node: Node, info: TypedInfo, tz: tzinfo, *, as_bool: bool
) -> tuple[str, dict[str, Any]]:
    """Return the Python source of a lambda evaluating `node`, and the globals it needs.

    Args:
        node: A tree the checker accepted.
        info: What the checker learned about it.
        tz: The timezone of date literals.
        as_bool: Make the result a Python bool (for conditions).

    Returns:
        (source, globals): source is ``lambda env: ...``.
    """
    gen = _Generator(info, tz)
    body = gen.boolean(node) if as_bool else gen.emit(node)
    namespace: dict[str, Any] = {"__builtins__": {}}
    namespace.update(_HELPERS)
    namespace.update(gen.consts)
    return f"lambda env: {body}", namespace


def build(source: str, namespace: dict[str, Any], filename: str) -> Evaluator:
    """Compile generated source (never user text) into the function it defines.

    Args:
        source: The output of `generate`.
        namespace: Its globals.
        filename: The name shown in tracebacks, e.g. ``<condition policy.yaml:12:9>``.

    Returns:
        The function `fn(env) -> value`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(source, filename, "eval")
    body = next(c for c in code.co_consts if isinstance(c, pytypes.CodeType))
    fn: Evaluator = pytypes.FunctionType(body, namespace, "condition")
    return fn
