"""Compile a checked condition tree into a polars expression (the columnar engine's backend).

It mirrors the Python backend (`codegen`) value for value: a comparison involving null is
false, `x == null` tests for null, `and`/`or`/`not` read null as false, arithmetic with null
is null and a division by zero is null. What it cannot compile with the same meaning it
refuses loudly with `Unsupported`, never with a silently different result; the engine then
falls back to the row engine.

Instants are naive UTC on both sides: the caller gives date-time columns as naive UTC
`pl.Datetime` and the evaluation instant `now` as an aware datetime.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import polars as pl

from rulekit.lang import ast
from rulekit.lang.ast import Node
from rulekit.lang.checker import TypedInfo
from rulekit.lang.types import Kind
from rulekit.timeutil import parse_instant

_DAY_US = 86_400_000_000
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class Unsupported(Exception):
    """A construct this backend does not compile (the caller falls back to the row engine)."""

    def __init__(self, node: Node | None, reason: str) -> None:
        self.node = node
        self.reason = reason
        super().__init__(reason)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


class _Compiler:
    def __init__(
        self,
        info: TypedInfo,
        columns: Mapping[str, pl.Expr],
        now: datetime,
        tz: tzinfo,
    ) -> None:
        self.info = info
        self.columns = columns
        self.now = _utc(now)
        self.tz = tz

    def kind(self, node: Node) -> Kind:
        kind = self.info.type_of(node).kind
        return Kind.DATETIME if kind is Kind.DATE else kind

    # -- values -------------------------------------------------------------------------
    def constant_fold(self, node: Node, expr: pl.Expr) -> pl.Expr:
        """A sub-expression that reads no column, computed now (polars broadcasts literals)."""
        if isinstance(node, ast.Literal) or not self.is_constant(node):
            return expr
        value = pl.select(expr.alias("v")).item()
        dtypes: dict[Kind, pl.DataType] = {
            Kind.NUMBER: pl.Float64(),
            Kind.STRING: pl.String(),
            Kind.BOOL: pl.Boolean(),
            Kind.DATETIME: pl.Datetime("us"),
        }
        dtype = dtypes.get(self.kind(node))
        return pl.lit(value, dtype=dtype) if dtype is not None else pl.lit(value)

    def is_constant(self, node: Node) -> bool:
        if isinstance(node, ast.Name):
            return id(node) in self.info.symbols
        if isinstance(node, ast.Attr):
            return False
        return all(self.is_constant(child) for child in children(node))

    def value(self, node: Node) -> pl.Expr:
        return self.constant_fold(node, self._value(node))

    def _value(self, node: Node) -> pl.Expr:
        match node:
            case ast.Literal():
                return self.literal(node)
            case ast.Name(name=name):
                if id(node) in self.info.symbols:
                    return pl.lit(name)
                return self.column(node, name)
            case ast.Attr():
                return self.column(node, _dotted(node))
            case ast.Call():
                return self.call(node)
            case ast.Unary(operand=operand):
                self.need(operand, Kind.NUMBER, "minus of something not a number")
                if self.kind(operand) is Kind.NULL:
                    return pl.lit(None, dtype=pl.Float64)
                return -self.value(operand)
            case ast.Binary():
                return self.arithmetic(node)
            case ast.Compare() | ast.InList() | ast.BoolOp() | ast.Not():
                return self.boolean(node)
        raise Unsupported(node, f"`{type(node).__name__}` is not compiled to polars")

    def column(self, node: Node, name: str | None) -> pl.Expr:
        if name is None or name not in self.columns:
            raise Unsupported(node, f"`{name}` is not a column of the columnar engine")
        return self.columns[name]

    def literal(self, node: ast.Literal) -> pl.Expr:
        value = node.value
        if node.kind in ("date", "datetime"):
            return pl.lit(_utc(parse_instant(str(value), self.tz)))
        if node.kind == "null":
            return pl.lit(None)
        if isinstance(value, bool | int | str) or (
            isinstance(value, float) and math.isfinite(value)
        ):
            return pl.lit(value)
        raise Unsupported(node, f"a {node.kind} literal")

    def need(self, node: Node, kind: Kind, why: str) -> None:
        if self.kind(node) not in (kind, Kind.NULL):
            raise Unsupported(node, why)

    def arithmetic(self, node: ast.Binary) -> pl.Expr:
        for side in (node.left, node.right):
            self.need(side, Kind.NUMBER, "arithmetic on something not a number")
        a, b = self.value(node.left), self.value(node.right)
        if Kind.NULL in (self.kind(node.left), self.kind(node.right)):
            return pl.lit(None, dtype=pl.Float64)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return pl.when(b == 0).then(None).otherwise(a.cast(pl.Float64) / b)

    # -- conditions ---------------------------------------------------------------------
    def boolean(self, node: Node) -> pl.Expr:
        """`node` as a condition: a non-null boolean column."""
        return self.constant_fold(node, self._boolean(node))

    def _boolean(self, node: Node) -> pl.Expr:
        match node:
            case ast.Compare():
                return self.compare(node)
            case ast.InList():
                return self.in_list(node)
            case ast.BoolOp(op=op, items=items):
                parts = [self.boolean(item) for item in items]
                out = parts[0]
                for part in parts[1:]:
                    out = (out & part) if op == "and" else (out | part)
                return out
            case ast.Not(operand=operand):
                return ~self.boolean(operand)
            case ast.Literal(kind="bool", value=value):
                return pl.lit(bool(value))
        kind = self.kind(node)
        if kind is Kind.BOOL:
            return self.value(node).fill_null(False)
        if kind is Kind.NUMBER:
            return (self.value(node) != 0).fill_null(False)
        if kind is Kind.NULL:
            return pl.lit(False)
        raise Unsupported(node, f"a {kind} used as a condition")

    def compare(self, node: ast.Compare) -> pl.Expr:
        op, left, right = node.op, node.left, node.right
        if op in ("==", "!=") and (_is_null(left) or _is_null(right)):
            other = left if _is_null(right) else right
            if _is_null(other):
                return pl.lit(op == "==")
            expr = self.value(other)
            return expr.is_null() if op == "==" else expr.is_not_null()
        if _is_null(left) or _is_null(right) or Kind.NULL in (self.kind(left), self.kind(right)):
            return pl.lit(False)  # any other comparison with a null value is false
        kinds = {self.kind(left), self.kind(right)}
        if len(kinds) != 1 or not kinds <= {Kind.NUMBER, Kind.STRING, Kind.BOOL, Kind.DATETIME}:
            raise Unsupported(node, f"a comparison of {' and '.join(sorted(kinds))}")
        if Kind.DATETIME in kinds and (_is_text(left) or _is_text(right)):
            raise Unsupported(node, "a date compared with text")
        if op not in ("==", "!=") and Kind.BOOL in kinds:
            raise Unsupported(node, "an ordering of true/false values")
        a, b = self.value(left), self.value(right)
        if not a.meta.root_names() and b.meta.root_names():
            # polars (2.1) may fail to broadcast `constant op expression`: put the column
            # first (a constant is what reads no column once compiled: `a + null` is null)
            a, b, op = b, a, _MIRROR[op]
        compare: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
            "==": lambda x, y: x == y,
            "!=": lambda x, y: x != y,
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
        }
        return compare[op](a, b).fill_null(False)

    def in_list(self, node: ast.InList) -> pl.Expr:
        right = node.right
        if not isinstance(right, ast.ListExpr) or not right.items:
            raise Unsupported(node, "`in` a list that is not written out")
        values = [self.constant(item) for item in right.items]
        kind = self.kind(node.left)
        if kind is Kind.STRING and all(isinstance(v, str) for v in values):
            pass
        elif kind is Kind.NUMBER and all(_is_number(v) for v in values):
            pass
        else:
            raise Unsupported(node, "`in` a list of mixed or unsupported values")
        left = self.value(node.left)
        members = [v for v in values if v is not None]
        test = left.is_in(members)
        if node.negated:
            test = ~test
        return (test & left.is_not_null()).fill_null(False)

    def constant(self, node: Node) -> Any:
        if isinstance(node, ast.Name) and id(node) in self.info.symbols:
            return node.name
        if isinstance(node, ast.Literal) and node.kind in ("string", "number"):
            return node.value
        raise Unsupported(node, "a list item that is not a plain value")

    # -- functions ----------------------------------------------------------------------
    def call(self, node: ast.Call) -> pl.Expr:
        name, args = node.func, node.args
        if name == "coalesce":
            return pl.coalesce([self.value(a) for a in args])
        if name == "now" and not args:
            return pl.lit(self.now)
        if name == "days_since" and len(args) == 1:
            self.need(args[0], Kind.DATETIME, "days_since of something not a date-time")
            since = self.value(args[0])
            micros = (pl.lit(self.now) - since).dt.total_microseconds()
            return micros.floordiv(_DAY_US)
        if name == "abs" and len(args) == 1:
            self.need(args[0], Kind.NUMBER, "abs of something not a number")
            return self.value(args[0]).abs()
        if name in ("min", "max") and len(args) == 2:
            for a in args:
                self.need(a, Kind.NUMBER, f"{name} of something not a number")
            x, y = self.value(args[0]), self.value(args[1])
            pick = pl.min_horizontal(x, y) if name == "min" else pl.max_horizontal(x, y)
            return pl.when(x.is_null() | y.is_null()).then(None).otherwise(pick)
        if name in ("lower", "upper") and len(args) == 1:
            self.need(args[0], Kind.STRING, f"{name} of something not text")
            words = self.value(args[0]).str
            return words.to_lowercase() if name == "lower" else words.to_uppercase()
        if name in ("contains", "starts_with") and len(args) == 2:
            for a in args:
                self.need(a, Kind.STRING, f"{name} of something not text")
            if not isinstance(args[1], ast.Literal):
                raise Unsupported(node, f"{name} of a text that is not written out")
            text, part = self.value(args[0]), str(args[1].value)
            if name == "contains":
                return text.str.contains(part, literal=True)
            return text.str.starts_with(part)
        raise Unsupported(node, f"the function `{name}`")


def children(node: Node) -> list[Node]:
    """The sub-trees of a node."""
    match node:
        case ast.Call(args=args) | ast.ListExpr(items=args) | ast.BoolOp(items=args):
            return list(args)
        case ast.Unary(operand=x) | ast.Not(operand=x):
            return [x]
        case (
            ast.Binary(left=a, right=b) | ast.Compare(left=a, right=b) | ast.InList(left=a, right=b)
        ):
            return [a, b]
    return []


def _dotted(node: Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attr):
        parts.append(node.name)
        node = node.obj
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.name)
    return ".".join(reversed(parts))


def _is_null(node: Node) -> bool:
    return isinstance(node, ast.Literal) and node.kind == "null"


def _is_text(node: Node) -> bool:
    return isinstance(node, ast.Literal) and node.kind == "string"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compile_expr(
    node: Node,
    info: TypedInfo,
    columns: Mapping[str, pl.Expr],
    *,
    now: datetime,
    tz: tzinfo,
    as_bool: bool,
) -> pl.Expr:
    """The polars expression of a checked tree.

    Args:
        node: A tree the checker accepted.
        info: What the checker learned about it.
        columns: Root names and dotted paths (`next_stage.target.days`) → expressions.
        now: The evaluation instant.
        tz: The timezone of date literals.
        as_bool: Compile a condition (a non-null boolean) rather than a value.

    Raises:
        Unsupported: the tree holds something this backend does not compile.
    """
    compiler = _Compiler(info, columns, now, tz)
    return compiler.boolean(node) if as_bool else compiler.value(node)
