"""`--rank-by EXPR`: a small arithmetic language over a candidate's objectives, parsed safely.

    EXPR   := TERM (("+" | "-") TERM)*
    TERM   := UNARY (("*" | "/") UNARY)*
    UNARY  := ("-" | "+") UNARY | NUMBER | NAME | "(" EXPR ")"

A NAME is an objective: `expected_signings`, `lapses`, `changed`, `refused`, `applied`,
`events`, `timers`, `states.S` (customers in state S) or `rejected.R` (refusals for reason R).
The text is never evaluated as Python: it is parsed into a tree and the tree is computed.
Higher is better: `-lapses` puts the fewest lapses first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rulekit.diagnostics import did_you_mean
from rulekit.sweep.errors import OptionError

#: the objectives every summary has, besides `states.S` and `rejected.R`.
OBJECTIVES = ("expected_signings", "lapses", "changed", "refused", "applied", "events", "timers")

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)|(?P<op>[-+*/()]))"
)
_HINT = "write objectives and numbers with + - * / and parentheses: expected_signings - 0.1*refused"


@dataclass(frozen=True, slots=True)
class Node:
    """A parsed expression: an operator with operands, a number, or an objective name."""

    kind: str  # "num", "name", "neg", "+", "-", "*", "/"
    value: Any = None
    left: Node | None = None
    right: Node | None = None


def objectives(summary: Mapping[str, Any], changed: int) -> dict[str, float]:
    """A candidate's objectives by name, from its summary."""
    counts = summary["counts"]
    out: dict[str, float] = {
        "expected_signings": float(summary["expected_signings"]),
        "lapses": float(summary["lapses"]),
        "changed": float(changed),
        "refused": float(counts["rejected"]),
        "applied": float(counts["applied"]),
        "events": float(counts["events"]),
        "timers": float(counts["timers"]),
    }
    for state, n in summary["states"].items():
        out[f"states.{state}"] = float(n)
    for reason, n in summary["rejected"].items():
        out[f"rejected.{reason}"] = float(n)
    return out


@dataclass(frozen=True)
class Ranking:
    """A parsed `--rank-by` expression."""

    text: str
    tree: Node

    def score(self, values: Mapping[str, float]) -> float | None:
        """The expression's value (a missing `states.S` or `rejected.R` counts 0); None where
        it divides by zero."""
        try:
            return _eval(self.tree, values)
        except ZeroDivisionError:
            return None


def parse(text: str, states: Collection[str], reasons: Collection[str]) -> Ranking:
    """Parse a `--rank-by` expression; `states` and `reasons` are the names `states.S` and
    `rejected.R` may use.

    Raises:
        OptionError: a syntax error or an unknown name, with its column and a hint.
    """
    tokens = _tokens(text)
    parser = _Parser(text, tokens, states, reasons)
    tree = parser.expr()
    if parser.at < len(tokens):
        kind, value, column = tokens[parser.at]
        raise OptionError("--rank-by", text, column, f"unexpected `{value}`", hint=_HINT)
    return Ranking(text, tree)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            if not text[at:].strip():
                break
            column = at + len(text[at:]) - len(text[at:].lstrip()) + 1
            raise OptionError(
                "--rank-by", text, column, f"unexpected `{text[column - 1]}`", hint=_HINT
            )
        kind = found.lastgroup or "op"
        out.append((kind, found.group(kind), found.start(kind) + 1))
        at = found.end()
    return out


class _Parser:
    def __init__(
        self,
        text: str,
        tokens: list[tuple[str, str, int]],
        states: Collection[str],
        reasons: Collection[str],
    ) -> None:
        self.text, self.tokens, self.at = text, tokens, 0
        self.states, self.reasons = states, reasons

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expr(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.at += 1
            node = Node(token[1], left=node, right=self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None and token[1] in ("*", "/"):
            self.at += 1
            node = Node(token[1], left=node, right=self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise OptionError(
                "--rank-by", self.text, len(self.text) + 1, "the expression ends early", hint=_HINT
            )
        kind, value, column = token
        self.at += 1
        if value in ("-", "+") and kind == "op":
            inner = self.unary()
            return Node("neg", left=inner) if value == "-" else inner
        if kind == "number":
            return Node("num", float(value))
        if kind == "name":
            self._check(value, column)
            return Node("name", value)
        if value == "(":
            node = self.expr()
            close = self.peek()
            if close is None or close[1] != ")":
                where = close[2] if close else len(self.text) + 1
                raise OptionError("--rank-by", self.text, where, "missing `)`", hint=_HINT)
            self.at += 1
            return node
        raise OptionError("--rank-by", self.text, column, f"unexpected `{value}`", hint=_HINT)

    def _check(self, name: str, column: int) -> None:
        group, dot, item = name.partition(".")
        if not dot and name in OBJECTIVES:
            return
        if dot and group == "states" and item in self.states:
            return
        if dot and group == "rejected" and item in self.reasons:
            return
        known = [*OBJECTIVES, *(f"states.{s}" for s in self.states)]
        known += [f"rejected.{r}" for r in self.reasons]
        raise OptionError(
            "--rank-by",
            self.text,
            column,
            f"unknown objective `{name}`",
            end=column + len(name),
            hint=did_you_mean(name, known)
            or f"objectives: {', '.join(OBJECTIVES)}, states.S, rejected.REASON",
        )


def _eval(node: Node, values: Mapping[str, float]) -> float:
    if node.kind == "num":
        return float(node.value)
    if node.kind == "name":
        return values.get(node.value, 0.0)
    assert node.left is not None
    left = _eval(node.left, values)
    if node.kind == "neg":
        return -left
    assert node.right is not None
    right = _eval(node.right, values)
    if node.kind == "+":
        return left + right
    if node.kind == "-":
        return left - right
    if node.kind == "*":
        return left * right
    return left / right
