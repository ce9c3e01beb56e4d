"""Parse condition text into a syntax tree, with errors phrased for the people who write policies.

`parse` never raises: every problem comes back as a `SyntaxProblem` with the offsets of the
offending token. A condition is parsed by `rulekit.lang.lalr` from the tables Lark made of the
grammar (no Lark import); one it gives up on is parsed again by Lark, built on first use and
kept for the life of the process, whose errors are explained.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from rulekit.lang import ast, lalr
from rulekit.lang.ast import Node
from rulekit.lang.syntax_errors import Tok, explain
from rulekit.timeutil import Duration

#: Longest condition accepted, in code points.
MAX_LENGTH = 10_000
#: Deepest nesting accepted (brackets, operators, calls).
MAX_DEPTH = 48


class SyntaxProblem(NamedTuple):
    """A syntax error: offsets of the offending text, a message and an optional hint."""

    start: int
    end: int
    message: str
    hint: str | None = None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(one, body)


def _span(first: Any, last: Any) -> dict[str, int]:
    return {"start": _start(first), "end": _end(last)}


def _start(item: Any) -> int:
    return int(item.start_pos if hasattr(item, "start_pos") else item.start)


def _end(item: Any) -> int:
    return int(item.end_pos if hasattr(item, "end_pos") else item.end)


def _leaf(kind: str, value: ast.LiteralValue, tok: Any) -> ast.Literal:
    return ast.Literal(value, kind, start=tok.start_pos, end=tok.end_pos)


class _Builder:
    """Lark callbacks that build `rulekit.lang.ast` nodes as the LALR parser reduces."""

    def or_test(self, c: list[Any]) -> Node:
        return ast.BoolOp("or", tuple(c[::2]), **_span(c[0], c[-1]))

    def and_test(self, c: list[Any]) -> Node:
        return ast.BoolOp("and", tuple(c[::2]), **_span(c[0], c[-1]))

    def not_(self, c: list[Any]) -> Node:
        return ast.Not(c[1], **_span(c[0], c[1]))

    def compare(self, c: list[Any]) -> Node:
        return ast.Compare(str(c[1]), c[0], c[2], **_span(c[0], c[2]))

    def in_(self, c: list[Any]) -> Node:
        return ast.InList(False, c[0], c[2], **_span(c[0], c[2]))

    def not_in(self, c: list[Any]) -> Node:
        return ast.InList(True, c[0], c[3], **_span(c[0], c[3]))

    def binary(self, c: list[Any]) -> Node:
        return ast.Binary(str(c[1]), c[0], c[2], **_span(c[0], c[2]))

    def neg(self, c: list[Any]) -> Node:
        return ast.Unary("-", c[1], **_span(c[0], c[1]))

    def attr(self, c: list[Any]) -> Node:
        return ast.Attr(c[0], str(c[2]), **_span(c[0], c[2]))

    def name(self, c: list[Any]) -> Node:
        return ast.Name(str(c[0]), **_span(c[0], c[0]))

    def call(self, c: list[Any]) -> Node:
        return ast.Call(str(c[0]), c[2] or (), **_span(c[0], c[3]))

    def list_expr(self, c: list[Any]) -> Node:
        return ast.ListExpr(c[1] or (), **_span(c[0], c[2]))

    def args(self, c: list[Any]) -> tuple[Node, ...]:
        return tuple(c[::2])

    def paren(self, c: list[Any]) -> Node:
        inner: Any = c[1]
        widened: Node = inner.spanning(_start(c[0]), _end(c[2]))
        return widened

    def number(self, c: list[Any]) -> Node:
        text = str(c[0])
        value: float = int(text) if text.isdigit() else float(text)
        return _leaf("number", value, c[0])

    def percent(self, c: list[Any]) -> Node:
        return _leaf("number", float(str(c[0])[:-1]) / 100, c[0])

    def duration(self, c: list[Any]) -> Node:
        return _leaf("duration", Duration.parse(str(c[0])), c[0])

    def datetime(self, c: list[Any]) -> Node:
        text = str(c[0])
        return _leaf("datetime" if "T" in text else "date", text, c[0])

    def string(self, c: list[Any]) -> Node:
        return _leaf("string", _unescape(str(c[0])[1:-1]), c[0])

    def null(self, c: list[Any]) -> Node:
        return _leaf("null", None, c[0])

    def true(self, c: list[Any]) -> Node:
        return _leaf("bool", True, c[0])

    def false(self, c: list[Any]) -> Node:
        return _leaf("bool", False, c[0])


_BUILDER = _Builder()


@lru_cache(maxsize=1)
def get_parser() -> Any:
    """Return the Lark LALR parser, building it on first use."""
    from importlib import resources

    from lark import Lark

    grammar = resources.files("rulekit.lang").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        keep_all_tokens=True,
        maybe_placeholders=True,
        transformer=_Builder(),
        cache=True,
    )


def parse(text: str) -> tuple[Node | None, list[SyntaxProblem]]:
    """Parse a condition or expression.

    Never raises: any problem, including input that is too long or nested too deeply, is
    returned as a `SyntaxProblem`.

    Args:
        text: The condition text, e.g. ``state in [new, D] and days_since(last_activity_at) > 21``.

    Returns:
        The tree and no problems, or None and at least one problem.
    """
    if not isinstance(text, str):
        return None, [SyntaxProblem(0, 0, "the condition must be text")]
    if not text.strip():
        return None, [SyntaxProblem(0, len(text), "the condition is empty")]
    if len(text) > MAX_LENGTH:
        message = f"the condition is too long (more than {MAX_LENGTH:,} characters)"
        return None, [SyntaxProblem(MAX_LENGTH, len(text), message)]
    try:
        node: Node = lalr.parse(text, _BUILDER)
    except Exception:  # noqa: BLE001 - anything it cannot vouch for, Lark parses and explains
        return _parse_with_lark(text)
    return _validate(node)


def _parse_with_lark(text: str) -> tuple[Node | None, list[SyntaxProblem]]:
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        node: Node = get_parser().parse(text)
    except UnexpectedInput as exc:
        return None, [_problem(text, exc)]
    except (LarkError, RecursionError, ValueError, MemoryError) as exc:
        return None, [SyntaxProblem(0, len(text), f"the condition cannot be read ({exc})")]
    return _validate(node)


def _problem(text: str, exc: Any) -> SyntaxProblem:
    try:
        start, end, message, hint = explain(text, exc, _tokens(text, exc))
    except Exception:  # the explanation must never hide the error itself
        pos = getattr(exc, "pos_in_stream", None) or 0
        start, end, message, hint = pos, pos + 1, "this condition cannot be read here", None
    return SyntaxProblem(start, end, message, hint)


def _tokens(text: str, exc: Any) -> list[Tok]:
    """The tokens before the error, read again with Lark's lexer."""
    from lark.exceptions import LarkError

    limit = getattr(exc, "pos_in_stream", None)
    token = getattr(exc, "token", None)
    if limit is None or (token is not None and token.type == "$END"):
        limit = len(text)
    found: list[Tok] = []
    try:
        for tok in get_parser().lex(text):
            if tok.start_pos >= limit:
                break
            found.append(Tok(tok.type, str(tok), tok.start_pos, tok.end_pos))
    except LarkError:
        pass
    return found


def _validate(node: Node) -> tuple[Node | None, list[SyntaxProblem]]:
    """Check what the grammar cannot: nesting depth and calendar dates."""
    problems: list[SyntaxProblem] = []
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        if level > MAX_DEPTH:
            message = f"the condition is nested too deeply (more than {MAX_DEPTH} levels)"
            hint = "split it into simpler conditions"
            return None, [SyntaxProblem(current.start, current.end, message, hint)]
        if isinstance(current, ast.Literal) and current.kind in ("date", "datetime"):
            problems.extend(_check_date(current))
        stack.extend((child, level + 1) for child in ast.children(current))
    if problems:
        return None, sorted(problems)
    return node, []


def _check_date(lit: ast.Literal) -> list[SyntaxProblem]:
    from datetime import UTC

    from rulekit.timeutil import parse_instant

    try:
        parse_instant(str(lit.value), UTC)
    except ValueError:
        message = f"`{lit.value}` is not a valid date"
        hint = "write a real calendar date: 2026-03-01 or 2026-03-01T09:30"
        return [SyntaxProblem(lit.start, lit.end, message, hint)]
    return []
