"""The pipeline behind `compile_condition` and `compile_template`: parse, check, generate.

Problems become `Diagnostic`s located with the caller's `locate`. Nothing here raises on any
input text: an unexpected internal failure is reported as a diagnostic too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from rulekit.diagnostics import Diagnostic
from rulekit.lang.checker import check
from rulekit.lang.codegen import build, generate
from rulekit.lang.condition import Condition, Template
from rulekit.lang.parser import parse
from rulekit.lang.scope import Scope
from rulekit.lang.types import Kind, Type
from rulekit.source import Span

Locate = Callable[[int, int], Span]
INTERNAL = "this condition could not be compiled (an internal error in rulekit)"


def _diag(
    locate: Locate, start: int, end: int, code: str, msg: str, hint: str | None
) -> Diagnostic:
    try:
        span: Span | None = locate(start, end)
    except Exception:
        span = None
    return Diagnostic(code, msg, span=span, hint=hint)


def compile_text(
    text: str, scope: Scope, locate: Locate, *, expect: Type | None, tz: tzinfo
) -> tuple[Condition | None, list[Diagnostic]]:
    """Compile a condition or expression; see `rulekit.lang.compile_condition`."""
    try:
        return _compile(text, scope, locate, expect, tz)
    except Exception as exc:  # never let a bug in rulekit escape as a crash on user input
        note = f"{type(exc).__name__}: {exc}"
        diag = _diag(locate, 0, len(text) if isinstance(text, str) else 0, "RK201", INTERNAL, None)
        return None, [Diagnostic(diag.code, diag.message, diag.span, note=note)]


def _compile(
    text: str, scope: Scope, locate: Locate, expect: Type | None, tz: tzinfo
) -> tuple[Condition | None, list[Diagnostic]]:
    node, syntax = parse(text)
    if node is None:
        return None, [_diag(locate, p.start, p.end, "RK201", p.message, p.hint) for p in syntax]
    info, problems = check(node, scope, expect)
    if problems:
        problems.sort(key=lambda p: (p.start, p.end))
        return None, [_diag(locate, p.start, p.end, p.code, p.message, p.hint) for p in problems]
    as_bool = expect is not None and expect.kind is Kind.BOOL
    source, namespace = generate(node, info, tz, as_bool=as_bool)
    try:
        where = locate(0, len(text))
        filename = f"<condition {where.file}:{where.line}:{where.column}>"
    except Exception:
        filename = "<condition>"
    try:
        fn = build(source, namespace, filename)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        message = "the condition is too complex to compile"
        return None, [_diag(locate, 0, len(text), "RK201", message, "split it into simpler ones")]
    condition = Condition(text, node, info.root, frozenset(info.names), source, fn)
    return condition, []


def compile_template_text(
    text: str, scope: Scope, locate: Locate, *, tz: tzinfo
) -> tuple[Template | None, list[Diagnostic]]:
    """Compile a message template; see `rulekit.lang.compile_template`."""
    try:
        return _compile_template(text, scope, locate, tz)
    except Exception as exc:
        note = f"{type(exc).__name__}: {exc}"
        diag = _diag(locate, 0, len(text) if isinstance(text, str) else 0, "RK201", INTERNAL, None)
        return None, [Diagnostic(diag.code, diag.message, diag.span, note=note)]


def _compile_template(
    text: str, scope: Scope, locate: Locate, tz: tzinfo
) -> tuple[Template | None, list[Diagnostic]]:
    pieces, diags = split_template(text, locate)
    parts: list[str | Condition] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        start, end = piece
        shifted = _shifted(locate, start)
        compiled, found = compile_text(text[start:end], scope, shifted, expect=None, tz=tz)
        diags.extend(found)
        if compiled is not None:
            parts.append(compiled)
    if diags:
        return None, diags
    return Template(text, tuple(parts), tz), []


def _shifted(locate: Locate, base: int) -> Locate:
    """A `locate` for a piece of text that starts at offset `base` of the whole string."""

    def shifted(start: int, end: int) -> Span:
        return locate(start + base, end + base)

    return shifted


def split_template(
    text: str, locate: Locate
) -> tuple[list[str | tuple[int, int]], list[Diagnostic]]:
    """Split a template into literal text and the (start, end) offsets of each ``{expr}``.

    Args:
        text: The template.
        locate: Turns offsets into a span, for diagnostics.

    Returns:
        The pieces in order, and RK201 diagnostics for unbalanced or empty braces.
    """
    pieces: list[str | tuple[int, int]] = []
    diags: list[Diagnostic] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "{}" and text[i + 1 : i + 2] == ch:
            buf.append(ch)
            i += 2
        elif ch == "}":
            hint = "write `}}` for a literal brace"
            diags.append(_diag(locate, i, i + 1, "RK201", "this `}` has no opening `{`", hint))
            i += 1
        elif ch == "{":
            close = _closing_brace(text, i + 1)
            if close < 0:
                hint = "close it with `}`, or write `{{` for a literal brace"
                diags.append(_diag(locate, i, i + 1, "RK201", "this `{` is never closed", hint))
                break
            if not text[i + 1 : close].strip():
                hint = "put a name or expression inside, or write `{{}}` for literal braces"
                diags.append(_diag(locate, i, close + 1, "RK201", "empty `{}` in the text", hint))
            else:
                if buf:
                    pieces.append("".join(buf))
                    buf = []
                pieces.append((i + 1, close))
            i = close + 1
        else:
            buf.append(ch)
            i += 1
    if buf:
        pieces.append("".join(buf))
    return pieces, diags


def _closing_brace(text: str, i: int) -> int:
    """The offset of the `}` closing an expression that starts at `i`, skipping strings."""
    quote: str | None = None
    while i < len(text):
        ch = text[i]
        if quote is not None:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "}":
            return i
        i += 1
    return -1
